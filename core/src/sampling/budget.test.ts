import { describe, expect, it } from 'vitest';
import { allocateRuleBudget, type RuleDemand } from './budget.js';

const demand = (uid: string, namespace: string, createdAt: string, rules: number): RuleDemand => ({ uid, namespace, name: uid, createdAt, rules });
const allowed = (decisions: ReturnType<typeof allocateRuleBudget>) => [...decisions].filter(([, d]) => d.allowed).map(([uid]) => uid).sort();

describe('allocateRuleBudget', () => {
  it('refuses the XRayTracing that would take a namespace over its cap, oldest first, and leaves other namespaces whole', () => {
    const decisions = allocateRuleBudget(
      [
        demand('shop-b', 'shop', '2026-01-02T00:00:00Z', 11),
        demand('shop-a', 'shop', '2026-01-01T00:00:00Z', 11),
        demand('shop-c', 'shop', '2026-01-03T00:00:00Z', 11),
        demand('payments', 'payments', '2026-01-04T00:00:00Z', 1),
      ],
      { perNamespace: 11 },
    );
    expect(allowed(decisions)).toEqual(['payments', 'shop-a']);
    const refused = decisions.get('shop-b');
    expect(refused).toEqual({ allowed: false, message: expect.stringContaining('namespace shop may own at most 11 and older XRayTracings there own 11') });
  });

  it('lets a later, smaller XRayTracing use what is left in the namespace', () => {
    const decisions = allocateRuleBudget(
      [demand('a', 'shop', '2026-01-01T00:00:00Z', 8), demand('b', 'shop', '2026-01-02T00:00:00Z', 5), demand('c', 'shop', '2026-01-03T00:00:00Z', 3)],
      { perNamespace: 11 },
    );
    expect(allowed(decisions)).toEqual(['a', 'c']);
  });

  it('caps the cluster across namespaces, refusing the newest, and never counts local-mode XRayTracings', () => {
    const decisions = allocateRuleBudget(
      [
        demand('one', 'n1', '2026-01-01T00:00:00Z', 3),
        demand('local', 'n2', '2026-01-02T00:00:00Z', 0),
        demand('two', 'n3', '2026-01-03T00:00:00Z', 3),
        demand('three', 'n4', '2026-01-04T00:00:00Z', 3),
      ],
      { perNamespace: 11, perCluster: 7 },
    );
    expect(allowed(decisions)).toEqual(['local', 'one', 'two']);
    expect(decisions.get('three')).toEqual({ allowed: false, message: expect.stringContaining('this cluster may own at most 7 and older XRayTracings own 6') });
  });

  it('gives the same answer whatever the order of its input', () => {
    const demands = [demand('a', 's', '2026-01-01T00:00:00Z', 6), demand('b', 's', '2026-01-01T00:00:00Z', 6), demand('c', 't', '2026-01-01T00:00:00Z', 6)];
    const forward = allocateRuleBudget(demands, { perNamespace: 11, perCluster: 12 });
    const backward = allocateRuleBudget([...demands].reverse(), { perNamespace: 11, perCluster: 12 });
    expect(backward).toEqual(forward);
    expect(allowed(forward)).toEqual(['a', 'c']);
  });
});
