import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import type { XRayTracingSpec } from '../api/types.js';
import { desiredMonitoring } from './desired.js';
import { planAlarmSync, planGroupSync } from './plan.js';
import type { CloudWatchAlarm, DesiredMonitoring, Observed, XRayGroup } from './types.js';

const want = (spec: XRayTracingSpec, name = 'default'): DesiredMonitoring =>
  desiredMonitoring({ apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name, namespace: 'shop' }, spec }, resolveSpec(spec), 'prod');

const spec: XRayTracingSpec = {
  monitoring: {
    defaultGroup: { insights: { enabled: true }, faultAlarm: { threshold: 0.05 } },
    groups: [{ name: 'checkout', filterExpression: 'service("shop.checkout")' }],
  },
};
const desired = want(spec);
const [defaultGroup, checkout] = desired.groups.map((g) => g.group.GroupName) as [string, string];

const groupsHeld = (d: DesiredMonitoring, tags = d.tags): Observed<XRayGroup>[] =>
  d.groups.map((g) => ({ item: { ...g.group, GroupARN: `arn:aws:xray:us-east-1:123456789012:group/${g.group.GroupName}/ID` }, tags: { ...tags } }));
const alarmsHeld = (d: DesiredMonitoring, tags = d.tags): Observed<CloudWatchAlarm>[] =>
  d.groups.flatMap((g) => (g.alarm ? [{ item: { ...g.alarm, AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${g.alarm.AlarmName}` }, tags: { ...tags } }] : []));
const xrayDefault: Observed<XRayGroup> = { item: { GroupName: 'Default', FilterExpression: '', InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false } }, tags: {} };
const groupNames = (list: { item: XRayGroup }[]) => list.map((o) => o.item.GroupName);

describe('planGroupSync', () => {
  const edited = (field: Partial<XRayGroup>) => groupsHeld(desired).map((o) => (o.item.GroupName === checkout ? { ...o, item: { ...o.item, ...field } } : o));
  it.each([
    { case: 'an empty account: create all', observed: [xrayDefault], creates: [defaultGroup, checkout], updates: [], deletes: [], conflicts: [], unchanged: 0 },
    { case: 'all in place: nothing', observed: [xrayDefault, ...groupsHeld(desired)], creates: [], updates: [], deletes: [], conflicts: [], unchanged: 2 },
    { case: 'a filter edited in the console: update', observed: edited({ FilterExpression: 'fault' }), creates: [], updates: [checkout], deletes: [], conflicts: [], unchanged: 1 },
    {
      case: 'insights switched off by hand: update',
      observed: edited({ InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: true } }),
      creates: [], updates: [checkout], deletes: [], conflicts: [], unchanged: 1,
    },
    { case: 'a group gone from the spec: delete', observed: groupsHeld(want({ monitoring: { groups: [{ name: 'old', filterExpression: 'fault' }] } })), creates: [defaultGroup, checkout], updates: [], deletes: ['old'], conflicts: [], unchanged: 0 },
    { case: 'our names held by untagged groups: conflict, untouched', observed: groupsHeld(desired, {}), creates: [], updates: [], deletes: [], conflicts: [defaultGroup, checkout], unchanged: 0 },
    { case: "another XRayTracing's groups: never planned on", observed: groupsHeld(want(spec, 'other')), creates: [defaultGroup, checkout], updates: [], deletes: [], conflicts: [], unchanged: 0 },
  ])('$case', ({ observed, creates, updates, deletes, conflicts, unchanged }) => {
    const plan = planGroupSync(desired, observed);
    expect(plan.creates.map((c) => c.group.GroupName)).toEqual(creates);
    expect(plan.updates.map((u) => u.desired.group.GroupName)).toEqual(updates);
    expect(groupNames(plan.deletes).map((n) => n.replace(/-[0-9a-f]{8}$/, ''))).toEqual(deletes);
    expect(plan.conflicts).toEqual(conflicts);
    expect(plan.unchanged).toHaveLength(unchanged);
  });

  it('says which fields drifted', () => {
    const plan = planGroupSync(desired, edited({ FilterExpression: 'fault', InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: false } }));
    expect(plan.updates[0]?.changed).toEqual(['FilterExpression', 'InsightsConfiguration']);
  });
});

describe('planAlarmSync', () => {
  const alarmName = desired.groups[0]!.alarm!.AlarmName;
  const all = new Set([defaultGroup, checkout]);
  it.each([
    { case: 'group in sync, no alarm yet: create', observed: [], inSync: all, puts: [[alarmName, false]], deletes: [], conflicts: [], unchanged: 0 },
    { case: 'group not held (yet): no alarm on a name we do not hold', observed: [], inSync: new Set<string>(), puts: [], deletes: [], conflicts: [], unchanged: 0 },
    { case: 'alarm in place: nothing', observed: alarmsHeld(desired), inSync: all, puts: [], deletes: [], conflicts: [], unchanged: 1 },
    {
      case: 'threshold changed by hand: put again',
      observed: alarmsHeld(desired).map((o) => ({ ...o, item: { ...o.item, Threshold: 0.5 } })),
      inSync: all, puts: [[alarmName, true]], deletes: [], conflicts: [], unchanged: 0,
    },
    { case: 'group no longer held: its alarm goes', observed: alarmsHeld(desired), inSync: new Set([checkout]), puts: [], deletes: [alarmName], conflicts: [], unchanged: 0 },
    { case: 'alarm dropped from the spec: delete', observed: alarmsHeld(desired), inSync: all, desired: want({ monitoring: { ...spec.monitoring, defaultGroup: {} } }), puts: [], deletes: [alarmName], conflicts: [], unchanged: 0 },
    { case: 'our alarm name held by an untagged alarm: conflict', observed: alarmsHeld(desired, {}), inSync: all, puts: [], deletes: [], conflicts: [alarmName], unchanged: 0 },
  ] as { case: string; observed: Observed<CloudWatchAlarm>[]; inSync: Set<string>; desired?: DesiredMonitoring; puts: [string, boolean][]; deletes: string[]; conflicts: string[]; unchanged: number }[])(
    '$case',
    ({ observed, inSync, desired: target = desired, puts, deletes, conflicts, unchanged }) => {
      const plan = planAlarmSync(target, observed, inSync);
      expect(plan.puts.map((p) => [p.alarm.AlarmName, p.exists])).toEqual(puts);
      expect(plan.deletes.map((d) => d.item.AlarmName)).toEqual(deletes);
      expect(plan.conflicts).toEqual(conflicts);
      expect(plan.unchanged).toHaveLength(unchanged);
    },
  );
});
