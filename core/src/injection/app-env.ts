// The environment of an instrumented container: the user's entries in their order (NODE_OPTIONS and
// OTEL_RESOURCE_ATTRIBUTES extended), then ours for every variable the user did not set.
import type { V1EnvVar } from '@kubernetes/client-node';
import { CollectorPorts, DIRECT_EXPORT, Env } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import type { ConfigMapLike } from '../ports.js';
import { effectiveEnv, literal } from './env-sources.js';
import { orderForReferences } from './env-order.js';
import { extendNodeOptions } from './node-options.js';
import type { ResourceAttributeFacts } from './resource-attributes.js';
import { withResourceAttributes } from './resource-attributes-env.js';
import { samplerEnv } from './sampler-env.js';
import type { ExportPlan } from './export-plan.js';
import { deepFreeze } from './shared-parts.js';
import type { ContainerLike } from './types.js';

export interface AppEnvInput {
  container: ContainerLike;
  spec: ResolvedSpec;
  plan: ExportPlan;
  serviceName: string;
  attributes: ResourceAttributeFacts;
  getConfigMap: (name: string) => ConfigMapLike | undefined;
}

export type AppEnvResult = { ok: true; env: V1EnvVar[]; warnings: string[] } | { ok: false; warning: string };

const fieldRef = (name: string, fieldPath: string): V1EnvVar => deepFreeze({ name, valueFrom: { fieldRef: { fieldPath } } });
/** The pod's own facts, which kubelet fills in; the same entries for every pod (frozen, see shared-parts.ts). */
const POD_FACTS: readonly V1EnvVar[] = [fieldRef(Env.podName, 'metadata.name'), fieldRef(Env.podUid, 'metadata.uid'), fieldRef(Env.nodeName, 'spec.nodeName')];

/** Where spans go: the collector's OTLP endpoint, or (no collector) the direct export and where X-Ray is. */
function exportTarget(spec: ResolvedSpec, plan: ExportPlan): V1EnvVar[] {
  if (!plan.direct) return [literal(Env.otlpEndpoint, plan.otlpEndpoint)];
  const env = [literal(Env.exportMode, DIRECT_EXPORT)];
  if (spec.collector.region) env.push(literal(Env.xrayRegion, spec.collector.region));
  if (spec.collector.awsEndpoint) env.push(literal(Env.xrayEndpoint, spec.collector.awsEndpoint));
  return env;
}

/**
 * Our variables after the pod's own facts, the service name and the resource attributes: made from the spec, the
 * export plan and whether the user set the sampler, never from the pod.
 */
interface SpecEnvTail {
  env: readonly V1EnvVar[];
  /** Entries of the CR's env that replace one of the pod's own (an operator-wide OTEL_SERVICE_NAME, say). */
  headOverrides: readonly V1EnvVar[];
  warnings: readonly string[];
}

/** Names of the entries derivedEnv puts before the tail (OTEL_RESOURCE_ATTRIBUTES is never taken from the CR's env). */
const HEAD_NAMES: ReadonlySet<string> = new Set([...POD_FACTS.map((entry) => entry.name), Env.serviceName]);

function buildSpecEnvTail(spec: ResolvedSpec, plan: ExportPlan, samplerSetByUser: boolean): SpecEnvTail {
  const sampler = samplerSetByUser ? { env: [], warnings: [] } : samplerEnv(spec, plan);
  const env: V1EnvVar[] = [
    literal(Env.propagators, spec.propagators.join(',')),
    ...sampler.env,
    ...exportTarget(spec, plan),
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
  // Only the non-default is written: pods with X-Ray IDs look as they did before the setting existed.
  if (spec.instrumentation.traceIds === 'w3c') env.push(literal(Env.traceIds, 'w3c'));
  if (spec.instrumentation.middlewareSpans) env.push(literal(Env.middlewareSpans, 'true'));
  const headOverrides: V1EnvVar[] = [];
  for (const extra of spec.instrumentation.env) {
    if (extra.name === Env.nodeOptions || extra.name === Env.resourceAttributes) continue;
    const entry = literal(extra.name, extra.value ?? '');
    const overridden = HEAD_NAMES.has(extra.name) ? headOverrides : env;
    const at = overridden.findIndex((e) => e.name === extra.name);
    if (at >= 0) overridden[at] = entry;
    else overridden.push(entry);
  }
  return deepFreeze({ env, headOverrides, warnings: sampler.warnings });
}

const specEnvTails = new WeakMap<ResolvedSpec, Map<string, SpecEnvTail>>();

/**
 * The tail, built once for each spec and what of the export plan it reads, and shared (frozen, see shared-parts.ts):
 * it is most of a container's new env, and the webhook then encodes its entries from cached bytes.
 */
function specEnvTail(spec: ResolvedSpec, plan: ExportPlan, samplerSetByUser: boolean): SpecEnvTail {
  let tails = specEnvTails.get(spec);
  if (tails === undefined) specEnvTails.set(spec, (tails = new Map<string, SpecEnvTail>()));
  const key = plan.direct ? `direct ${samplerSetByUser}` : `${plan.otlpEndpoint} ${plan.samplingEndpoint} ${plan.sidecar} ${samplerSetByUser}`;
  let tail = tails.get(key);
  if (tail === undefined) tails.set(key, (tail = buildSpecEnvTail(spec, plan, samplerSetByUser)));
  return tail;
}

/** Our variables other than NODE_OPTIONS, in output order; the CR's env wins over derived ones. */
function derivedEnv(input: AppEnvInput, resourceAttributes: V1EnvVar[], tail: SpecEnvTail): V1EnvVar[] {
  const head = [...POD_FACTS, literal(Env.serviceName, input.serviceName), ...resourceAttributes];
  for (const entry of tail.headOverrides) head[head.findIndex((e) => e.name === entry.name)] = entry;
  return [...head, ...tail.env];
}

/** The instrumented env of one container, or why it was skipped. */
export function appContainerEnv(input: AppEnvInput): AppEnvResult {
  const effective = effectiveEnv(input.container, input.getConfigMap);
  const nodeOptions = extendNodeOptions(effective);
  if (!nodeOptions.ok) return nodeOptions;
  const attributes = withResourceAttributes(nodeOptions.env, { effective, spec: input.spec, attributes: input.attributes });
  const userSet = (name: string): boolean => effective.isUserSet(name);
  const samplerSetByUser = userSet(Env.tracesSampler) || userSet(Env.tracesSamplerArg);
  const tail = specEnvTail(input.spec, input.plan, samplerSetByUser);
  const ours = derivedEnv(input, attributes.appended, tail);
  const appended = ours.filter((entry) => entry.name === Env.resourceAttributes || !userSet(entry.name));
  const movable = new Set(appended.map((entry) => entry.name));
  if (nodeOptions.appended) movable.add(Env.nodeOptions);
  const env = orderForReferences([...attributes.env, ...appended], movable);
  return { ok: true, env, warnings: [...nodeOptions.warnings, ...attributes.warnings, ...tail.warnings] };
}
