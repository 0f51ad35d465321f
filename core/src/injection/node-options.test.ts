import { describe, expect, it } from 'vitest';
import { NODE_OPTIONS_PRELOAD } from '../constants.js';
import type { ConfigMapLike } from '../ports.js';
import { effectiveEnv } from './env-sources.js';
import { extendNodeOptions, USER_NODE_OPTIONS_ENV } from './node-options.js';
import type { ContainerLike } from './types.js';

const configMaps: Record<string, ConfigMapLike> = {
  rt: { metadata: { name: 'rt' }, data: { NODE_OPTIONS: '--x=$(Y)' } },
  huge: { metadata: { name: 'huge' }, data: { other: '' }, incomplete: true },
};
const extend = (container: Omit<ContainerLike, 'name'>) => extendNodeOptions(effectiveEnv({ name: 'app', ...container }, (name) => configMaps[name]));

describe('extendNodeOptions', () => {
  it('appends a new entry when the user has none (ours, free to move)', () => {
    expect(extend({})).toEqual({ ok: true, env: [{ name: 'NODE_OPTIONS', value: NODE_OPTIONS_PRELOAD }], appended: true, warnings: [] });
  });

  it('extends a literal in place and leaves one that already has the preload alone', () => {
    const literal = extend({ env: [{ name: 'NODE_OPTIONS', value: '--a' }, { name: 'B', value: 'b' }] });
    expect(literal).toMatchObject({ ok: true, appended: false, env: [{ name: 'NODE_OPTIONS', value: `--a ${NODE_OPTIONS_PRELOAD}` }, { name: 'B' }] });
    const done = [{ name: 'NODE_OPTIONS', value: `${NODE_OPTIONS_PRELOAD} --a` }];
    expect(extend({ env: done })).toMatchObject({ ok: true, env: done });
  });

  it('keeps a valueFrom under another name, in place, and refers to it (never marked as movable)', () => {
    const valueFrom = { secretKeyRef: { name: 's', key: 'k' } };
    const result = extend({ env: [{ name: 'A', value: 'a' }, { name: 'NODE_OPTIONS', valueFrom }] });
    expect(result).toEqual({
      ok: true,
      appended: false,
      warnings: [],
      env: [
        { name: 'A', value: 'a' },
        { name: USER_NODE_OPTIONS_ENV, valueFrom },
        { name: 'NODE_OPTIONS', value: `$(${USER_NODE_OPTIONS_ENV}) ${NODE_OPTIONS_PRELOAD}` },
      ],
    });
  });

  it('treats a key missing from an incomplete (bounded) ConfigMap copy as unreadable, not absent', () => {
    const result = extend({ envFrom: [{ configMapRef: { name: 'huge' } }] });
    expect(result).toMatchObject({ ok: true, warnings: [expect.stringContaining('ConfigMap "huge" (envFrom) may set NODE_OPTIONS, which the webhook cannot read')] });
  });

  it('copies a ConfigMap value with $ escaped, since kubelet expands explicit values but not envFrom ones', () => {
    expect(extend({ envFrom: [{ configMapRef: { name: 'rt' } }] })).toMatchObject({
      ok: true,
      appended: true,
      env: [{ name: 'NODE_OPTIONS', value: `--x=$$(Y) ${NODE_OPTIONS_PRELOAD}` }],
    });
  });

  it('refuses an optional valueFrom and says why', () => {
    const result = extend({ env: [{ name: 'NODE_OPTIONS', valueFrom: { configMapKeyRef: { name: 'c', key: 'k', optional: true } } }] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.warning).toContain('optional valueFrom');
  });

  it('treats a required ConfigMap the view lacks like a Secret: preload literal plus a warning', () => {
    const result = extend({ envFrom: [{ configMapRef: { name: 'later' } }] });
    expect(result).toMatchObject({ ok: true, env: [{ name: 'NODE_OPTIONS', value: NODE_OPTIONS_PRELOAD }] });
    expect(result.ok && result.warnings[0]).toContain('ConfigMap "later"');
  });
});
