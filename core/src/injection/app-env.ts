// The environment of an instrumented container: the user's entries in their order (NODE_OPTIONS and
// OTEL_RESOURCE_ATTRIBUTES extended), then ours for every variable the user did not set.
import type { V1EnvVar } from '@kubernetes/client-node';
import { CollectorPorts, Env } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import type { ConfigMapLike } from '../ports.js';
import { envSource, escapeForKubelet, isUserSet } from './env-sources.js';
import { orderForReferences } from './env-order.js';
import { extendNodeOptions } from './node-options.js';
import { derivedAttributes, mergeAttributes, type ResourceAttributeFacts } from './resource-attributes.js';
import type { ContainerLike } from './types.js';

/** Where the app sends spans and asks for sampling rules; decided once per pod. */
export interface ExportPlan {
  otlpEndpoint: string;
  samplingEndpoint: string;
  /** The ADOT sidecar runs in the pod (so the legacy X-Ray daemon address points at it). */
  sidecar: boolean;
}

export interface AppEnvInput {
  container: ContainerLike;
  spec: ResolvedSpec;
  plan: ExportPlan;
  serviceName: string;
  attributes: ResourceAttributeFacts;
  getConfigMap: (name: string) => ConfigMapLike | undefined;
}

export type AppEnvResult = { ok: true; env: V1EnvVar[]; warnings: string[] } | { ok: false; warning: string };

const fieldRef = (name: string, fieldPath: string): V1EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
const literal = (name: string, value: string): V1EnvVar => ({ name, value });

export const LOCAL_SAMPLING_ENDPOINT = `http://localhost:${CollectorPorts.xray}`;
export const LOCAL_OTLP_ENDPOINT = `http://localhost:${CollectorPorts.otlpHttp}`;

function samplerEnv(spec: ResolvedSpec, plan: ExportPlan): V1EnvVar[] {
  if (spec.sampling.mode === 'local') {
    return [literal(Env.tracesSampler, 'parentbased_traceidratio'), literal(Env.tracesSamplerArg, String(spec.sampling.fixedRate))];
  }
  const arg = `endpoint=${plan.samplingEndpoint},polling_interval=${spec.sampling.pollingIntervalSeconds}`;
  return [literal(Env.tracesSampler, 'xray'), literal(Env.tracesSamplerArg, arg)];
}

/** Our variables other than NODE_OPTIONS, in output order; the CR's env wins over derived ones. */
function derivedEnv(input: AppEnvInput, resourceAttributes: V1EnvVar[], sampler: V1EnvVar[]): V1EnvVar[] {
  const { spec, plan } = input;
  const env: V1EnvVar[] = [
    fieldRef(Env.podName, 'metadata.name'),
    fieldRef(Env.podUid, 'metadata.uid'),
    fieldRef(Env.nodeName, 'spec.nodeName'),
    literal(Env.serviceName, input.serviceName),
    ...resourceAttributes,
    literal(Env.propagators, spec.propagators.join(',')),
    ...sampler,
    literal(Env.otlpEndpoint, plan.otlpEndpoint),
    literal(Env.otlpProtocol, 'http/protobuf'),
    literal(Env.tracesExporter, 'otlp'),
    literal(Env.metricsExporter, 'none'),
    literal(Env.logsExporter, 'none'),
  ];
  if (plan.sidecar) env.push(literal(Env.xrayDaemonAddress, `127.0.0.1:${CollectorPorts.xray}`));
  const { enabledInstrumentations, disabledInstrumentations } = spec.instrumentation;
  if (enabledInstrumentations.length) env.push(literal(Env.enabledInstrumentations, enabledInstrumentations.join(',')));
  if (disabledInstrumentations.length) env.push(literal(Env.disabledInstrumentations, disabledInstrumentations.join(',')));
  if (spec.collector.debug) env.push(literal(Env.debug, 'true'), literal(Env.logLevel, 'debug'));
  for (const extra of spec.instrumentation.env) {
    if (extra.name === Env.nodeOptions || extra.name === Env.resourceAttributes) continue;
    const entry = literal(extra.name, extra.value ?? '');
    const at = env.findIndex((e) => e.name === extra.name);
    if (at >= 0) env[at] = entry;
    else env.push(entry);
  }
  return env;
}

interface ResourceAttributesStep {
  env: V1EnvVar[];
  appended: V1EnvVar[];
  warnings: string[];
}

/** Holds the user's `valueFrom` OTEL_RESOURCE_ATTRIBUTES so ours can include it with `$(…)`. */
export const USER_RESOURCE_ATTRIBUTES_ENV = 'XRAY_OPERATOR_USER_OTEL_RESOURCE_ATTRIBUTES';

/**
 * The user's `valueFrom` kept under another name and referenced after ours: the SDK lets a later key win, and skips
 * the empty entry an empty value leaves.
 */
function extendAttributesFrom(env: V1EnvVar[], input: AppEnvInput, ours: [string, string][]): ResourceAttributesStep {
  const index = env.map((e) => e.name).lastIndexOf(Env.resourceAttributes);
  const kept: V1EnvVar = { name: USER_RESOURCE_ATTRIBUTES_ENV, valueFrom: env[index]?.valueFrom };
  const extended = literal(Env.resourceAttributes, `${mergeAttributes(undefined, ours)},$(${USER_RESOURCE_ATTRIBUTES_ENV})`);
  return { env: [...env.slice(0, index), kept, extended, ...env.slice(index + 1)], appended: [], warnings: [] };
}

/** An optional source may be absent, and a raw `$(…)` would make the SDK drop every attribute: leave it alone. */
function unextendableAttributes(env: V1EnvVar[], input: AppEnvInput): ResourceAttributesStep {
  const warning =
    `Container "${input.container.name}": ${Env.resourceAttributes} comes from an optional valueFrom, so the Kubernetes resource ` +
    `attributes (k8s.namespace.name, k8s.pod.name…) were not added; namespace-scoped sampling rules will not match its spans`;
  return { env, appended: [], warnings: [warning] };
}

/** Extends the user's OTEL_RESOURCE_ATTRIBUTES (their keys win), or adds ours. */
function withResourceAttributes(env: V1EnvVar[], input: AppEnvInput): ResourceAttributesStep {
  const ours = derivedAttributes(input.attributes, input.spec);
  const source = envSource(input.container, Env.resourceAttributes, input.getConfigMap);
  switch (source.kind) {
    case 'literal': {
      // NODE_OPTIONS may have added entries before this one; find it again by name (last one wins in kubelet).
      const index = env.map((e) => e.name).lastIndexOf(Env.resourceAttributes);
      const merged = [...env];
      merged[index] = literal(Env.resourceAttributes, mergeAttributes(source.value, ours));
      return { env: merged, appended: [], warnings: [] };
    }
    case 'configMap':
      return { env, appended: [literal(Env.resourceAttributes, mergeAttributes(escapeForKubelet(source.value), ours))], warnings: [] };
    case 'valueFrom':
      return source.optional ? unextendableAttributes(env, input) : extendAttributesFrom(env, input, ours);
    case 'none':
    case 'opaque':
      return { env, appended: [literal(Env.resourceAttributes, mergeAttributes(undefined, ours))], warnings: [] };
  }
}

/** The instrumented env of one container, or why it was skipped. */
export function appContainerEnv(input: AppEnvInput): AppEnvResult {
  const nodeOptions = extendNodeOptions(input.container, input.getConfigMap);
  if (!nodeOptions.ok) return nodeOptions;
  const attributes = withResourceAttributes(nodeOptions.env, input);
  const userSet = (name: string): boolean => isUserSet(input.container, name, input.getConfigMap);
  const samplerSetByUser = userSet(Env.tracesSampler) || userSet(Env.tracesSamplerArg);
  const ours = derivedEnv(input, attributes.appended, samplerSetByUser ? [] : samplerEnv(input.spec, input.plan));
  const appended = ours.filter((entry) => entry.name === Env.resourceAttributes || !userSet(entry.name));
  const movable = new Set(appended.map((entry) => entry.name));
  if (nodeOptions.appended) movable.add(Env.nodeOptions);
  const env = orderForReferences([...attributes.env, ...appended], movable);
  return { ok: true, env, warnings: [...nodeOptions.warnings, ...attributes.warnings] };
}
