// The `xray-operator run` configuration: flags first, then environment, then defaults — parsed once, frozen.
import { parseArgs } from 'node:util';
import { DEFAULT_OPERATOR_NAMESPACE } from '../../../core/src/constants.js';
import type { OperatorDefaults } from '../../../core/src/api/defaults.js';
import { compileEndpointAllowPattern } from '../../../core/src/api/endpoint-policy.js';
import { DEFAULT_RULE_BUDGET, type RuleBudget } from '../../../core/src/sampling/budget.js';
import { labelSelectorProblems, type LabelSelector } from '../../../core/src/selection/label-selector.js';
import type { WebhookSelection } from '../../../core/src/selection/webhook-selection.js';

export type CertMode = 'self-managed' | 'files';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface HostPort {
  host: string;
  port: number;
}

export interface OperatorConfig {
  kubeconfig?: string;
  clusterName: string;
  region?: string;
  /** X-Ray API endpoint override (VPC endpoint, FIPS, local emulator). */
  xrayEndpoint?: string;
  /** Namespace the operator runs in: its Lease and certificate Secret live there. */
  namespace: string;
  webhookListen: HostPort;
  healthListen: HostPort;
  certMode: CertMode;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  certSecretName: string;
  webhookServiceName: string;
  webhookConfigName: string;
  leaderElect: boolean;
  leaseName: string;
  logLevel: LogLevel;
  /** Images used where an XRayTracing names none (e.g. mirrors in a private registry). */
  defaults: OperatorDefaults;
  /** X-Ray sampling rules XRayTracings may own. */
  ruleBudget: RuleBudget;
  /** The webhook configuration's selectors: the controller leaves alone workloads the webhook never sees. */
  webhookSelection: WebhookSelection;
  /** Operator-caused rollouts at once in the cluster; undefined: no cap (each namespace keeps its own). */
  maxConcurrentRollouts?: number;
}

/** Rollouts the operator runs at once across the cluster unless told otherwise. */
export const DEFAULT_MAX_CONCURRENT_ROLLOUTS = 10;

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
const CERT_MODES: readonly CertMode[] = ['self-managed', 'files'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses `HOST:PORT` (IPv6 in brackets). */
export function parseHostPort(value: string, option: string): HostPort {
  const match = /^(\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65535) {
    throw new ConfigError(`--${option} must be HOST:PORT (for example 0.0.0.0:9443), got "${value}"`);
  }
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`--${option} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function parseBoolean(value: string, option: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ConfigError(`--${option} must be true or false, got "${value}"`);
}

export const RUN_OPTIONS = {
  kubeconfig: { type: 'string', env: 'KUBECONFIG', help: 'kubeconfig file (default: in-cluster, then ~/.kube/config)' },
  'cluster-name': { type: 'string', env: 'XRAY_OPERATOR_CLUSTER_NAME', help: 'cluster name for resource attributes and X-Ray rule ownership tags' },
  region: { type: 'string', env: 'AWS_REGION', help: 'AWS region of the X-Ray API' },
  'xray-endpoint': { type: 'string', env: 'XRAY_OPERATOR_XRAY_ENDPOINT', help: 'X-Ray API endpoint override' },
  namespace: { type: 'string', env: 'POD_NAMESPACE', default: DEFAULT_OPERATOR_NAMESPACE, help: 'namespace of the operator (Lease, certificate Secret)' },
  'webhook-listen': { type: 'string', env: 'XRAY_OPERATOR_WEBHOOK_LISTEN', default: '0.0.0.0:9443', help: 'HTTPS admission webhook address' },
  'health-listen': { type: 'string', env: 'XRAY_OPERATOR_HEALTH_LISTEN', default: '0.0.0.0:8080', help: 'plain HTTP /healthz, /readyz, /metrics address' },
  'cert-mode': { type: 'string', env: 'XRAY_OPERATOR_CERT_MODE', default: 'self-managed', help: 'self-managed (operator-generated CA in a Secret) or files (--tls-cert/--tls-key, e.g. cert-manager)' },
  'tls-cert': { type: 'string', env: 'XRAY_OPERATOR_TLS_CERT', help: 'serving certificate file (cert-mode files)' },
  'tls-key': { type: 'string', env: 'XRAY_OPERATOR_TLS_KEY', help: 'serving key file (cert-mode files)' },
  'cert-secret': { type: 'string', env: 'XRAY_OPERATOR_CERT_SECRET', default: 'xray-operator-webhook-tls', help: 'Secret holding the self-managed CA and serving certificate' },
  'webhook-service': { type: 'string', env: 'XRAY_OPERATOR_WEBHOOK_SERVICE', default: 'xray-operator-webhook', help: 'Service name the serving certificate is issued for' },
  'webhook-config': { type: 'string', env: 'XRAY_OPERATOR_WEBHOOK_CONFIG', default: 'xray-operator', help: 'MutatingWebhookConfiguration whose caBundle the operator keeps current' },
  'leader-elect': { type: 'string', env: 'XRAY_OPERATOR_LEADER_ELECT', default: 'true', help: 'run controllers only on the Lease holder' },
  'lease-name': { type: 'string', env: 'XRAY_OPERATOR_LEASE', default: 'xray-operator-controller', help: 'Lease used for leader election' },
  'log-level': { type: 'string', env: 'XRAY_OPERATOR_LOG_LEVEL', default: 'info', help: LOG_LEVELS.join(', ') },
  'instrumentation-image': { type: 'string', env: 'XRAY_OPERATOR_INSTRUMENTATION_IMAGE', help: 'Node.js preload image where an XRayTracing names none' },
  'collector-image': { type: 'string', env: 'XRAY_OPERATOR_COLLECTOR_IMAGE', help: 'ADOT collector image where an XRayTracing names none' },
  'aws-endpoint-allow-pattern': {
    type: 'string',
    env: 'XRAY_OPERATOR_AWS_ENDPOINT_ALLOW_PATTERN',
    help: 'regular expression (whole URL) for the X-Ray endpoints an XRayTracing may name; unset: https, or http to loopback',
  },
  'max-rules-per-namespace': {
    type: 'string',
    env: 'XRAY_OPERATOR_MAX_RULES_PER_NAMESPACE',
    default: String(DEFAULT_RULE_BUDGET.perNamespace),
    help: 'X-Ray sampling rules the XRayTracings of one namespace may own together',
  },
  'max-rules-per-cluster': {
    type: 'string',
    env: 'XRAY_OPERATOR_MAX_RULES_PER_CLUSTER',
    help: 'X-Ray sampling rules the XRayTracings of this cluster may own together (unset: no cap but X-Ray\'s quota)',
  },
  'max-concurrent-rollouts': {
    type: 'string',
    env: 'XRAY_OPERATOR_MAX_CONCURRENT_ROLLOUTS',
    default: String(DEFAULT_MAX_CONCURRENT_ROLLOUTS),
    help: 'rollouts the operator runs at once in the whole cluster (each namespace also has its XRayTracing\'s rollout.maxConcurrent); 0: no cluster cap',
  },
  'webhook-namespace-selector': { type: 'string', env: 'XRAY_OPERATOR_WEBHOOK_NAMESPACE_SELECTOR', help: 'the webhook\'s namespaceSelector (JSON LabelSelector); workloads outside it are not rolled' },
  'webhook-object-selector': { type: 'string', env: 'XRAY_OPERATOR_WEBHOOK_OBJECT_SELECTOR', help: 'the webhook\'s objectSelector (JSON LabelSelector), matched against pod template labels' },
} as const;

function parseCount(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,6}$/.test(value)) throw new ConfigError(`--${option} must be a whole number, got "${value}"`);
  return Number(value);
}

function parseAllowPattern(source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return compileEndpointAllowPattern(source);
  } catch (error) {
    throw new ConfigError(`--aws-endpoint-allow-pattern must be a regular expression, got "${source}": ${(error as Error).message}`, { cause: error });
  }
}

type RunOption = keyof typeof RUN_OPTIONS;

/** A LabelSelector given as JSON; absent means "everything", as in a webhook configuration. */
function parseLabelSelector(value: string | undefined, option: string): LabelSelector | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new ConfigError(`--${option} must be a JSON LabelSelector (for example {"matchLabels":{"team":"shop"}}), got "${value}"`, { cause: error });
  }
  const problems = labelSelectorProblems(parsed);
  if (problems.length > 0) throw new ConfigError(`--${option} is not a valid LabelSelector: ${problems.join('; ')}`);
  return Object.freeze(parsed as LabelSelector);
}

/** Builds the frozen operator config from command-line arguments and an environment snapshot. */
export function parseOperatorConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Readonly<OperatorConfig> {
  const options = Object.fromEntries(Object.keys(RUN_OPTIONS).map((name) => [name, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new ConfigError((error as Error).message, { cause: error });
  }
  const get = (name: RunOption): string | undefined => {
    const spec = RUN_OPTIONS[name];
    const fromFlag = values[name];
    if (typeof fromFlag === 'string') return fromFlag;
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
    return 'default' in spec ? spec.default : undefined;
  };

  const certMode = oneOf(get('cert-mode') ?? '', CERT_MODES, 'cert-mode');
  const tlsCertFile = get('tls-cert');
  const tlsKeyFile = get('tls-key');
  if (certMode === 'files' && (!tlsCertFile || !tlsKeyFile)) {
    throw new ConfigError('--cert-mode files needs --tls-cert and --tls-key');
  }
  const clusterName = get('cluster-name');
  if (!clusterName) {
    throw new ConfigError('--cluster-name (or XRAY_OPERATOR_CLUSTER_NAME) is required: it scopes the X-Ray sampling rules this operator owns');
  }
  const config: OperatorConfig = {
    kubeconfig: get('kubeconfig'),
    clusterName,
    region: get('region') ?? env.AWS_DEFAULT_REGION,
    xrayEndpoint: get('xray-endpoint'),
    namespace: get('namespace') ?? DEFAULT_OPERATOR_NAMESPACE,
    webhookListen: parseHostPort(get('webhook-listen') ?? '', 'webhook-listen'),
    healthListen: parseHostPort(get('health-listen') ?? '', 'health-listen'),
    certMode,
    tlsCertFile,
    tlsKeyFile,
    certSecretName: get('cert-secret') ?? '',
    webhookServiceName: get('webhook-service') ?? '',
    webhookConfigName: get('webhook-config') ?? '',
    leaderElect: parseBoolean(get('leader-elect') ?? '', 'leader-elect'),
    leaseName: get('lease-name') ?? '',
    logLevel: oneOf(get('log-level') ?? '', LOG_LEVELS, 'log-level'),
    defaults: Object.freeze({
      instrumentationImage: get('instrumentation-image'),
      collectorImage: get('collector-image'),
      awsEndpointAllowPattern: parseAllowPattern(get('aws-endpoint-allow-pattern')),
    }),
    ruleBudget: Object.freeze({
      perNamespace: parseCount(get('max-rules-per-namespace'), 'max-rules-per-namespace') ?? DEFAULT_RULE_BUDGET.perNamespace,
      perCluster: parseCount(get('max-rules-per-cluster'), 'max-rules-per-cluster'),
    }),
    maxConcurrentRollouts: parseCount(get('max-concurrent-rollouts'), 'max-concurrent-rollouts') || undefined,
    webhookSelection: Object.freeze({
      namespaceSelector: parseLabelSelector(get('webhook-namespace-selector'), 'webhook-namespace-selector'),
      objectSelector: parseLabelSelector(get('webhook-object-selector'), 'webhook-object-selector'),
    }),
  };
  return Object.freeze(config);
}

/** One help line per option, for `xray-operator run --help`. */
export function runOptionsHelp(): string {
  return Object.entries(RUN_OPTIONS)
    .map(([name, spec]) => `  --${name.padEnd(18)} ${spec.help} [env ${spec.env}${'default' in spec ? `, default ${spec.default}` : ''}]`)
    .join('\n');
}
