// The XRayTracing v1alpha1 API as TypeScript types. The CRD schema (core/src/api/schema.ts → crds/) describes
// the same shape; validation (core/src/api/validate.ts) checks an object against it and applies defaults.
import type { LabelSelector } from '../selection/label-selector.js';

export type Quantity = string;

export interface ResourceRequirements {
  requests?: { cpu?: Quantity; memory?: Quantity };
  limits?: { cpu?: Quantity; memory?: Quantity };
}

export interface EnvVarSpec {
  name: string;
  value?: string;
}

export type Propagator = 'tracecontext' | 'baggage' | 'xray' | 'b3' | 'b3multi';

export interface ServiceNamingSpec {
  /** Pod labels tried in order for the service name. Default: app.kubernetes.io/name, app. */
  labelKeys?: string[];
  /** Prefix the service name with the namespace (`shop.checkout`), so X-Ray groups do not mix namespaces. */
  prefixWithNamespace?: boolean;
}

export interface InstrumentationSpec {
  image?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Instrumentation short names (`http`, `express`…) for OTEL_NODE_ENABLED_INSTRUMENTATIONS; empty = the defaults. */
  enabledInstrumentations?: string[];
  /** For OTEL_NODE_DISABLED_INSTRUMENTATIONS. Default: fs, dns. */
  disabledInstrumentations?: string[];
  resources?: ResourceRequirements;
  /** sizeLimit of the emptyDir that holds the preload. */
  volumeSizeLimit?: Quantity;
  /** Extra env for the instrumented containers (never overrides the user's own). */
  env?: EnvVarSpec[];
  /** Trace ID format: xray (default; timestamped) or w3c (random; only the OTLP export accepts it). */
  traceIds?: 'xray' | 'w3c';
  /** Express middleware/router layers and Fastify hooks as spans of their own (default false: request, route and handler spans only). */
  middlewareSpans?: boolean;
}

export interface BatchSpec {
  timeout?: string;
  sendBatchSize?: number;
}

export interface CollectorSpec {
  /**
   * sidecar: an ADOT collector in every pod. gateway: pods export to `endpoint`, no sidecar. none: no collector at all;
   * the preload exports straight to X-Ray's OTLP endpoint and polls the X-Ray sampling API, signing with the pod's own
   * AWS credentials (needs Transaction Search).
   */
  mode?: CollectorMode;
  /**
   * OTLP/HTTP endpoint of a shared (gateway) collector. Gateway mode: where every pod exports (required). Sidecar mode:
   * where pods without a sidecar export (hostNetwork, a port clash, run-to-completion pods without native sidecars,
   * `inject-sidecar: "false"`); unset, such pods are not injected (or, with `inject-sidecar: "false"`, export to
   * localhost).
   */
  endpoint?: string;
  /**
   * X-Ray sampling proxy of that collector, for centralized sampling in pods without a sidecar (required in gateway
   * mode with centralized sampling). Unset in sidecar mode, pods without a sidecar sample locally at
   * `sampling.fixedRate`.
   */
  samplingEndpoint?: string;
  image?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Native sidecar (init container with restartPolicy Always, Kubernetes ≥ 1.29). false: a regular container. */
  nativeSidecar?: boolean;
  region?: string;
  /** Override of the X-Ray API endpoint (VPC endpoints, FIPS, local emulators) for the exporter and the sampling proxy, or the preload (mode none). */
  awsEndpoint?: string;
  resources?: ResourceRequirements;
  indexedAttributes?: string[];
  indexAllAttributes?: boolean;
  batch?: BatchSpec;
  /** Also receive legacy X-Ray SDK segments on UDP localhost:2000. */
  legacyXRayReceiver?: boolean;
  /** Debug exporter, verbose collector logs, console spans in the app. */
  debug?: boolean;
  /**
   * Where the collector sends spans. otlp: X-Ray's OTLP endpoint (SigV4; needs Transaction Search); xray: the awsxray
   * exporter (PutTraceSegments); auto: otlp when the account's Transaction Search is active, xray otherwise.
   */
  exporter?: ExporterChoice;
}

export type CollectorMode = 'sidecar' | 'gateway' | 'none';
export type ExporterChoice = 'auto' | 'otlp' | 'xray';
/** The exporter a pod's collector actually uses: `exporter`, with auto decided by the account's state. */
export type ExportMode = 'otlp' | 'xray';

export interface SamplingRuleSpec {
  /** Short name; the X-Ray rule name is derived from it (≤ 32 characters in all). */
  name: string;
  priority: number;
  fixedRate: number;
  reservoirSize: number;
  serviceName?: string;
  httpMethod?: string;
  urlPath?: string;
  host?: string;
  attributes?: Record<string, string>;
  /** X-Ray adaptive sampling (SamplingRateBoost). */
  samplingRateBoost?: { maxRate: number; cooldownWindowMinutes: number };
}

export interface SamplingSpec {
  /** centralized: X-Ray sampling rules + the remote sampler via the sidecar's proxy. local: a parent-based ratio. */
  mode?: 'centralized' | 'local';
  /** Ratio for local mode, and the namespace's catch-all rule in centralized mode. */
  fixedRate?: number;
  /** Reservoir (traces/s) of the namespace's catch-all rule in centralized mode. */
  reservoirSize?: number;
  /** How often pods poll the rules (seconds, ≥ 10). */
  pollingIntervalSeconds?: number;
  rules?: SamplingRuleSpec[];
}

/** Crash-loop rollback: injected pods that crash or never get Ready, where the uninjected ones were healthy. */
export interface RollbackSpec {
  /** Roll such a workload back to uninstrumented pods (and keep it so until a person or a new config says otherwise). */
  enabled?: boolean;
  /** Restarts of an app container in an injected pod that make it a crash loop. */
  maxRestarts?: number;
  /** Seconds an injected pod may stay not Ready after it was created. */
  readinessTimeoutSeconds?: number;
}

export interface RolloutSpec {
  /** Roll injected workloads when a change needs new pods (image, collector config, env). */
  restartOnChange?: boolean;
  /** Rollouts the operator may have running at once in this namespace (the installation also caps the cluster). */
  maxConcurrent?: number;
  /** Seconds a rollout the operator started holds its place in the budget at most, finished or not. */
  progressDeadlineSeconds?: number;
  rollback?: RollbackSpec;
}

// --- Monitoring (issue 16): X-Ray groups, their Insights and fault alarms ---

export interface InsightsSpec {
  /** X-Ray Insights (anomaly detection) for the group. */
  enabled?: boolean;
  /** Insights notifications (EventBridge); only with enabled. */
  notifications?: boolean;
}

export interface FaultAlarmSpec {
  /** faults: traces with a 5xx response; errors: 4xx; over all traces of the group (counted by its fault companion). */
  metric?: 'faults' | 'errors';
  /** The ratio (0 to 1) above which a period counts as breaching. */
  threshold: number;
  periodSeconds?: number;
  evaluationPeriods?: number;
  /** Breaching periods among evaluationPeriods that set off the alarm; default all of them. */
  datapointsToAlarm?: number;
  /** SNS topics notified when the alarm fires. */
  snsTopicArns?: string[];
}

export interface GroupSettingsSpec {
  insights?: InsightsSpec;
  faultAlarm?: FaultAlarmSpec;
}

export interface GroupSpec extends GroupSettingsSpec {
  /** Short name; the X-Ray group name is derived from it (≤ 32 characters in all). */
  name: string;
  /** X-Ray filter expression selecting the group's traces. */
  filterExpression: string;
}

export interface MonitoringSpec {
  /** The namespace's own group (every trace through this namespace's injected pods), when set. */
  defaultGroup?: GroupSettingsSpec;
  groups?: GroupSpec[];
}

export interface OwnedAlarmStatus {
  alarmName: string;
  alarmARN?: string;
  /** The group whose trace count is the alarm's failed count: the group's filter AND fault (or error). */
  companionGroupName: string;
  companionGroupARN?: string;
  /** The companion's filter as X-Ray holds it. */
  companionFilterExpression?: string;
  state: MonitoringItemState;
  message?: string;
}

/** Synced: X-Ray / CloudWatch hold what the spec asks; Pending: not reached yet; Failed: refused (see message). */
export type MonitoringItemState = 'Synced' | 'Pending' | 'Failed';

export interface OwnedGroupStatus {
  /** Name in the CR (`default` for the namespace's group). */
  name: string;
  /** Name in X-Ray. */
  groupName: string;
  groupARN?: string;
  /** What X-Ray holds (GetGroups / CreateGroup / UpdateGroup answer). */
  filterExpression?: string;
  insights?: { enabled: boolean; notifications: boolean };
  state: MonitoringItemState;
  message?: string;
  alarm?: OwnedAlarmStatus;
}

export interface MonitoringStatus {
  groups: OwnedGroupStatus[];
}

// --- end of monitoring ---

export interface XRayTracingSpec {
  /** Pods whose labels (their template's) match are selected without an annotation (docs/selection.md). */
  selector?: LabelSelector;
  /** Every pod of the namespace is selected without an annotation. */
  selectAll?: boolean;
  /** Left out of selector and selectAll (and of a namespace-wide opt-in to this XRayTracing). */
  exclude?: ExcludeSpec;
  serviceNaming?: ServiceNamingSpec;
  resourceAttributes?: Record<string, string>;
  propagators?: Propagator[];
  instrumentation?: InstrumentationSpec;
  collector?: CollectorSpec;
  sampling?: SamplingSpec;
  rollout?: RolloutSpec;
  monitoring?: MonitoringSpec;
}

// What spec.exclude names (docs/selection.md; core/src/selection/tracing-selection.ts decides).
export type SelectableWorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'CronJob';

export interface WorkloadNameSpec {
  name: string;
  /** Absent: a workload of any kind with that name. */
  kind?: SelectableWorkloadKind;
}

export interface ExcludeSpec {
  /** Pods (pod templates) whose labels match are not selected. */
  selector?: LabelSelector;
  workloads?: WorkloadNameSpec[];
}

export interface Condition {
  /** Ready, CollectorConfigReady or SamplingRulesSynced. */
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface OwnedSamplingRule {
  /** Name in the CR. */
  name: string;
  /** Name in X-Ray. */
  ruleName: string;
  ruleARN?: string;
}

export interface XRayTracingStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  samplingRules?: OwnedSamplingRule[];
  /** The exporter injected pods use (collector.exporter, auto resolved from the account's trace segment destination). */
  exportMode?: ExportMode;
  /** Cluster name the owned rules are tagged with. */
  clusterName?: string;
  injectedWorkloads?: number;
  /** Pods and workloads this XRayTracing covers, by state (core/src/fleet/fleet-status.ts). */
  fleet?: FleetStatus;
  /** Operator-caused rollouts of this namespace: running and queued (core/src/rollout/pacing.ts). */
  rollouts?: RolloutsStatus;
  /** `current/selected` pods, for kubectl get. */
  pods?: string;
  /** Hash of the injection config pods are compared against. */
  configHash?: string;
  /** Summary shown in `kubectl get xrt`: centralized (N rules) / local (ratio). */
  sampling?: string;
  lastError?: string;
  /** X-Ray groups and fault alarms this XRayTracing owns. */
  monitoring?: MonitoringStatus;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  finalizers?: string[];
  deletionTimestamp?: string | Date;
  creationTimestamp?: string | Date;
}

export interface XRayTracing {
  apiVersion: 'tracing.xray-operator.dev/v1alpha1';
  kind: 'XRayTracing';
  metadata: ObjectMeta;
  spec: XRayTracingSpec;
  status?: XRayTracingStatus;
}

/** A spec with every default filled in: what the core functions work from. */
export type ResolvedSpec = {
  serviceNaming: Required<ServiceNamingSpec>;
  resourceAttributes: Record<string, string>;
  propagators: Propagator[];
  instrumentation: Required<Omit<InstrumentationSpec, 'enabledInstrumentations'>> & { enabledInstrumentations: string[] };
  collector: Required<Omit<CollectorSpec, 'endpoint' | 'samplingEndpoint' | 'region' | 'awsEndpoint' | 'batch'>> & {
    batch: Required<BatchSpec>;
    /** `exporter` resolved: auto becomes what status.exportMode says the account supports (xray until known). */
    export: ExportMode;
    endpoint?: string;
    awsEndpoint?: string;
    samplingEndpoint?: string;
    region?: string;
  };
  sampling: Required<Omit<SamplingSpec, 'rules'>> & { rules: SamplingRuleSpec[] };
  rollout: Required<Omit<RolloutSpec, 'rollback'>> & { rollback: Required<RollbackSpec> };
  monitoring: { defaultGroup?: GroupSettingsSpec; groups: GroupSpec[] };
};

// The fleet part of status (core/src/fleet/fleet-status.ts computes it).
export type PodState = 'current' | 'outdated' | 'skipped' | 'uninjected';

export interface PodCounts {
  /** Pods this XRayTracing selects (annotation or selector) or that carry its injection. */
  selected: number;
  /** Injected with the config the XRayTracing renders now. */
  current: number;
  /** Injected with an earlier config: a roll brings them up to date. */
  outdated: number;
  /** Opted in, and the webhook recorded why it did not inject them. */
  skipped: number;
  /** Opted in, with no record from the webhook: admitted while it was unreachable. */
  uninjected: number;
}

export interface WorkloadState {
  kind: string;
  name: string;
  /** The least advanced state among its pods: uninjected < skipped < outdated < current. */
  state: PodState;
  pods: number;
  /** The skip reason, when its state is skipped. */
  reason?: string;
}

export interface FleetStatus {
  pods: PodCounts;
  /** Pods skipped, by reason code. */
  skippedReasons: Record<string, number>;
  workloads: { selected: number; current: number; outdated: number; skipped: number; uninjected: number };
  /** The workloads, those needing attention first, at most `limit`. */
  workloadList: WorkloadState[];
  /** Workloads left out of workloadList. */
  moreWorkloads: number;
  /** Workloads the operator rolled back to uninstrumented after their injected pods crashed (core/src/rollout/rollback.ts). */
  rolledBack?: number;
}

export interface QueuedRollout {
  kind: string;
  name: string;
  /** Why the operator wants to roll it (config-changed, missed-injection, opt-in, rollback…). */
  reason: string;
}

export interface RolloutsStatus {
  /** Rollouts the operator started that have not finished yet (within their deadline). */
  inProgress: number;
  /** Workloads waiting for a place in the rollout budget. */
  queued: number;
  /** The first of them, in the order they will start. */
  queuedList: QueuedRollout[];
  /** Queued workloads left out of queuedList. */
  moreQueued: number;
}
