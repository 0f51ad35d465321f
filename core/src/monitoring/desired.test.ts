import { describe, expect, it } from 'vitest';
import { NamespaceAnnotation, RuleTags } from '../constants.js';
import { resolveSpec } from '../api/defaults.js';
import type { XRayTracingSpec } from '../api/types.js';
import { groupCount } from './budget.js';
import { desiredMonitoring, namespaceFilterExpression, ownedGroups } from './desired.js';
import { FAULT_COMPANION_TAG, OPERATOR_GROUP_NAME } from './fault-companion.js';

const tracing = (namespace: string, name: string, spec: XRayTracingSpec) =>
  ({ apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name, namespace }, spec }) as const;
const want = (spec: XRayTracingSpec, namespace = 'shop', name = 'default', cluster = 'prod') => desiredMonitoring(tracing(namespace, name, spec), resolveSpec(spec), cluster);

const topic = 'arn:aws:sns:eu-west-1:123456789012:oncall';

describe('desiredMonitoring', () => {
  it.each([
    { case: 'no monitoring', spec: {}, groups: [] },
    { case: 'the namespace group only', spec: { monitoring: { defaultGroup: {} } }, groups: ['default'] },
    { case: 'declared groups only', spec: { monitoring: { groups: [{ name: 'checkout', filterExpression: 'service("checkout")' }] } }, groups: ['checkout'] },
    {
      case: 'the namespace group first, then declared ones in order',
      spec: { monitoring: { groups: [{ name: 'b', filterExpression: 'fault' }, { name: 'a', filterExpression: 'error' }], defaultGroup: {} } },
      groups: ['default', 'b', 'a'],
    },
  ] satisfies { case: string; spec: XRayTracingSpec; groups: string[] }[])('$case → groups $groups', ({ spec, groups }) => {
    const desired = want(spec);
    expect(desired.groups.map((g) => g.specName)).toEqual(groups);
    expect(groupCount(resolveSpec(spec))).toBe(groups.length);
  });

  it('names groups <short>-<hash8> within 32 characters, different for every cluster, namespace and XRayTracing', () => {
    const spec: XRayTracingSpec = { monitoring: { defaultGroup: {}, groups: [{ name: 'a'.repeat(23), filterExpression: 'fault' }] } };
    const owners = [want(spec), want(spec, 'shop', 'other'), want(spec, 'shop2'), want(spec, 'shop', 'default', 'staging')];
    const names = owners.flatMap((d) => d.groups.map((g) => g.group.GroupName));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(32);
    expect(names[1]).toMatch(/^a{23}-[0-9a-f]{8}$/);
    const alarms = owners.map((d) => d.alarmNamePrefix);
    expect(new Set(alarms).size).toBe(alarms.length);
  });

  it("filters the namespace group on the namespace annotation and tells the collector to index it", () => {
    const spec: XRayTracingSpec = { monitoring: { defaultGroup: {} } };
    expect(want(spec).groups[0]?.group.FilterExpression).toBe(`${NamespaceAnnotation.filterKey} = "shop"`);
    expect(namespaceFilterExpression('a"b')).toBe(`${NamespaceAnnotation.filterKey} = "a\\"b"`);
    expect(resolveSpec(spec).collector.indexedAttributes).toEqual([NamespaceAnnotation.indexedAttribute]);
    expect(resolveSpec({ ...spec, collector: { indexAllAttributes: true } }).collector.indexedAttributes).toEqual([]);
    expect(resolveSpec({}).collector.indexedAttributes).toEqual([]);
  });

  it('tags groups with the same ownership tags as sampling rules', () => {
    expect(want({}).tags).toEqual({ [RuleTags.managedBy]: 'xray-operator', [RuleTags.cluster]: 'prod', [RuleTags.namespace]: 'shop', [RuleTags.name]: 'default' });
  });

  it.each([
    { case: 'insights off by default', insights: undefined, expected: { InsightsEnabled: false, NotificationsEnabled: false } },
    { case: 'insights on', insights: { enabled: true }, expected: { InsightsEnabled: true, NotificationsEnabled: false } },
    { case: 'insights with notifications', insights: { enabled: true, notifications: true }, expected: { InsightsEnabled: true, NotificationsEnabled: true } },
  ])('$case', ({ insights, expected }) => {
    expect(want({ monitoring: { defaultGroup: { insights } } }).groups[0]?.group.InsightsConfiguration).toEqual(expected);
  });

  it.each([
    { case: 'defaults: faults over traces, 5 periods of a minute, all breaching', alarm: { threshold: 0.05 }, keyword: 'fault', marker: 'F', period: 60, evaluations: 5, datapoints: 5, actions: [] },
    {
      case: 'errors, 5-minute periods, 2 of 3, an SNS topic',
      alarm: { threshold: 0.2, metric: 'errors' as const, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 2, snsTopicArns: [topic] },
      keyword: 'error',
      marker: 'E',
      period: 300,
      evaluations: 3,
      datapoints: 2,
      actions: [topic],
    },
  ])('alarm: $case', ({ alarm, keyword, marker, period, evaluations, datapoints, actions }) => {
    const desired = want({ monitoring: { groups: [{ name: 'checkout', filterExpression: 'service("checkout") OR service("cart")', faultAlarm: alarm }] } });
    const [group] = desired.groups;
    const groupName = group!.group.GroupName;
    const companion = group!.companion!;
    expect(companion.group).toEqual({
      GroupName: `checkout-${marker}-${groupName.slice(-8)}`,
      FilterExpression: `(service("checkout") OR service("cart")) AND ${keyword}`,
      InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false },
    });
    expect(companion.tags).toEqual({ ...desired.tags, [FAULT_COMPANION_TAG]: groupName });
    expect(ownedGroups(desired).map((g) => g.group.GroupName)).toEqual([groupName, companion.group.GroupName]);
    expect(group?.alarm).toMatchObject({
      AlarmName: expect.stringMatching(/^xray-operator-[0-9a-f]{8}-checkout$/),
      Threshold: alarm.threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: evaluations,
      DatapointsToAlarm: datapoints,
      AlarmActions: actions,
      TreatMissingData: 'notBreaching',
    });
    const stats = Object.fromEntries(group!.alarm!.Metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!]));
    const traceCountOf = (name: string) => ({ Period: period, Stat: 'Sum', Metric: { Namespace: 'AWS/X-Ray', MetricName: 'ApproximateTraceCount', Dimensions: [{ Name: 'GroupName', Value: name }] } });
    expect(stats).toEqual({ failed: traceCountOf(companion.group.GroupName), traces: traceCountOf(groupName) });
    expect(group!.alarm!.Metrics.filter((m) => m.ReturnData)).toEqual([expect.objectContaining({ Expression: 'IF(traces > 0, failed / traces, 0)' })]);
  });

  it('has no fault companion without an alarm', () => {
    const desired = want({ monitoring: { defaultGroup: {}, groups: [{ name: 'checkout', filterExpression: 'fault' }] } });
    expect(desired.groups.map((g) => g.companion)).toEqual([undefined, undefined]);
    expect(ownedGroups(desired)).toHaveLength(2);
  });

  it('names fault companions apart from every declared group and from each other, within 32 characters', () => {
    const long = (tail: string) => `${'a'.repeat(20)}${tail}`;
    const names = ['checkout', 'checkout-f', 'checkout-e', 'default', long('xyz'), long('xyw'), 'b'.repeat(21), 'b'.repeat(22)];
    const alarm = { threshold: 0.1 };
    const spec: XRayTracingSpec = { monitoring: { defaultGroup: { faultAlarm: alarm }, groups: names.filter((n) => n !== 'default').map((name) => ({ name, filterExpression: 'fault', faultAlarm: alarm })) } };
    const all = [...ownedGroups(want(spec)), ...ownedGroups(want({ monitoring: { groups: names.filter((n) => n !== 'default').map((name) => ({ name, filterExpression: 'fault', faultAlarm: { ...alarm, metric: 'errors' } })) } }))];
    const groupNames = [...new Set(all.map((g) => g.group.GroupName))];
    expect(groupNames).toHaveLength(names.length * 3 - 1);
    for (const name of groupNames) {
      expect(name.length).toBeLessThanOrEqual(32);
      expect(name).toMatch(OPERATOR_GROUP_NAME);
    }
  });
});
