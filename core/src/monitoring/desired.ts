// The X-Ray groups and CloudWatch fault alarms an XRayTracing wants: its declared groups, and the namespace's default
// group when asked for. Named and tagged like its sampling rules, so ownership reads the same everywhere.
import { MANAGED_BY_VALUE, NamespaceAnnotation } from '../constants.js';
import { AlarmDefaults, MonitoringLimits } from '../api/monitoring-schema.js';
import type { FaultAlarmSpec, GroupSettingsSpec, ResolvedSpec, XRayTracing } from '../api/types.js';
import { ownerNameSuffix, ownerTags, xrayRuleName } from '../sampling/naming.js';
import { samplingRuleOwner } from '../sampling/desired.js';
import type { AlarmMetricQuery, CloudWatchAlarm, DesiredGroup, DesiredMonitoring, MonitoringOwner } from './types.js';

export const XRAY_METRICS_NAMESPACE = 'AWS/X-Ray';
export const GROUP_DIMENSION = 'GroupName';
const COUNT_METRICS = { faults: 'ApproximateFaultCount', errors: 'ApproximateErrorCount' } as const;
const TRACE_COUNT_METRIC = 'ApproximateTraceCount';

/**
 * The namespace's group: traces with a segment from this namespace, by the annotation the collector indexes from the
 * resource attribute k8s.namespace.name. A filter on the namespace rather than a service("…") list covers services
 * added later without UpdateGroup calls (X-Ray applies a changed filter only to new traces).
 */
export function namespaceFilterExpression(namespace: string): string {
  return `${NamespaceAnnotation.filterKey} = ${JSON.stringify(namespace)}`;
}

/** Prefix of the alarm names of one owner: `xray-operator-<hash8>-` (DescribeAlarms lists by prefix). */
export function alarmNamePrefix(owner: MonitoringOwner): string {
  return `${MANAGED_BY_VALUE}-${ownerNameSuffix(owner).slice(1)}-`;
}

function metricStat(id: string, metricName: string, groupName: string, period: number): AlarmMetricQuery {
  return {
    Id: id,
    ReturnData: false,
    MetricStat: { Metric: { Namespace: XRAY_METRICS_NAMESPACE, MetricName: metricName, Dimensions: [{ Name: GROUP_DIMENSION, Value: groupName }] }, Period: period, Stat: 'Sum' },
  };
}

/** A metric-math alarm on failed / all traces of the group; a period without traces counts as 0, not as missing. */
export function faultAlarm(owner: MonitoringOwner, specName: string, groupName: string, spec: FaultAlarmSpec): CloudWatchAlarm {
  const metric = spec.metric ?? AlarmDefaults.metric;
  const period = spec.periodSeconds ?? AlarmDefaults.periodSeconds;
  const evaluationPeriods = spec.evaluationPeriods ?? AlarmDefaults.evaluationPeriods;
  return {
    AlarmName: `${alarmNamePrefix(owner)}${specName}`,
    AlarmDescription: `Ratio of ${metric} to traces in X-Ray group ${groupName} above ${spec.threshold}; XRayTracing ${owner.namespace}/${owner.name} (cluster ${owner.clusterName}), managed by ${MANAGED_BY_VALUE}`,
    ActionsEnabled: true,
    AlarmActions: [...(spec.snsTopicArns ?? [])],
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: spec.threshold,
    EvaluationPeriods: evaluationPeriods,
    DatapointsToAlarm: spec.datapointsToAlarm ?? evaluationPeriods,
    TreatMissingData: 'notBreaching',
    Metrics: [
      metricStat('failed', COUNT_METRICS[metric], groupName, period),
      metricStat('traces', TRACE_COUNT_METRIC, groupName, period),
      { Id: 'ratio', Expression: 'IF(traces > 0, failed / traces, 0)', Label: `${metric} ratio of ${groupName}`, ReturnData: true },
    ],
  };
}

function desiredGroup(owner: MonitoringOwner, specName: string, filterExpression: string, settings: GroupSettingsSpec): DesiredGroup {
  const GroupName = xrayRuleName(owner, specName);
  const insights = settings.insights ?? {};
  return {
    specName,
    group: {
      GroupName,
      FilterExpression: filterExpression,
      InsightsConfiguration: { InsightsEnabled: insights.enabled ?? false, NotificationsEnabled: insights.notifications ?? false },
    },
    ...(settings.faultAlarm ? { alarm: faultAlarm(owner, specName, GroupName, settings.faultAlarm) } : {}),
  };
}

/** How many X-Ray groups the spec wants (what the tenant budget counts). */
export function groupCount(spec: ResolvedSpec): number {
  return spec.monitoring.groups.length + (spec.monitoring.defaultGroup ? 1 : 0);
}

/** The groups and alarms an XRayTracing wants in AWS, the namespace's group first. Pure. */
export function desiredMonitoring(tracing: XRayTracing, spec: ResolvedSpec, clusterName: string): DesiredMonitoring {
  const owner = samplingRuleOwner(tracing, clusterName);
  const { defaultGroup, groups } = spec.monitoring;
  return {
    ...noMonitoring(owner),
    groups: [
      ...(defaultGroup ? [desiredGroup(owner, MonitoringLimits.defaultGroupName, namespaceFilterExpression(owner.namespace), defaultGroup)] : []),
      ...groups.map((group) => desiredGroup(owner, group.name, group.filterExpression, group)),
    ],
  };
}

/** Nothing wanted: what a sync towards deletes everything the owner has (finalizer, migration). */
export function noMonitoring(owner: MonitoringOwner): DesiredMonitoring {
  return { owner, tags: ownerTags(owner), groupNameSuffix: ownerNameSuffix(owner), alarmNamePrefix: alarmNamePrefix(owner), groups: [] };
}
