// Where a pod's spans go: the sidecar on loopback, or the gateway. hostNetwork pods share the node's ports, so a
// sidecar there would collide with every other such pod on the node.
import { Annotations, CollectorPorts } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import { LOCAL_OTLP_ENDPOINT, LOCAL_SAMPLING_ENDPOINT, type ExportPlan } from './app-env.js';
import type { V1PodLike } from './types.js';

export type ExportDecision = { ok: true; plan: ExportPlan; warnings: string[] } | { ok: false; reason: string; warning: string };

function gatewayPlan(spec: ResolvedSpec): ExportPlan {
  return {
    otlpEndpoint: spec.collector.endpoint ?? LOCAL_OTLP_ENDPOINT,
    samplingEndpoint: spec.collector.samplingEndpoint ?? LOCAL_SAMPLING_ENDPOINT,
    sidecar: false,
  };
}

export function decideExport(pod: V1PodLike, spec: ResolvedSpec): ExportDecision {
  if (spec.collector.mode === 'gateway') return { ok: true, plan: gatewayPlan(spec), warnings: [] };
  const sidecarAnnotation = pod.metadata?.annotations?.[Annotations.injectSidecar]?.trim().toLowerCase();
  if (sidecarAnnotation === 'false') return { ok: true, plan: gatewayPlan(spec), warnings: [] };
  const sidecarPlan: ExportPlan = { otlpEndpoint: LOCAL_OTLP_ENDPOINT, samplingEndpoint: LOCAL_SAMPLING_ENDPOINT, sidecar: true };
  if (pod.spec?.hostNetwork !== true || sidecarAnnotation === 'true') return { ok: true, plan: sidecarPlan, warnings: [] };
  if (spec.collector.endpoint) {
    return {
      ok: true,
      plan: gatewayPlan(spec),
      warnings: [`Pod uses hostNetwork: no collector sidecar was added (its ports would collide on the node); spans go to ${spec.collector.endpoint}`],
    };
  }
  const ports = Object.values(CollectorPorts).join(', ');
  const reason = `Pod uses hostNetwork, where a collector sidecar would bind the node's ports (${ports}) and collide`;
  return {
    ok: false,
    reason,
    warning:
      `Node.js tracing was not injected: the pod uses hostNetwork, where a collector sidecar would bind the node's ports and collide. Use collector.mode "gateway" in the XRayTracing, ` +
      `or annotate the pod ${Annotations.injectSidecar}="true" to force a sidecar`,
  };
}
