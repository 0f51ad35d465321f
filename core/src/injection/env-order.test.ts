import { describe, expect, it } from 'vitest';
import { orderForReferences, referencedNames } from './env-order.js';

describe('referencedNames', () => {
  it('finds $(VAR) references and skips the $$(VAR) escape', () => {
    expect([...referencedNames('$(A)-$(B_2) $$(C) $$$(D)')]).toEqual(['A', 'B_2', 'D']);
    expect(referencedNames(undefined).size).toBe(0);
  });
});

describe('orderForReferences', () => {
  const names = (env: { name: string }[]) => env.map((e) => e.name);

  it('moves an engine entry before the first user entry that refers to it, keeping user order', () => {
    const env = [{ name: 'U1', value: 'x' }, { name: 'U2', value: '$(OURS)' }, { name: 'U3', value: 'y' }, { name: 'OURS', value: 'v' }];
    expect(names(orderForReferences(env, new Set(['OURS'])))).toEqual(['U1', 'OURS', 'U2', 'U3']);
  });

  it('moves the dependencies of a moved entry ahead of it too', () => {
    const env = [{ name: 'U', value: '$(B)' }, { name: 'A', value: 'a' }, { name: 'B', value: '$(A)' }];
    expect(names(orderForReferences(env, new Set(['A', 'B'])))).toEqual(['A', 'B', 'U']);
  });

  it('never moves user entries and stops on a reference cycle', () => {
    const env = [{ name: 'U', value: '$(A)' }, { name: 'A', value: '$(B)' }, { name: 'B', value: '$(A)' }];
    expect(orderForReferences(env, new Set(['A', 'B']))).toHaveLength(3);
    const userOnly = [{ name: 'X', value: '$(Y)' }, { name: 'Y', value: 'y' }];
    expect(orderForReferences(userOnly, new Set())).toEqual(userOnly);
  });
});
