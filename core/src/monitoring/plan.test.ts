import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import type { XRayTracingSpec } from '../api/types.js';
import { desiredMonitoring, ownedGroups } from './desired.js';
import { FAULT_COMPANION_TAG } from './fault-companion.js';
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
const [defaultGroup, defaultFaults, checkout] = ownedGroups(desired).map((g) => g.group.GroupName) as [string, string, string];

/** What X-Ray holds after a sync of `d`: every group with its tags (`tags` replaces them: someone else's). */
const groupsHeld = (d: DesiredMonitoring, tags?: Record<string, string>): Observed<XRayGroup>[] =>
  ownedGroups(d).map((g) => ({ item: { ...g.group, GroupARN: `arn:aws:xray:us-east-1:123456789012:group/${g.group.GroupName}/ID` }, tags: { ...(tags ?? g.tags) } }));
const alarmsHeld = (d: DesiredMonitoring, tags = d.tags): Observed<CloudWatchAlarm>[] =>
  d.groups.flatMap((g) => (g.alarm ? [{ item: { ...g.alarm, AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${g.alarm.AlarmName}` }, tags: { ...tags } }] : []));
const xrayDefault: Observed<XRayGroup> = { item: { GroupName: 'Default', FilterExpression: '', InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false } }, tags: {} };
const groupNames = (list: { item: XRayGroup }[]) => list.map((o) => o.item.GroupName);

describe('planGroupSync', () => {
  const edited = (field: Partial<XRayGroup>) => groupsHeld(desired).map((o) => (o.item.GroupName === checkout ? { ...o, item: { ...o.item, ...field } } : o));
  it.each([
    { case: 'an empty account: create all, the fault companion after its group', observed: [xrayDefault], creates: [defaultGroup, defaultFaults, checkout], updates: [], deletes: [], conflicts: [], unchanged: 0 },
    { case: 'all in place: nothing', observed: [xrayDefault, ...groupsHeld(desired)], creates: [], updates: [], deletes: [], conflicts: [], unchanged: 3 },
    { case: 'a filter edited in the console: update', observed: edited({ FilterExpression: 'fault' }), creates: [], updates: [checkout], deletes: [], conflicts: [], unchanged: 2 },
    {
      case: 'insights switched off by hand: update',
      observed: edited({ InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: true } }),
      creates: [], updates: [checkout], deletes: [], conflicts: [], unchanged: 2,
    },
    {
      case: "the companion's filter edited in the console: update",
      observed: groupsHeld(desired).map((o) => (o.item.GroupName === defaultFaults ? { ...o, item: { ...o.item, FilterExpression: 'fault' } } : o)),
      creates: [], updates: [defaultFaults], deletes: [], conflicts: [], unchanged: 2,
    },
    {
      case: 'the alarm dropped from the spec: its companion goes, the group stays',
      observed: groupsHeld(desired), desired: want({ monitoring: { ...spec.monitoring, defaultGroup: { insights: { enabled: true } } } }),
      creates: [], updates: [], deletes: ['default-F'], conflicts: [], unchanged: 2,
    },
    {
      case: 'the alarm switched to errors: the fault companion is replaced by the error one',
      observed: groupsHeld(desired), desired: want({ monitoring: { ...spec.monitoring, defaultGroup: { insights: { enabled: true }, faultAlarm: { threshold: 0.05, metric: 'errors' } } } }),
      creates: [defaultFaults.replace('-F-', '-E-')], updates: [], deletes: ['default-F'], conflicts: [], unchanged: 2,
    },
    { case: 'a group gone from the spec: delete', observed: groupsHeld(want({ monitoring: { groups: [{ name: 'old', filterExpression: 'fault' }] } })), creates: [defaultGroup, defaultFaults, checkout], updates: [], deletes: ['old'], conflicts: [], unchanged: 0 },
    { case: 'our names held by untagged groups: conflict, untouched', observed: groupsHeld(desired, {}), creates: [], updates: [], deletes: [], conflicts: [defaultGroup, defaultFaults, checkout], unchanged: 0 },
    { case: "another XRayTracing's groups: never planned on", observed: groupsHeld(want(spec, 'other')), creates: [defaultGroup, defaultFaults, checkout], updates: [], deletes: [], conflicts: [], unchanged: 0 },
  ] as { case: string; observed: Observed<XRayGroup>[]; desired?: DesiredMonitoring; creates: string[]; updates: string[]; deletes: string[]; conflicts: string[]; unchanged: number }[])(
    '$case', ({ observed, desired: target = desired, creates, updates, deletes, conflicts, unchanged }) => {
    const plan = planGroupSync(target, observed);
    expect(plan.creates.map((c) => c.group.GroupName)).toEqual(creates);
    expect(plan.updates.map((u) => u.desired.group.GroupName)).toEqual(updates);
    expect(groupNames(plan.deletes).map((n) => n.replace(/-[0-9a-f]{8}$/, ''))).toEqual(deletes);
    expect(plan.conflicts).toEqual(conflicts);
    expect(plan.unchanged).toHaveLength(unchanged);
  });

  it('creates a fault companion with the marker tag naming its group', () => {
    const companion = planGroupSync(desired, [xrayDefault]).creates.find((c) => c.group.GroupName === defaultFaults);
    expect(companion?.tags).toEqual({ ...desired.tags, [FAULT_COMPANION_TAG]: defaultGroup });
  });

  it('says which fields drifted', () => {
    const plan = planGroupSync(desired, edited({ FilterExpression: 'fault', InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: false } }));
    expect(plan.updates[0]?.changed).toEqual(['FilterExpression', 'InsightsConfiguration']);
  });
});

describe('planAlarmSync', () => {
  const alarmName = desired.groups[0]!.alarm!.AlarmName;
  const all = new Set([defaultGroup, defaultFaults, checkout]);
  it.each([
    { case: 'group in sync, no alarm yet: create', observed: [], inSync: all, puts: [[alarmName, false]], deletes: [], conflicts: [], unchanged: 0 },
    { case: 'group not held (yet): no alarm on a name we do not hold', observed: [], inSync: new Set<string>(), puts: [], deletes: [], conflicts: [], unchanged: 0 },
    { case: 'fault companion not held (yet): no alarm', observed: [], inSync: new Set([defaultGroup, checkout]), puts: [], deletes: [], conflicts: [], unchanged: 0 },
    { case: 'fault companion no longer held: its alarm goes', observed: alarmsHeld(desired), inSync: new Set([defaultGroup, checkout]), puts: [], deletes: [alarmName], conflicts: [], unchanged: 0 },
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
