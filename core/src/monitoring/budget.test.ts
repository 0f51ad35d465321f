import { describe, expect, it } from 'vitest';
import { allocateGroupBudget } from './budget.js';

const demand = (uid: string, namespace: string, createdAt: string, count: number) => ({ uid, namespace, name: uid, createdAt, count });

describe('allocateGroupBudget', () => {
  it.each([
    { case: 'within the namespace cap', demands: [demand('a', 'shop', '1', 3), demand('b', 'shop', '2', 3)], budget: { perNamespace: 6 }, refused: [] },
    { case: 'the younger one over the namespace cap', demands: [demand('b', 'shop', '2', 2), demand('a', 'shop', '1', 5)], budget: { perNamespace: 6 }, refused: ['b'] },
    { case: 'other namespaces are not affected', demands: [demand('a', 'shop', '1', 6), demand('c', 'pay', '3', 6)], budget: { perNamespace: 6 }, refused: [] },
    { case: 'the cluster cap', demands: [demand('a', 'shop', '1', 4), demand('c', 'pay', '3', 4)], budget: { perNamespace: 6, perCluster: 6 }, refused: ['c'] },
    { case: 'no groups never refused', demands: [demand('a', 'shop', '1', 6), demand('z', 'shop', '2', 0)], budget: { perNamespace: 6 }, refused: [] },
  ])('$case', ({ demands, budget, refused }) => {
    const decisions = allocateGroupBudget(demands, budget);
    expect([...decisions].filter(([, d]) => !d.allowed).map(([uid]) => uid)).toEqual(refused);
    for (const uid of refused) expect(decisions.get(uid)).toEqual({ allowed: false, message: expect.stringMatching(/X-Ray groups, but (namespace \w+|this cluster) may own at most 6/) });
  });
});
