// The ONE source of truth for the XRayTracing v1alpha1 schema: the CRD in crds/ is generated from it
// (scripts/gen-crd.ts) and validate.ts checks objects against it. Defaults here are the ones that belong in the
// API (modes, switches, rates); images, resources and instrumentation lists are left to the operator version.
import { API_GROUP, API_VERSION, SAMPLING_NAMESPACE_ATTRIBUTE, XRAY_TRACING_KIND, XRAY_TRACING_PLURAL, XRAY_TRACING_SHORT_NAME } from '../constants.js';
import { SELECTION_SPEC_RULES, selectionProperties } from './selection-schema.js';
import type { JSONSchema } from './schema-builders.js';
import { bool, int, list, num, obj, pullPolicy, quantity, resourceRequirements, str, stringMap } from './schema-builders.js';
import { monitoringSchema } from './monitoring-schema.js';
import { statusSchema } from './status-schema.js';
import { RESERVED_KEYS_RULE, reservedAttributesText } from './reserved-attributes.js';

/** Limits of sampling rules, shared by the schema, validation and the rule planner. */
export const SamplingLimits = {
  /** A short name leaves room for `-<hash8>` in X-Ray's 32-character RuleName. */
  ruleNameMaxLength: 23,
  ruleNamePattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  /** Short name of the namespace's catch-all rule; users cannot take it. */
  catchAllRuleName: 'default',
  /** Priority of the namespace's catch-all rule; user rules stay below it so it always matches last. */
  catchAllPriority: 9999,
  maxRulePriority: 9998,
  /** X-Ray allows 5 attributes per rule; one is taken by the namespace scope. */
  maxRuleAttributes: 4,
  /** Per XRayTracing. X-Ray's rule quota (commonly 25) and GetSamplingTargets (≤ 25 rules) are per account+region. */
  maxRules: 10,
  minPollingIntervalSeconds: 10,
  /** Stays well under the sampler's 1-hour rules cache TTL. */
  maxPollingIntervalSeconds: 1800,
} as const;

/**
 * Limits of `resourceAttributes`, shared by the schema, validation and the injection engine. The OpenTelemetry SDK
 * ignores every attribute of OTEL_RESOURCE_ATTRIBUTES (k8s.namespace.name too, which namespace-scoped sampling rules
 * match) when one key or value is longer than 255 characters after percent-decoding.
 */
export const ResourceAttributeLimits = {
  maxKeyLength: 255,
  maxValueLength: 255,
  maxAttributes: 32,
  /**
   * W3C Baggage key characters (RFC 7230 tchar) and `/` (Kubernetes label keys, as in k8s.pod.label.<key>), without
   * `%` (the SDK percent-decodes keys) and `$` (kubelet expands `$(VAR)` in env values).
   */
  keyPattern: "^[A-Za-z0-9!#&'*+./^_`|~-]+$",
  keyCharacters: "letters, digits and ! # & ' * + - . / ^ _ ` | ~",
  whyLimited: 'the OpenTelemetry SDK ignores every resource attribute (k8s.namespace.name too) when one key or value is longer',
} as const;

export const RESERVED_KEYS_MESSAGE = `the operator sets ${reservedAttributesText} itself (k8s.namespace.name scopes the namespace's sampling rules); use other keys (k8s.pod.label.* and k8s.pod.annotation.* are allowed)`;

/**
 * http(s), a host name or IP (IPv6 in brackets), an optional port and path. No userinfo (credentials in a URL, or
 * `user@` to mislead a reader about the host), no query, and no `$`: these strings reach env values that kubelet
 * expands (`$(VAR)`) and collector configs that the collector expands (`${file:…}`).
 */
const URL_PATTERN = '^https?://([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$';
const INSTRUMENTATION_NAME = str('Instrumentation short name (the part after @opentelemetry/instrumentation-).', {
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9-]*$',
});

const serviceNamingSchema = obj('How the X-Ray service name of a pod is chosen when the pod has no service-name annotation.', {
  labelKeys: list('Pod labels tried in order; the first present one names the service, else the workload name.', str('A label key.', { minLength: 1, maxLength: 317 }), 10, {
    default: ['app.kubernetes.io/name', 'app'],
  }),
  prefixWithNamespace: bool('Prefix the service name with the namespace (`shop.checkout`), so X-Ray service maps do not mix namespaces.', {
    default: false,
  }),
});

const instrumentationSchema = obj(
  'The Node.js OpenTelemetry preload injected into opted-in containers.',
  {
    image: str('Image holding the preload, copied into the pod by an init container. Default: set by the operator version.', { minLength: 1, maxLength: 512 }),
    imagePullPolicy: pullPolicy('preload init container'),
    enabledInstrumentations: list('Only these instrumentations (OTEL_NODE_ENABLED_INSTRUMENTATIONS); empty: the defaults.', INSTRUMENTATION_NAME, 64, {
      'x-kubernetes-list-type': 'set',
    }),
    disabledInstrumentations: list('Instrumentations to switch off (OTEL_NODE_DISABLED_INSTRUMENTATIONS). Default: fs, dns.', INSTRUMENTATION_NAME, 64, {
      'x-kubernetes-list-type': 'set',
    }),
    resources: resourceRequirements('preload init container'),
    volumeSizeLimit: quantity('sizeLimit of the emptyDir volume that holds the preload. Default: set by the operator version.'),
    traceIds: str(
      "Trace ID format. xray: X-Ray IDs (a timestamp in the first 32 bits), which every X-Ray path accepts and X-Ray SDKs in the same traces expect. w3c: random W3C IDs, accepted by X-Ray's OTLP endpoint (collector.exporter otlp) but not by the awsxray exporter.",
      { enum: ['xray', 'w3c'], default: 'xray' },
    ),
    middlewareSpans: bool(
      'A span for every Express middleware and router layer and every Fastify hook, as upstream OpenTelemetry makes them. Default false: the server span (with its route), request handlers and outgoing calls only; the middleware spans are mostly noise in X-Ray and cost every request, sampled or not.',
      { default: false },
    ),
    env: list(
      'Extra environment variables for instrumented containers; a variable the container already sets is never overridden.',
      obj(
        'An environment variable.',
        {
          name: str('Variable name.', { minLength: 1, maxLength: 256, pattern: '^[-._a-zA-Z][-._a-zA-Z0-9]*$' }),
          value: str('Variable value.', { maxLength: 4096 }),
        },
        { required: ['name'] },
      ),
      32,
      { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
    ),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: '!has(self.enabledInstrumentations) || !has(self.disabledInstrumentations) || self.enabledInstrumentations.all(e, !(e in self.disabledInstrumentations))',
        message: 'an instrumentation cannot be both enabled and disabled',
        fieldPath: '.disabledInstrumentations',
        reason: 'FieldValueInvalid',
      },
    ],
  },
);

const collectorSchema = obj(
  'The ADOT collector that receives spans from the pods and sends them to X-Ray.',
  {
    mode: str(
      "sidecar: an ADOT collector in every pod. gateway: pods export to `endpoint`, no sidecar. none: no collector; the preload exports straight to X-Ray's OTLP endpoint and polls the X-Ray sampling API, signing with the pod's own AWS credentials (the account needs Transaction Search).",
      { enum: ['sidecar', 'gateway', 'none'], default: 'sidecar' },
    ),
    endpoint: str(
      'OTLP/HTTP endpoint of a shared (gateway) collector, e.g. http://adot.observability:4318. Gateway mode: where every pod exports (required). Sidecar mode: where pods without a sidecar export (hostNetwork, a port the collector needs already taken, run-to-completion pods without native sidecars, inject-sidecar "false"); unset, such pods are not injected, except that inject-sidecar "false" pods then export to localhost.',
      {
        maxLength: 512,
        pattern: URL_PATTERN,
      },
    ),
    samplingEndpoint: str(
      'X-Ray sampling proxy of that collector, e.g. http://adot.observability:2000, polled by pods without a sidecar for centralized sampling. Required in gateway mode with centralized sampling. Unset in sidecar mode, pods without a sidecar sample locally at sampling.fixedRate (parent-based ratio).',
      { maxLength: 512, pattern: URL_PATTERN },
    ),
    image: str('ADOT collector image. Default: set by the operator version.', { minLength: 1, maxLength: 512 }),
    imagePullPolicy: pullPolicy('collector sidecar'),
    nativeSidecar: bool('Run the collector as a native sidecar (init container with restartPolicy Always, Kubernetes ≥ 1.29); false: a regular container.', {
      default: true,
    }),
    region: str('AWS region for X-Ray. Default: the AWS_REGION of the pod (set by EKS).', { maxLength: 32, pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$' }),
    awsEndpoint: str('Override of the X-Ray API endpoint (VPC endpoint, FIPS, local emulator) for the exporter and the sampling proxy (with mode none: for the preload\'s OTLP export and sampling calls). https, or http to a loopback address, unless the installation allows other endpoints (Helm aws.endpointAllowPattern), which then must match that pattern.', {
      maxLength: 512,
      pattern: URL_PATTERN,
    }),
    resources: resourceRequirements('collector sidecar'),
    indexedAttributes: list(
      'Span attributes X-Ray indexes as annotations (searchable; X-Ray keeps at most 50 per trace).',
      str('A span attribute key.', { minLength: 1, maxLength: 500 }),
      50,
      { 'x-kubernetes-list-type': 'set' },
    ),
    indexAllAttributes: bool('Index every span attribute as an X-Ray annotation.', { default: false }),
    batch: obj('Batching of spans before export.', {
      timeout: str('Longest wait before a batch is sent (Go duration, e.g. 1s, 500ms).', {
        maxLength: 16,
        pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$',
        default: '1s',
      }),
      sendBatchSize: int('Spans per batch that trigger a send.', { minimum: 1, maximum: 100000, default: 50 }),
    }),
    legacyXRayReceiver: bool('Also receive legacy X-Ray SDK segments on UDP localhost:2000.', { default: true }),
    debug: bool('Debug exporter, verbose collector logs and console spans in the app.', { default: false }),
    exporter: str(
      "Where the collector sends spans. otlp: X-Ray's OTLP endpoint (https://xray.<region>.amazonaws.com/v1/traces, SigV4; the account needs Transaction Search). xray: the awsxray exporter (PutTraceSegments). auto: otlp when the account's Transaction Search is active, xray otherwise (status.exportMode says which). With mode none the pods export otlp themselves: auto or otlp only.",
      { enum: ['auto', 'otlp', 'xray'], default: 'auto' },
    ),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: "!has(self.mode) || self.mode != 'gateway' || has(self.endpoint)",
        message: 'collector.endpoint is required when collector.mode is gateway',
        fieldPath: '.endpoint',
        reason: 'FieldValueRequired',
      },
      {
        rule: "!has(self.mode) || self.mode != 'none' || !has(self.exporter) || self.exporter != 'xray'",
        message: "collector.mode none exports to X-Ray's OTLP endpoint: collector.exporter cannot be xray",
        fieldPath: '.exporter',
        reason: 'FieldValueInvalid',
      },
    ],
  },
);

const ruleAttributesSchema = stringMap(
  `Span attributes the request must carry (values may use * and ?). At most ${SamplingLimits.maxRuleAttributes}: X-Ray allows 5 and the operator adds ${SAMPLING_NAMESPACE_ATTRIBUTE}.`,
  SamplingLimits.maxRuleAttributes,
  str('Attribute value pattern.', { minLength: 1, maxLength: 32 }),
  {
    'x-kubernetes-validations': [
      { rule: 'self.all(k, size(k) >= 1 && size(k) <= 32)', message: 'attribute keys must be 1 to 32 characters' },
      {
        rule: `!('${SAMPLING_NAMESPACE_ATTRIBUTE}' in self)`,
        message: `${SAMPLING_NAMESPACE_ATTRIBUTE} is set by the operator to scope rules to the namespace`,
        reason: 'FieldValueForbidden',
      },
    ],
  },
);

const matcher = (what: string, maxLength: number): JSONSchema =>
  str(`${what} to match; * matches any run of characters, ? one character. Default: *.`, { minLength: 1, maxLength });

const samplingRuleSchema = obj(
  'An X-Ray sampling rule, scoped to this namespace. Rules are matched by priority (lowest first); the first match decides.',
  {
    name: str(
      `Short name (lowercase letters, digits, -). The X-Ray rule is named <name>-<hash of cluster/namespace/XRayTracing>. "${SamplingLimits.catchAllRuleName}" is reserved.`,
      { minLength: 1, maxLength: SamplingLimits.ruleNameMaxLength, pattern: SamplingLimits.ruleNamePattern },
    ),
    priority: int(`Match order, 1 (first) to ${SamplingLimits.maxRulePriority}; ${SamplingLimits.catchAllPriority} is the namespace's catch-all rule.`, {
      minimum: 1,
      maximum: SamplingLimits.maxRulePriority,
    }),
    fixedRate: num('Fraction of matching requests sampled after the reservoir is used up, 0 to 1.', { minimum: 0, maximum: 1 }),
    reservoirSize: int('Requests per second sampled before fixedRate applies, shared by all pods using the rule.', { minimum: 0, maximum: 1000000 }),
    serviceName: matcher('Service name (with serviceNaming.prefixWithNamespace the namespace prefix is added for you)', 64),
    httpMethod: matcher('HTTP method', 10),
    urlPath: matcher('URL path', 128),
    host: matcher('Host (server.address)', 64),
    attributes: ruleAttributesSchema,
    samplingRateBoost: obj(
      "X-Ray adaptive sampling: X-Ray may raise this rule's rate up to maxRate when it detects anomalies, at most once per cooldown window. X-Ray computes the boost; the Node.js sampler does not boost by itself.",
      {
        maxRate: num('Highest temporary sampling rate X-Ray may apply, 0 to 1.', { minimum: 0, maximum: 1 }),
        cooldownWindowMinutes: int('Minutes in which at most one boost is triggered.', { minimum: 0, maximum: 10080 }),
      },
      { required: ['maxRate', 'cooldownWindowMinutes'] },
    ),
  },
  {
    required: ['name', 'priority', 'fixedRate', 'reservoirSize'],
    'x-kubernetes-validations': [
      {
        rule: `self.name != '${SamplingLimits.catchAllRuleName}'`,
        message: `rule name "${SamplingLimits.catchAllRuleName}" is reserved for the namespace's catch-all rule (set sampling.fixedRate and sampling.reservoirSize instead)`,
        fieldPath: '.name',
        reason: 'FieldValueInvalid',
      },
    ],
  },
);

const samplingSchema = obj(
  'How requests are sampled.',
  {
    mode: str('centralized: X-Ray sampling rules, polled through the collector\'s sampling proxy. local: a parent-based ratio (fixedRate).', {
      enum: ['centralized', 'local'],
      default: 'centralized',
    }),
    fixedRate: num("Ratio in local mode; in centralized mode the rate of the namespace's catch-all rule. 0 to 1.", { minimum: 0, maximum: 1, default: 0.05 }),
    reservoirSize: int("Requests per second always sampled by the namespace's catch-all rule (centralized mode).", { minimum: 0, maximum: 1000000, default: 1 }),
    pollingIntervalSeconds: int('How often pods poll the sampling rules, in seconds.', {
      minimum: SamplingLimits.minPollingIntervalSeconds,
      maximum: SamplingLimits.maxPollingIntervalSeconds,
      default: 60,
    }),
    rules: list('X-Ray sampling rules for this namespace (centralized mode only).', samplingRuleSchema, SamplingLimits.maxRules, {
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: "!has(self.mode) || self.mode == 'centralized' || !has(self.rules) || size(self.rules) == 0",
        message: 'sampling.rules are only used in centralized mode; remove them or set sampling.mode to centralized',
        fieldPath: '.rules',
        reason: 'FieldValueForbidden',
      },
    ],
  },
);

const { maxKeyLength, maxValueLength, keyPattern, keyCharacters, whyLimited } = ResourceAttributeLimits;
const resourceAttributesSchema = stringMap(
  `Extra OpenTelemetry resource attributes for every instrumented container (OTEL_RESOURCE_ATTRIBUTES; the operator percent-encodes them). Keys: 1 to ${maxKeyLength} ${keyCharacters}. Values: at most ${maxValueLength} characters (characters beyond U+FFFF, such as emoji, count twice), because ${whyLimited}.`,
  ResourceAttributeLimits.maxAttributes,
  str(`Attribute value, at most ${maxValueLength} characters.`, { maxLength: maxValueLength }),
  {
    'x-kubernetes-validations': [
      {
        rule: `self.all(k, size(k) >= 1 && size(k) <= ${maxKeyLength})`,
        message: `attribute keys must be 1 to ${maxKeyLength} characters: ${whyLimited}`,
      },
      { rule: `self.all(k, k.matches("${keyPattern}"))`, message: `attribute keys may contain only ${keyCharacters}` },
      { rule: RESERVED_KEYS_RULE, message: RESERVED_KEYS_MESSAGE },
    ],
  },
);

export const specSchema: JSONSchema = obj(
  'Desired tracing for the Node.js workloads of this namespace that opt in with the xray-operator.dev/inject-nodejs annotation or that selector/selectAll select.',
  {
    ...selectionProperties,
    serviceNaming: serviceNamingSchema,
    resourceAttributes: resourceAttributesSchema,
    propagators: list(
      'Context propagators, in order.',
      str('A propagator.', { enum: ['tracecontext', 'baggage', 'xray', 'b3', 'b3multi'] }),
      5,
      { minItems: 1, 'x-kubernetes-list-type': 'set', default: ['baggage', 'xray', 'tracecontext'] },
    ),
    instrumentation: instrumentationSchema,
    collector: collectorSchema,
    sampling: samplingSchema,
    rollout: obj('How the operator rolls workloads: when, how many at once, and when it rolls instrumentation back.', {
      restartOnChange: bool('Roll injected workloads when a change needs new pods (image, collector config, env).', { default: true }),
      maxConcurrent: int(
        'Rollouts the operator may have running at once in this namespace (config changes, opt-in, missed injection, rollback); the next starts when one is available. With several XRayTracings in a namespace the smallest value applies; the installation also caps the whole cluster.',
        { minimum: 1, maximum: 100, default: 2 },
      ),
      progressDeadlineSeconds: int('Seconds a rollout the operator started holds its place in the budget at most, whether or not it became available.', {
        minimum: 30,
        maximum: 86400,
        default: 600,
      }),
      rollback: obj('Crash-loop rollback: a workload whose injected pods crash or stay not Ready, while its uninjected pods were Ready, is rolled back to uninstrumented pods and annotated xray-operator.dev/rolled-back until a person removes the annotation or the config changes.', {
        enabled: bool('Roll such workloads back.', { default: true }),
        maxRestarts: int('Restarts of an app container in an injected pod that make it a crash loop.', { minimum: 1, maximum: 100, default: 3 }),
        readinessTimeoutSeconds: int('Seconds an injected pod may stay not Ready after it was created.', { minimum: 30, maximum: 86400, default: 600 }),
      }),
    }),
    monitoring: monitoringSchema,
  },
  {
    default: {},
    'x-kubernetes-validations': [
      {
        rule:
          "!has(self.collector) || !has(self.collector.mode) || self.collector.mode != 'gateway' || (has(self.sampling) && has(self.sampling.mode) && self.sampling.mode == 'local') || has(self.collector.samplingEndpoint)",
        message: 'collector.samplingEndpoint is required when collector.mode is gateway and sampling.mode is centralized',
        fieldPath: '.collector.samplingEndpoint',
        reason: 'FieldValueRequired',
      },
      {
        rule:
          "!has(self.instrumentation) || !has(self.instrumentation.traceIds) || self.instrumentation.traceIds != 'w3c' || (has(self.collector) && ((has(self.collector.exporter) && self.collector.exporter == 'otlp') || (has(self.collector.mode) && self.collector.mode == 'none')))",
        message: 'w3c trace IDs need collector.exporter otlp or collector.mode none: the awsxray exporter, which auto may choose, refuses them',
        fieldPath: '.instrumentation.traceIds',
        reason: 'FieldValueInvalid',
      },
      ...SELECTION_SPEC_RULES,
    ],
  },
);

export const openAPIV3Schema: JSONSchema = obj(
  'XRayTracing turns on AWS X-Ray tracing for the Node.js workloads of its namespace: preload and collector injection, collector config and X-Ray sampling rules.',
  {
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
    kind: str('Kind is a string value representing the REST resource this object represents.'),
    metadata: { type: 'object' },
    spec: specSchema,
    status: statusSchema,
  },
);

/** The CustomResourceDefinition object (what `kubectl apply -f crds/` installs). */
export function xrayTracingCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${XRAY_TRACING_PLURAL}.${API_GROUP}`, labels: { 'app.kubernetes.io/name': 'xray-operator' } },
    spec: {
      group: API_GROUP,
      names: {
        kind: XRAY_TRACING_KIND,
        listKind: `${XRAY_TRACING_KIND}List`,
        plural: XRAY_TRACING_PLURAL,
        singular: XRAY_TRACING_KIND.toLowerCase(),
        shortNames: [XRAY_TRACING_SHORT_NAME],
        // Not `all`: `kubectl delete all` would then delete tracing config (and its X-Ray rules) with the workloads.
        categories: ['xray-operator'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status', description: 'Whether config, sampling rules and injection are healthy' },
            { name: 'Sampling', type: 'string', jsonPath: '.status.sampling', description: 'Sampling mode and rules in effect' },
            { name: 'Injected', type: 'integer', jsonPath: '.status.injectedWorkloads', description: 'Workloads running injected pods' },
            { name: 'Pods', type: 'string', jsonPath: '.status.pods', description: 'Pods injected with the current config / pods selected' },
            { name: 'Outdated', type: 'integer', jsonPath: '.status.fleet.pods.outdated', priority: 1, description: 'Pods injected with an earlier config' },
            { name: 'Skipped', type: 'integer', jsonPath: '.status.fleet.pods.skipped', priority: 1, description: 'Opted-in pods the webhook did not inject (see status.fleet.skippedReasons)' },
            { name: 'Uninjected', type: 'integer', jsonPath: '.status.fleet.pods.uninjected', priority: 1, description: 'Opted-in pods admitted while the webhook was unreachable' },
            { name: 'Queued', type: 'integer', jsonPath: '.status.rollouts.queued', priority: 1, description: 'Workloads waiting for a place in the rollout budget' },
            { name: 'RolledBack', type: 'integer', jsonPath: '.status.fleet.rolledBack', priority: 1, description: 'Workloads rolled back to uninstrumented after their injected pods crashed' },
            { name: 'Export', type: 'string', jsonPath: '.status.exportMode', description: 'Exporter the injected pods use: otlp (X-Ray OTLP endpoint, from the collector or, with collector.mode none, the preload) or xray' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: { openAPIV3Schema },
        },
      ],
    },
  };
}
