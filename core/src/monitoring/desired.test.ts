import { describe, expect, it } from 'vitest';
import { NamespaceAnnotation, RuleTags } from '../constants.js';
import { resolveSpec } from '../api/defaults.js';
import type { XRayTracingSpec } from '../api/types.js';
import { desiredMonitoring, groupCount, namespaceFilterExpression } from './desired.js';

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
    { case: 'defaults: faults over traces, 5 periods of a minute, all breaching', alarm: { threshold: 0.05 }, metric: 'ApproximateFaultCount', period: 60, evaluations: 5, datapoints: 5, actions: [] },
    {
      case: 'errors, 5-minute periods, 2 of 3, an SNS topic',
      alarm: { threshold: 0.2, metric: 'errors' as const, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 2, snsTopicArns: [topic] },
      metric: 'ApproximateErrorCount',
      period: 300,
      evaluations: 3,
      datapoints: 2,
      actions: [topic],
    },
  ])('alarm: $case', ({ alarm, metric, period, evaluations, datapoints, actions }) => {
    const [group] = want({ monitoring: { groups: [{ name: 'checkout', filterExpression: 'service("checkout")', faultAlarm: alarm }] } }).groups;
    const groupName = group!.group.GroupName;
    expect(group?.alarm).toMatchObject({
      AlarmName: expect.stringMatching(/^xray-operator-[0-9a-f]{8}-checkout$/),
      Threshold: alarm.threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: evaluations,
      DatapointsToAlarm: datapoints,
      AlarmActions: actions,
      TreatMissingData: 'notBreaching',
    });
    const stats = group!.alarm!.Metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!);
    expect(stats.map((s) => s.Metric.MetricName)).toEqual([metric, 'ApproximateTraceCount']);
    for (const stat of stats) expect(stat).toMatchObject({ Period: period, Stat: 'Sum', Metric: { Namespace: 'AWS/X-Ray', Dimensions: [{ Name: 'GroupName', Value: groupName }] } });
    expect(group!.alarm!.Metrics.filter((m) => m.ReturnData)).toEqual([expect.objectContaining({ Expression: 'IF(traces > 0, failed / traces, 0)' })]);
  });
});
