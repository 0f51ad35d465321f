// Every public name the webhook, controller, preload and chart agree on lives here.

export const API_GROUP = 'tracing.xray-operator.dev';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
export const XRAY_TRACING_KIND = 'XRayTracing';
export const XRAY_TRACING_PLURAL = 'xraytracings';
export const XRAY_TRACING_SHORT_NAME = 'xrt';
/** The XRayTracing that `inject-nodejs: "true"` picks when a namespace has several. */
export const DEFAULT_TRACING_NAME = 'default';

/** Prefix of every annotation the operator reads or writes. */
export const ANNOTATION_PREFIX = 'xray-operator.dev/';
export const Annotations = {
  /** "true", "false", or the name of an XRayTracing in the same namespace. */
  injectNodejs: `${ANNOTATION_PREFIX}inject-nodejs`,
  containerNames: `${ANNOTATION_PREFIX}container-names`,
  injectSidecar: `${ANNOTATION_PREFIX}inject-sidecar`,
  serviceName: `${ANNOTATION_PREFIX}service-name`,
  /** Written by the webhook: `<xrayTracingName>/<configHash>`. */
  injected: `${ANNOTATION_PREFIX}injected`,
  /** Written by the webhook on an opted-in pod it did not inject: why, as a SkipReason code (`kubectl get pods -L`). */
  injectionSkipped: `${ANNOTATION_PREFIX}injection-skipped`,
  /** Written by the webhook: the Node.js preload image (tag or digest) the pod's init container copies from. */
  preloadImage: `${ANNOTATION_PREFIX}preload-image`,
  /** Written by the controller on pod templates to roll a workload (like `kubectl rollout restart`). */
  restartedAt: `${ANNOTATION_PREFIX}restartedAt`,
  /** Written by the controller: why it last rolled the workload. */
  restartReason: `${ANNOTATION_PREFIX}restart-reason`,
  /** Written by the controller on pod templates it propagated the opt-in to. */
  propagatedFromWorkload: `${ANNOTATION_PREFIX}propagated-inject-nodejs`,
  /** Written by the controller on a workload: the `<xrayTracingName>/<configHash>` it last rolled the workload for. */
  rolledForConfig: `${ANNOTATION_PREFIX}rolled-for-config`,
  /**
   * Written by the controller on each selected Deployment, StatefulSet and DaemonSet (its metadata, never its pod
   * template): injected, outdated, uninjected, no-pods or skipped:<reason> (core/src/fleet/workload-record.ts).
   */
  tracingState: `${ANNOTATION_PREFIX}tracing-state`,
  /** Written by the controller on a workload: when it rolled it because pods were admitted without injection. */
  missedInjectionRolledAt: `${ANNOTATION_PREFIX}missed-injection-rolled-at`,
  /**
   * Written by the controller on a workload whose injected pods crashed while its uninjected ones were healthy, and
   * copied to its pod template: `<xrayTracingName>/<configHash>`. The webhook leaves such pods uninjected (skip reason
   * RolledBack) until a person removes it from the workload or the XRayTracing's config hash changes.
   */
  rolledBack: `${ANNOTATION_PREFIX}rolled-back`,
  /** Written with rolled-back: when the controller rolled the workload back. */
  rolledBackAt: `${ANNOTATION_PREFIX}rolled-back-at`,
  /** Written with rolled-back: what the injected pods did (CrashLoop or NotReady, and a message). */
  rolledBackReason: `${ANNOTATION_PREFIX}rolled-back-reason`,
  /**
   * Set by a person on an XRayTracing to the cluster name its rules are tagged with (status.clusterName): the
   * operator, now running under another clusterName, deletes those rules and recreates them under its own.
   */
  migrateFromCluster: `${ANNOTATION_PREFIX}migrate-from-cluster`,
  /**
   * Set by a person on an XRayTracing being deleted, "true": the finalizer is dropped without deleting the X-Ray
   * sampling rules (AWS unreachable, or the operator about to be uninstalled); an Event lists what stays behind.
   */
  skipCleanup: `${ANNOTATION_PREFIX}skip-cleanup`,
  defaultContainer: 'kubectl.kubernetes.io/default-container',
} as const;

export const Labels = {
  managedBy: 'app.kubernetes.io/managed-by',
  name: 'app.kubernetes.io/name',
  app: 'app',
  /** Set by the Deployment controller on a ReplicaSet's pods: the revision of the pod template. */
  podTemplateHash: 'pod-template-hash',
  /** Set by the StatefulSet and DaemonSet controllers on their pods: the revision of the pod template. */
  controllerRevisionHash: 'controller-revision-hash',
} as const;
export const MANAGED_BY_VALUE = 'xray-operator';

/** Names of what the engine adds to a pod. */
export const InjectedNames = {
  volume: 'xray-operator-nodejs',
  mountPath: '/xray-operator/nodejs',
  initContainer: 'xray-operator-nodejs-init',
  sidecarContainer: 'xray-adot-collector',
} as const;

/** Paths inside the instrumentation image (must match instrumentation-image/Dockerfile). */
export const InstrumentationImagePaths = {
  sourceDir: '/autoinstrumentation',
  /** The CommonJS loader every Node.js version can `--require`; it picks the right build and registers ESM hooks. */
  loaderFile: 'autoinstrumentation.js',
} as const;

export const PRELOAD_PATH = `${InjectedNames.mountPath}/${InstrumentationImagePaths.loaderFile}`;
export const NODE_OPTIONS_PRELOAD = `--require ${PRELOAD_PATH}`;

export const DEFAULT_INSTRUMENTATION_IMAGE = 'ghcr.io/xray-operator/nodejs-instrumentation:0.1.0';
export const DEFAULT_COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0';

/** Ports the sidecar serves on the pod's loopback. */
export const CollectorPorts = {
  otlpGrpc: 4317,
  otlpHttp: 4318,
  /** TCP: the X-Ray sampling proxy (awsproxy); UDP: legacy X-Ray SDK segments (awsxray receiver). */
  xray: 2000,
  health: 13133,
} as const;

/** Env var the sidecar reads its config from (`--config=env:…`). */
export const COLLECTOR_CONFIG_ENV = 'XRAY_OPERATOR_COLLECTOR_CONFIG';

/** The value of Env.exportMode for pods without a collector. */
export const DIRECT_EXPORT = 'direct';

/** Operator-owned sampling rules match this attribute; the preload's sampler supplies it from the resource (not on spans). */
export const SAMPLING_NAMESPACE_ATTRIBUTE = 'k8s.namespace.name';

/** Env var names the engine writes and the preload reads. */
export const Env = {
  nodeOptions: 'NODE_OPTIONS',
  serviceName: 'OTEL_SERVICE_NAME',
  resourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
  podName: 'OTEL_RESOURCE_ATTRIBUTES_POD_NAME',
  podUid: 'OTEL_RESOURCE_ATTRIBUTES_POD_UID',
  nodeName: 'OTEL_RESOURCE_ATTRIBUTES_NODE_NAME',
  propagators: 'OTEL_PROPAGATORS',
  tracesSampler: 'OTEL_TRACES_SAMPLER',
  tracesSamplerArg: 'OTEL_TRACES_SAMPLER_ARG',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  otlpProtocol: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  tracesExporter: 'OTEL_TRACES_EXPORTER',
  metricsExporter: 'OTEL_METRICS_EXPORTER',
  logsExporter: 'OTEL_LOGS_EXPORTER',
  enabledInstrumentations: 'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
  disabledInstrumentations: 'OTEL_NODE_DISABLED_INSTRUMENTATIONS',
  logLevel: 'OTEL_LOG_LEVEL',
  xrayDaemonAddress: 'AWS_XRAY_DAEMON_ADDRESS',
  /** Set by the engine to "true" when the CR's debug switch is on: the preload also prints spans to the console. */
  debug: 'XRAY_OPERATOR_DEBUG',
  /** Standard OTel switch; the preload loads nothing when it is "true". */
  sdkDisabled: 'OTEL_SDK_DISABLED',
  /** "w3c": the preload makes random W3C trace IDs instead of X-Ray's timestamped ones (default "xray"). */
  traceIds: 'XRAY_OPERATOR_TRACE_IDS',
  /**
   * "direct" (collector.mode none): the preload exports to X-Ray's OTLP endpoint and polls the X-Ray sampling API
   * itself, SigV4-signed with the pod's credentials (the AWS SDK's default chain).
   */
  exportMode: 'XRAY_OPERATOR_EXPORT',
  /** Direct export: the X-Ray region (collector.region); unset, the preload uses AWS_REGION, then AWS_DEFAULT_REGION. */
  xrayRegion: 'XRAY_OPERATOR_XRAY_REGION',
  /** Direct export: the X-Ray endpoint (collector.awsEndpoint); unset, https://xray.<region>.amazonaws.com. */
  xrayEndpoint: 'XRAY_OPERATOR_XRAY_ENDPOINT',
  /** "true": the preload makes spans of Express middleware/router layers and Fastify hooks (default: none). */
  middlewareSpans: 'XRAY_OPERATOR_MIDDLEWARE_SPANS',
  /** Preload override for the ESM loader hook: "auto" (default: when the app's main is or may be ESM), "always", "never". */
  esmHook: 'XRAY_OPERATOR_ESM_HOOK',
} as const;

/** AWS credential/region env that EKS (IRSA, Pod Identity) injects into app containers; copied to the sidecar. */
export const AWS_CREDENTIAL_ENV = [
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_STS_REGIONAL_ENDPOINTS',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
] as const;

/** Volumes EKS mounts for those credentials (IRSA, Pod Identity). */
export const AWS_CREDENTIAL_VOLUMES = ['aws-iam-token', 'eks-pod-identity-token'] as const;

/** Where the chart installs the operator (its Lease and certificate Secret) unless told otherwise. */
export const DEFAULT_OPERATOR_NAMESPACE = 'xray-system';

/** The ConfigMap `xray-collector-<XRayTracing name>` the controller writes the rendered collector config to. */
export const CollectorConfigMap = {
  namePrefix: 'xray-collector-',
  /** Its `app.kubernetes.io/name` label. */
  appName: 'xray-collector',
} as const;

/** apiVersion of the owner kinds a pod can have (for Events and references to them). */
export const OWNER_API_VERSIONS = {
  ReplicaSet: 'apps/v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
} as const;
export type OwnerKind = keyof typeof OWNER_API_VERSIONS;

export const FINALIZER = `${API_GROUP}/sampling-rules`;
export const FIELD_MANAGER = 'xray-operator';

/** Tag keys on X-Ray sampling rules the operator owns. */
export const RuleTags = {
  managedBy: 'xray-operator.dev/managed-by',
  cluster: 'xray-operator.dev/cluster',
  namespace: 'xray-operator.dev/namespace',
  name: 'xray-operator.dev/name',
} as const;

/**
 * The namespace as an X-Ray annotation, for the namespace's default group. The awsxray exporter turns the resource
 * attribute k8s.namespace.name into the annotation below when `otel.resource.k8s.namespace.name` is among its
 * indexed_attributes (resource attributes get the `otel.resource.` prefix; `.` becomes `_` in annotation keys).
 */
export const NamespaceAnnotation = {
  indexedAttribute: `otel.resource.${SAMPLING_NAMESPACE_ATTRIBUTE}`,
  filterKey: `annotation.otel_resource_${SAMPLING_NAMESPACE_ATTRIBUTE.replaceAll('.', '_')}`,
} as const;
