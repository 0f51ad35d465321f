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
import { deepFreeze, sharedEnvEntry } from './shared-parts.js';
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

/** Our variables other than NODE_OPTIONS, in output order; the CR's env wins over derived ones. */
function derivedEnv(input: AppEnvInput, resourceAttributes: V1EnvVar[], sampler: V1EnvVar[]): V1EnvVar[] {
  const { spec, plan } = input;
  // Entries made from the spec and the export plan (itself made from the spec) are shared between pods.
  const fromSpec = (name: string, value: string): V1EnvVar => sharedEnvEntry(spec, literal(name, value));
  const env: V1EnvVar[] = [
    ...POD_FACTS,
    literal(Env.serviceName, input.serviceName),
    ...resourceAttributes,
    fromSpec(Env.propagators, spec.propagators.join(',')),
    ...sampler.map((entry) => sharedEnvEntry(spec, entry)),
    ...exportTarget(spec, plan).map((entry) => sharedEnvEntry(spec, entry)),
    fromSpec(Env.otlpProtocol, 'http/protobuf'),
    fromSpec(Env.tracesExporter, 'otlp'),
    fromSpec(Env.metricsExporter, 'none'),
    fromSpec(Env.logsExporter, 'none'),
  ];
  if (plan.sidecar) env.push(fromSpec(Env.xrayDaemonAddress, `127.0.0.1:${CollectorPorts.xray}`));
  const { enabledInstrumentations, disabledInstrumentations } = spec.instrumentation;
  if (enabledInstrumentations.length) env.push(fromSpec(Env.enabledInstrumentations, enabledInstrumentations.join(',')));
  if (disabledInstrumentations.length) env.push(fromSpec(Env.disabledInstrumentations, disabledInstrumentations.join(',')));
  if (spec.collector.debug) env.push(fromSpec(Env.debug, 'true'), fromSpec(Env.logLevel, 'debug'));
  // Only the non-default is written: pods with X-Ray IDs look as they did before the setting existed.
  if (spec.instrumentation.traceIds === 'w3c') env.push(fromSpec(Env.traceIds, 'w3c'));
  if (spec.instrumentation.middlewareSpans) env.push(fromSpec(Env.middlewareSpans, 'true'));
  for (const extra of spec.instrumentation.env) {
    if (extra.name === Env.nodeOptions || extra.name === Env.resourceAttributes) continue;
    const entry = fromSpec(extra.name, extra.value ?? '');
    const at = env.findIndex((e) => e.name === extra.name);
    if (at >= 0) env[at] = entry;
    else env.push(entry);
  }
  return env;
}

/** The instrumented env of one container, or why it was skipped. */
export function appContainerEnv(input: AppEnvInput): AppEnvResult {
  const effective = effectiveEnv(input.container, input.getConfigMap);
  const nodeOptions = extendNodeOptions(effective);
  if (!nodeOptions.ok) return nodeOptions;
  const attributes = withResourceAttributes(nodeOptions.env, { effective, spec: input.spec, attributes: input.attributes });
  const userSet = (name: string): boolean => effective.isUserSet(name);
  const samplerSetByUser = userSet(Env.tracesSampler) || userSet(Env.tracesSamplerArg);
  const sampler = samplerSetByUser ? { env: [], warnings: [] } : samplerEnv(input.spec, input.plan);
  const ours = derivedEnv(input, attributes.appended, sampler.env);
  const appended = ours.filter((entry) => entry.name === Env.resourceAttributes || !userSet(entry.name));
  const movable = new Set(appended.map((entry) => entry.name));
  if (nodeOptions.appended) movable.add(Env.nodeOptions);
  const env = orderForReferences([...attributes.env, ...appended], movable);
  return { ok: true, env, warnings: [...nodeOptions.warnings, ...attributes.warnings, ...sampler.warnings] };
}
