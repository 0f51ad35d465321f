// The X-Ray groups and CloudWatch fault alarms an XRayTracing wants: its declared groups, and the namespace's default
// group when asked for. Named and tagged like its sampling rules, so ownership reads the same everywhere.
import { MANAGED_BY_VALUE, NamespaceAnnotation } from '../constants.js';
import { AlarmDefaults, MonitoringLimits } from '../api/monitoring-schema.js';
import type { FaultAlarmSpec, GroupSettingsSpec, ResolvedSpec, XRayTracing } from '../api/types.js';
import { ownerNameSuffix, ownerTags, xrayRuleName } from '../sampling/naming.js';
import { samplingRuleOwner } from '../sampling/desired.js';
import { faultCompanion } from './fault-companion.js';
import type { AlarmMetricQuery, CloudWatchAlarm, DesiredGroup, DesiredMonitoring, MonitoringOwner, OwnedGroup } from './types.js';

/** The one metric X-Ray publishes per group: traces that matched its filter, per minute. */
export const XRAY_METRICS_NAMESPACE = 'AWS/X-Ray';
export const GROUP_DIMENSION = 'GroupName';
export const TRACE_COUNT_METRIC = 'ApproximateTraceCount';

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

function traceCount(id: string, groupName: string, period: number): AlarmMetricQuery {
  return {
    Id: id,
    ReturnData: false,
    MetricStat: { Metric: { Namespace: XRAY_METRICS_NAMESPACE, MetricName: TRACE_COUNT_METRIC, Dimensions: [{ Name: GROUP_DIMENSION, Value: groupName }] }, Period: period, Stat: 'Sum' },
  };
}

/**
 * A metric-math alarm on failed / all traces of the group: the trace count of its fault companion (`companionName`)
 * over its own. A period without traces counts as 0, not as missing.
 */
export function faultAlarm(owner: MonitoringOwner, specName: string, groupName: string, companionName: string, spec: FaultAlarmSpec): CloudWatchAlarm {
  const metric = spec.metric ?? AlarmDefaults.metric;
  const period = spec.periodSeconds ?? AlarmDefaults.periodSeconds;
  const evaluationPeriods = spec.evaluationPeriods ?? AlarmDefaults.evaluationPeriods;
  return {
    AlarmName: `${alarmNamePrefix(owner)}${specName}`,
    AlarmDescription: `Ratio of ${metric} to traces in X-Ray group ${groupName} (traces of ${companionName} over ${groupName}) above ${spec.threshold}; XRayTracing ${owner.namespace}/${owner.name} (cluster ${owner.clusterName}), managed by ${MANAGED_BY_VALUE}`,
    ActionsEnabled: true,
    AlarmActions: [...(spec.snsTopicArns ?? [])],
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: spec.threshold,
    EvaluationPeriods: evaluationPeriods,
    DatapointsToAlarm: spec.datapointsToAlarm ?? evaluationPeriods,
    TreatMissingData: 'notBreaching',
    Metrics: [
      traceCount('failed', companionName, period),
      traceCount('traces', groupName, period),
      { Id: 'ratio', Expression: 'IF(traces > 0, failed / traces, 0)', Label: `${metric} ratio of ${groupName}`, ReturnData: true },
    ],
  };
}

function desiredGroup(owner: MonitoringOwner, specName: string, filterExpression: string, settings: GroupSettingsSpec): DesiredGroup {
  const insights = settings.insights ?? {};
  const own: OwnedGroup = {
    specName,
    group: {
      GroupName: xrayRuleName(owner, specName),
      FilterExpression: filterExpression,
      InsightsConfiguration: { InsightsEnabled: insights.enabled ?? false, NotificationsEnabled: insights.notifications ?? false },
    },
    tags: ownerTags(owner),
  };
  if (!settings.faultAlarm) return own;
  const companion = faultCompanion(owner, own, settings.faultAlarm.metric ?? AlarmDefaults.metric);
  return { ...own, companion, alarm: faultAlarm(owner, specName, own.group.GroupName, companion.group.GroupName, settings.faultAlarm) };
}

/** Every X-Ray group the owner wants, fault companions right after their group. */
export function ownedGroups(desired: DesiredMonitoring): OwnedGroup[] {
  return desired.groups.flatMap(({ specName, group, tags, companion }) => [{ specName, group, tags }, ...(companion ? [companion] : [])]);
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
