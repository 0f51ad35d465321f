// OTEL_TRACES_SAMPLER(_ARG) of an instrumented container: the X-Ray remote sampler polling a sampling proxy (or,
// without a collector, the X-Ray API), or a parent-based ratio (local mode, or no proxy the pod can reach).
import type { V1EnvVar } from '@kubernetes/client-node';
import { CollectorPorts, Env } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import type { ExportPlan } from './export-plan.js';
import { literal } from './env-sources.js';

export interface SamplerEnv {
  env: V1EnvVar[];
  warnings: string[];
}

function localRatio(spec: ResolvedSpec): V1EnvVar[] {
  return [literal(Env.tracesSampler, 'parentbased_traceidratio'), literal(Env.tracesSamplerArg, String(spec.sampling.fixedRate))];
}

/**
 * Without a proxy the remote sampler would poll an address where nothing listens and silently fall back to its own
 * 1 request/s + 5 %; the XRayTracing's catch-all rate, as a local ratio, is closer to what was asked for.
 */
function withoutProxy(spec: ResolvedSpec): SamplerEnv {
  const warning =
    `No collector sidecar and no collector.samplingEndpoint: the app samples locally at sampling.fixedRate ` +
    `(${spec.sampling.fixedRate}, parent-based) instead of following the X-Ray sampling rules; set collector.samplingEndpoint ` +
    `to the X-Ray sampling proxy of the collector at ${spec.collector.endpoint} (port ${CollectorPorts.xray} by default) for centralized sampling`;
  return { env: localRatio(spec), warnings: [warning] };
}

export function samplerEnv(spec: ResolvedSpec, plan: ExportPlan): SamplerEnv {
  if (spec.sampling.mode === 'local') return { env: localRatio(spec), warnings: [] };
  const interval = `polling_interval=${spec.sampling.pollingIntervalSeconds}`;
  // Without a collector the preload asks the X-Ray API itself (signed); no endpoint here means exactly that.
  if (plan.direct) return { env: [literal(Env.tracesSampler, 'xray'), literal(Env.tracesSamplerArg, interval)], warnings: [] };
  if (plan.samplingEndpoint === undefined) return withoutProxy(spec);
  const arg = `endpoint=${plan.samplingEndpoint},${interval}`;
  return { env: [literal(Env.tracesSampler, 'xray'), literal(Env.tracesSamplerArg, arg)], warnings: [] };
}
