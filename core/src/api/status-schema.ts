// Schema of XRayTracing status (written by the controller through the status subresource).
import type { JSONSchema } from './schema-builders.js';
import { bool, int, list, obj, str, stringMap } from './schema-builders.js';

const conditionSchema = obj(
  'A condition of the XRayTracing (Kubernetes condition conventions).',
  {
    type: str('Ready, CollectorConfigReady, SamplingRulesSynced, …', { maxLength: 316 }),
    status: str('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    reason: str('Machine-readable reason in CamelCase.', { maxLength: 1024 }),
    message: str('Human-readable explanation.', { maxLength: 32768 }),
    lastTransitionTime: str('When the status last changed.', { format: 'date-time' }),
    observedGeneration: int('The metadata.generation the condition was computed from.', { minimum: 0 }),
  },
  { required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'] },
);

const ownedRuleSchema = obj(
  'An X-Ray sampling rule the operator owns for this XRayTracing.',
  {
    name: str('Name of the rule in the XRayTracing.'),
    ruleName: str('Name of the rule in X-Ray.'),
    ruleARN: str('ARN of the rule in X-Ray.'),
  },
  { required: ['name', 'ruleName'] },
);

const stateCounts = (what: string): JSONSchema =>
  obj(`${what} by state.`, {
    selected: int(`${what} this XRayTracing selects (annotation or selector) or that carry its injection.`, { minimum: 0 }),
    current: int('Injected with the config this XRayTracing renders now.', { minimum: 0 }),
    outdated: int('Injected with an earlier config; a roll brings them up to date.', { minimum: 0 }),
    skipped: int('Opted in; the webhook recorded why it did not inject (xray-operator.dev/injection-skipped).', { minimum: 0 }),
    uninjected: int('Opted in, with no record from the webhook: admitted while it was unreachable.', { minimum: 0 }),
  });

const fleetSchema = obj('Which pods and workloads this XRayTracing covers, and how (docs/operations.md).', {
  pods: stateCounts('Pods'),
  skippedReasons: stringMap('Skipped pods by reason code.', 32, int('Pods skipped for this reason.', { minimum: 0 })),
  workloads: stateCounts('Workloads (a workload counts by its least advanced pod)'),
  workloadList: list(
    'Workloads, those needing attention first (uninjected, skipped, outdated, current).',
    obj(
      'A workload and the state of its pods.',
      {
        kind: str('Deployment, StatefulSet, DaemonSet, CronJob, Job, ReplicaSet or Pod.'),
        name: str('Its name.'),
        state: str('Its least advanced pod state.', { enum: ['current', 'outdated', 'skipped', 'uninjected'] }),
        pods: int('Its selected pods.', { minimum: 0 }),
        reason: str('The skip reason, when state is skipped.'),
      },
      { required: ['kind', 'name', 'state', 'pods'] },
    ),
    20,
  ),
  moreWorkloads: int('Workloads left out of workloadList.', { minimum: 0 }),
  rolledBack: int('Workloads rolled back to uninstrumented after their injected pods crashed (annotated xray-operator.dev/rolled-back).', { minimum: 0 }),
});

const rolloutsSchema = obj("The namespace's operator-caused rollouts (spec.rollout.maxConcurrent; docs/operations.md).", {
  inProgress: int('Rollouts the operator started that have not become available yet (within their deadline).', { minimum: 0 }),
  queued: int('Workloads waiting for a place in the rollout budget.', { minimum: 0 }),
  queuedList: list(
    'The first queued workloads, in the order they will start.',
    obj(
      'A workload waiting to be rolled.',
      {
        kind: str('Deployment, StatefulSet or DaemonSet.'),
        name: str('Its name.'),
        reason: str('Why the operator rolls it: config-changed, missed-injection, opt-in, rollback, rollback-cleared.'),
      },
      { required: ['kind', 'name', 'reason'] },
    ),
    20,
  ),
  moreQueued: int('Queued workloads left out of queuedList.', { minimum: 0 }),
});

// --- Monitoring (issue 16) ---
const itemState = str('Synced: AWS holds what the spec asks. Pending: not reached yet. Failed: refused (see message).', { enum: ['Synced', 'Pending', 'Failed'] });

const ownedGroupSchema = obj(
  'An X-Ray group the operator owns for this XRayTracing, with its fault alarm.',
  {
    name: str('Name of the group in the XRayTracing (default: the namespace\'s group).'),
    groupName: str('Name of the group in X-Ray.'),
    groupARN: str('ARN of the group in X-Ray.'),
    filterExpression: str('The filter expression X-Ray holds.'),
    insights: obj('The Insights configuration X-Ray accepted.', {
      enabled: bool('InsightsEnabled as X-Ray holds it.'),
      notifications: bool('NotificationsEnabled as X-Ray holds it.'),
    }),
    state: itemState,
    message: str('Why the group is not Synced.'),
    alarm: obj(
      'The CloudWatch fault alarm of the group.',
      {
        alarmName: str('Name of the alarm in CloudWatch.'),
        alarmARN: str('ARN of the alarm.'),
        companionGroupName: str("Name in X-Ray of the group's fault companion: the group's filter AND fault (or error); its ApproximateTraceCount is the alarm's failed count."),
        companionGroupARN: str('ARN of the fault companion group.'),
        companionFilterExpression: str('The filter expression X-Ray holds for the fault companion.'),
        state: itemState,
        message: str('Why the alarm is not Synced (or its fault companion group, when that is refused).'),
      },
      { required: ['alarmName', 'companionGroupName', 'state'] },
    ),
  },
  { required: ['name', 'groupName', 'state'] },
);

const monitoringStatusSchema = obj('X-Ray groups and CloudWatch fault alarms the operator owns for this XRayTracing.', {
  groups: list('The groups, the namespace\'s default group first.', ownedGroupSchema, 16),
});
// --- end of monitoring ---

export const statusSchema: JSONSchema = obj('Observed state, written by the operator.', {
  observedGeneration: int('The metadata.generation the status was computed from.', { minimum: 0 }),
  conditions: list('Current conditions.', conditionSchema, 16, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  samplingRules: list('X-Ray sampling rules the operator owns for this XRayTracing.', ownedRuleSchema, 32),
  exportMode: str('The exporter injected pods use: collector.exporter, with auto resolved from the account (always otlp with collector.mode none).', { enum: ['otlp', 'xray'] }),
  clusterName: str('Cluster name the owned X-Ray sampling rules are tagged with (the operator refuses to change it silently).'),
  injectedWorkloads: int('Workloads whose pods run with the injection of this XRayTracing.', { minimum: 0 }),
  fleet: fleetSchema,
  rollouts: rolloutsSchema,
  pods: str('For kubectl get: pods injected with the current config / pods selected.'),
  configHash: str('Hash of the injection config pods are compared against.'),
  sampling: str('Summary shown by kubectl get: centralized (N rules) or local (ratio).'),
  lastError: str('The last error the operator met while reconciling.'),
  monitoring: monitoringStatusSchema,
});
