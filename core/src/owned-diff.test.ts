import { describe, expect, it } from 'vitest';
import { diffOwned } from './owned-diff.js';

describe('diffOwned', () => {
  it.each([
    { case: 'nothing held: all missing', wanted: ['a', 'b'], owned: [], foreign: [], pairs: [], unwanted: [], missing: ['a', 'b'], conflicts: [] },
    { case: 'held and wanted: paired', wanted: ['a'], owned: ['a'], foreign: [], pairs: ['a'], unwanted: [], missing: [], conflicts: [] },
    { case: 'held, not wanted: unwanted', wanted: [], owned: ['a'], foreign: [], pairs: [], unwanted: ['a'], missing: [], conflicts: [] },
    { case: "wanted name held by someone else: conflict", wanted: ['a'], owned: [], foreign: ['a'], pairs: [], unwanted: [], missing: [], conflicts: ['a'] },
    { case: 'a reserved name: conflict', wanted: ['Default'], owned: [], foreign: [], pairs: [], unwanted: [], missing: [], conflicts: ['Default'] },
    { case: 'foreign names we do not want: ignored', wanted: [], owned: [], foreign: ['x'], pairs: [], unwanted: [], missing: [], conflicts: [] },
  ])('$case', ({ wanted, owned, foreign, pairs, unwanted, missing, conflicts }) => {
    const diff = diffOwned(new Map(wanted.map((n) => [n, `want:${n}`])), new Map(owned.map((n) => [n, `held:${n}`])), new Set(foreign), 'Default');
    expect(diff.pairs).toEqual(pairs.map((n) => ({ wanted: `want:${n}`, held: `held:${n}` })));
    expect(diff.unwanted).toEqual(unwanted.map((n) => `held:${n}`));
    expect(diff.missing).toEqual(missing.map((n) => `want:${n}`));
    expect(diff.conflicts).toEqual(conflicts);
  });
});
