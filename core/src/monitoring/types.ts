// Shapes of X-Ray groups and their CloudWatch fault alarms as the core plans them. Field names are the AWS APIs'
// (PascalCase) so the operator hands them to @aws-sdk/client-xray and @aws-sdk/client-cloudwatch unchanged.
import type { SamplingRuleOwner } from '../sampling/types.js';

/** The XRayTracing a group or alarm belongs to: the same identity (and tags) as its sampling rules. */
export type MonitoringOwner = SamplingRuleOwner;

export interface XRayInsights {
  InsightsEnabled: boolean;
  NotificationsEnabled: boolean;
}

/** An X-Ray group (CreateGroup / UpdateGroup / GetGroups). */
export interface XRayGroup {
  GroupName: string;
  GroupARN?: string;
  FilterExpression: string;
  InsightsConfiguration: XRayInsights;
}

/** One query of a metric-math alarm (PutMetricAlarm Metrics[]). */
export interface AlarmMetricQuery {
  Id: string;
  ReturnData: boolean;
  Label?: string;
  Expression?: string;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
  };
}

/** A CloudWatch metric alarm (PutMetricAlarm), the fields the operator sets. */
export interface CloudWatchAlarm {
  AlarmName: string;
  AlarmArn?: string;
  AlarmDescription: string;
  ActionsEnabled: boolean;
  AlarmActions: string[];
  ComparisonOperator: 'GreaterThanThreshold';
  Threshold: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  TreatMissingData: 'notBreaching';
  Metrics: AlarmMetricQuery[];
}

/**
 * One X-Ray group the operator owns: a declared group, or the fault companion of one (its filter AND fault/error, so
 * its ApproximateTraceCount counts the failed traces; X-Ray publishes no other per-group metric).
 */
export interface OwnedGroup {
  /** Name of the group in the XRayTracing (`default` for the namespace's group) this X-Ray group serves. */
  specName: string;
  group: XRayGroup;
  /** Tags it is created with: the owner's, plus the companion marker on a fault companion. */
  tags: Record<string, string>;
}

export interface DesiredGroup extends OwnedGroup {
  /** Its fault alarm and the companion group the alarm divides by the group, when the spec asks for one. */
  alarm?: CloudWatchAlarm;
  companion?: OwnedGroup;
}

export interface DesiredMonitoring {
  owner: MonitoringOwner;
  /** Tags every group and alarm of this owner carries (fault companions one more). */
  tags: Record<string, string>;
  /** Suffix of every X-Ray group name of this owner (as its sampling rules'). */
  groupNameSuffix: string;
  /** Prefix of every CloudWatch alarm name of this owner: DescribeAlarms lists them by it. */
  alarmNamePrefix: string;
  groups: DesiredGroup[];
}

/** Something read from AWS with its tags. */
export interface Observed<T> {
  item: T;
  tags: Record<string, string>;
}

export interface GroupUpdate {
  desired: OwnedGroup;
  current: Observed<XRayGroup>;
  /** Fields that differ, for logs. */
  changed: string[];
}

export interface GroupSyncPlan {
  /** Owned groups gone from the spec. */
  deletes: Observed<XRayGroup>[];
  updates: GroupUpdate[];
  creates: OwnedGroup[];
  /** Desired names taken by a group this owner does not own: never touched, reported. */
  conflicts: string[];
  unchanged: Observed<XRayGroup>[];
}

export interface AlarmSyncPlan {
  /** Owned alarms whose group is gone or no longer asks for one. */
  deletes: Observed<CloudWatchAlarm>[];
  /** Alarms to create or to put again because they drifted (PutMetricAlarm replaces the whole alarm). */
  puts: { alarm: CloudWatchAlarm; specName: string; exists: boolean }[];
  conflicts: string[];
  unchanged: Observed<CloudWatchAlarm>[];
}
