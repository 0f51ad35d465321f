import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import { MonitoringLimits } from '../api/monitoring-schema.js';
import type { XRayTracingSpec } from '../api/types.js';
import { allocateGroupBudget, DEFAULT_GROUP_BUDGET, groupCount } from './budget.js';

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
    for (const uid of refused) expect(decisions.get(uid)).toEqual({ allowed: false, message: expect.stringMatching(/X-Ray groups \(a group with a faultAlarm counts 2: it and its fault companion\), but (namespace \w+|this cluster) may own at most 6/) });
  });
});

describe('groupCount', () => {
  const alarm = { threshold: 0.05 };
  const group = (name: string, faultAlarm?: typeof alarm) => ({ name, filterExpression: 'fault', ...(faultAlarm ? { faultAlarm } : {}) });
  it.each([
    { case: 'no monitoring', spec: {}, count: 0 },
    { case: 'the namespace group', spec: { monitoring: { defaultGroup: {} } }, count: 1 },
    { case: 'the namespace group with an alarm: it and its fault companion', spec: { monitoring: { defaultGroup: { faultAlarm: alarm } } }, count: 2 },
    { case: 'declared groups, one with an alarm', spec: { monitoring: { groups: [group('a', alarm), group('b')] } }, count: 3 },
    {
      case: 'the most one XRayTracing may declare, all with alarms: the default budget',
      spec: { monitoring: { defaultGroup: { faultAlarm: alarm }, groups: Array.from({ length: MonitoringLimits.maxGroups }, (_, i) => group(`g${i}`, alarm)) } },
      count: DEFAULT_GROUP_BUDGET.perNamespace,
    },
  ] satisfies { case: string; spec: XRayTracingSpec; count: number }[])('$case → $count', ({ spec, count }) => {
    expect(groupCount(resolveSpec(spec))).toBe(count);
  });
});
