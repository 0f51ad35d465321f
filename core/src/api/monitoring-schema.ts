// Schema of spec.monitoring: X-Ray groups, their Insights and CloudWatch fault alarms (docs/monitoring.md). Kept apart
// from schema.ts so the sampling, collector and monitoring parts of the API grow without stepping on each other.
import type { JSONSchema } from './schema-builders.js';
import { bool, int, list, num, obj, str } from './schema-builders.js';

/** Limits of groups and alarms, shared by the schema, validation and the planner. */
export const MonitoringLimits = {
  /** A short name leaves room for `-<hash8>` in X-Ray's 32-character GroupName (as sampling rule names). */
  groupNameMaxLength: 23,
  groupNamePattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  /** Short name of the namespace's own group; users cannot take it. */
  defaultGroupName: 'default',
  /** Groups per XRayTracing besides the default one. X-Ray's group quota is per account and region. */
  maxGroups: 5,
  /** Bounds the CRD's CEL cost; X-Ray documents no length limit of its own. */
  filterExpressionMaxLength: 2000,
  /** CloudWatch allows 5 actions per alarm state. */
  maxAlarmActions: 5,
  /** X-Ray publishes group metrics per minute: a shorter period would see no data. */
  minPeriodSeconds: 60,
  maxPeriodSeconds: 86_400,
  /** CloudWatch: evaluationPeriods × period at most one day for periods of a minute or less (kept for all). */
  maxEvaluationSeconds: 86_400,
  maxEvaluationPeriods: 1440,
} as const;

/** What an alarm spec leaves out (not schema defaults: they would be written into every list item). */
export const AlarmDefaults = { metric: 'faults', periodSeconds: 60, evaluationPeriods: 5 } as const;

/** An SNS topic ARN (partition aws, aws-cn, aws-us-gov…). */
export const SNS_TOPIC_ARN_PATTERN = '^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$';

const insightsSchema = obj(
  'X-Ray Insights for the group: anomaly detection on its fault rate (InsightsConfiguration).',
  {
    enabled: bool('Turn Insights on for the group (InsightsEnabled). Default: false.'),
    notifications: bool('Send Insights notifications through Amazon EventBridge (NotificationsEnabled); needs enabled. Default: false.'),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: '!has(self.notifications) || !self.notifications || (has(self.enabled) && self.enabled)',
        message: 'insights.notifications needs insights.enabled: X-Ray only notifies for groups with Insights on',
        fieldPath: '.notifications',
        reason: 'FieldValueInvalid',
      },
    ],
  },
);

const { minPeriodSeconds, maxPeriodSeconds, maxEvaluationSeconds, maxEvaluationPeriods } = MonitoringLimits;

const faultAlarmSchema = obj(
  "A CloudWatch alarm on the ratio of faulted (or errored) traces to all traces of the group, per period: ApproximateTraceCount (namespace AWS/X-Ray, dimension GroupName) of a fault companion group the operator owns (the group's filter AND fault, or error) over the group's own.",
  {
    metric: str("faults (default): traces with a 5xx response (filter keyword fault) over all traces of the group. errors: traces with a 4xx response (error). Counted by the group's fault companion group (docs/monitoring.md).", {
      enum: ['faults', 'errors'],
    }),
    threshold: num('The ratio, 0 to 1, above which a period breaches (0.05: more than 5% of traces).', { minimum: 0, maximum: 1 }),
    periodSeconds: int(`Length of one period in seconds, a multiple of 60 (X-Ray publishes group metrics per minute), ${minPeriodSeconds} to ${maxPeriodSeconds}. Default: ${AlarmDefaults.periodSeconds}.`, {
      minimum: minPeriodSeconds,
      maximum: maxPeriodSeconds,
    }),
    evaluationPeriods: int(`Periods the alarm looks back over. Default: ${AlarmDefaults.evaluationPeriods}.`, { minimum: 1, maximum: maxEvaluationPeriods }),
    datapointsToAlarm: int('Breaching periods among evaluationPeriods that set the alarm off. Default: all of them.', { minimum: 1, maximum: maxEvaluationPeriods }),
    snsTopicArns: list(
      'SNS topics notified when the alarm goes off (AlarmActions). Empty: the alarm only changes state.',
      str('An SNS topic ARN.', { maxLength: 300, pattern: SNS_TOPIC_ARN_PATTERN }),
      MonitoringLimits.maxAlarmActions,
      { 'x-kubernetes-list-type': 'set' },
    ),
  },
  {
    required: ['threshold'],
    'x-kubernetes-validations': [
      { rule: '!has(self.periodSeconds) || int(self.periodSeconds) % 60 == 0', message: 'faultAlarm.periodSeconds must be a multiple of 60', fieldPath: '.periodSeconds', reason: 'FieldValueInvalid' },
      {
        rule: `(has(self.periodSeconds) ? int(self.periodSeconds) : ${AlarmDefaults.periodSeconds}) * (has(self.evaluationPeriods) ? int(self.evaluationPeriods) : ${AlarmDefaults.evaluationPeriods}) <= ${maxEvaluationSeconds}`,
        message: 'faultAlarm.periodSeconds × evaluationPeriods must be at most one day (86400 seconds)',
        fieldPath: '.evaluationPeriods',
        reason: 'FieldValueInvalid',
      },
      {
        rule: `!has(self.datapointsToAlarm) || int(self.datapointsToAlarm) <= (has(self.evaluationPeriods) ? int(self.evaluationPeriods) : ${AlarmDefaults.evaluationPeriods})`,
        message: 'faultAlarm.datapointsToAlarm must not exceed evaluationPeriods',
        fieldPath: '.datapointsToAlarm',
        reason: 'FieldValueInvalid',
      },
    ],
  },
);

const groupSettings = { insights: insightsSchema, faultAlarm: faultAlarmSchema };

const groupSchema = obj(
  'An X-Ray group: a named filter expression. X-Ray shows it as a filter in the trace map and traces, and publishes its metrics to CloudWatch.',
  {
    name: str(
      `Short name (lowercase letters, digits, -). The X-Ray group is named <name>-<hash of cluster/namespace/XRayTracing>. "${MonitoringLimits.defaultGroupName}" is reserved for defaultGroup.`,
      { minLength: 1, maxLength: MonitoringLimits.groupNameMaxLength, pattern: MonitoringLimits.groupNamePattern },
    ),
    filterExpression: str('X-Ray filter expression selecting the traces of the group, e.g. service("shop.checkout") { fault }.', {
      minLength: 1,
      maxLength: MonitoringLimits.filterExpressionMaxLength,
    }),
    ...groupSettings,
  },
  {
    required: ['name', 'filterExpression'],
    'x-kubernetes-validations': [
      {
        rule: `self.name != '${MonitoringLimits.defaultGroupName}'`,
        message: `group name "${MonitoringLimits.defaultGroupName}" is reserved for the namespace's group (set monitoring.defaultGroup instead)`,
        fieldPath: '.name',
        reason: 'FieldValueInvalid',
      },
    ],
  },
);

export const monitoringSchema: JSONSchema = obj('X-Ray groups, their Insights and CloudWatch fault alarms, owned by this XRayTracing (docs/monitoring.md).', {
  defaultGroup: obj(
    "The namespace's own X-Ray group, named default-<hash>: every trace with a segment from this namespace's injected pods (filter on the namespace annotation, which the collector is then told to index), services added later included.",
    groupSettings,
  ),
  groups: list('Further X-Ray groups, each with its own filter expression.', groupSchema, MonitoringLimits.maxGroups, {
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
  }),
});
