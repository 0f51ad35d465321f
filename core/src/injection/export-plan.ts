// Where a pod's spans go: the sidecar on loopback, the gateway, or (no collector) X-Ray itself. hostNetwork pods share the node's ports, so a
// sidecar there would collide with every other such pod on the node.
import { Annotations, CollectorPorts } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import { LEGACY_RECEIVER_PROXY_PORT } from '../collector/render.js';
import type { V1PodLike } from './types.js';

/** Where the app sends spans and asks for sampling rules, through a collector; decided once per pod. */
export interface CollectorExportPlan {
  direct: false;
  otlpEndpoint: string;
  /** The X-Ray sampling proxy; undefined when the pod can reach none (it then samples locally). */
  samplingEndpoint: string | undefined;
  /** The ADOT sidecar runs in the pod (so the legacy X-Ray daemon address points at it). */
  sidecar: boolean;
}

/**
 * No collector (collector.mode none): the preload signs its own requests to X-Ray's OTLP endpoint and sampling API,
 * which it finds from the region (or `awsEndpoint`) at run time.
 */
export interface DirectExportPlan {
  direct: true;
  sidecar: false;
}

export type ExportPlan = CollectorExportPlan | DirectExportPlan;

const DIRECT_PLAN: DirectExportPlan = Object.freeze({ direct: true, sidecar: false });

const LOCAL_SAMPLING_ENDPOINT = `http://localhost:${CollectorPorts.xray}`;
const LOCAL_OTLP_ENDPOINT = `http://localhost:${CollectorPorts.otlpHttp}`;

export type ExportDecision = { ok: true; plan: ExportPlan; warnings: string[] } | { ok: false; reason: string; warning: string };

/**
 * Pods without a sidecar that export to `collector.endpoint` but have no `collector.samplingEndpoint` reach no X-Ray
 * sampling proxy. (Without `collector.endpoint` they use localhost: an `inject-sidecar: "false"` pod's own collector.)
 */
export function sidecarlessPodsLackSamplingProxy(spec: ResolvedSpec): boolean {
  return spec.collector.mode !== 'none' && spec.collector.endpoint !== undefined && spec.collector.samplingEndpoint === undefined;
}

function gatewayPlan(spec: ResolvedSpec): CollectorExportPlan {
  return {
    direct: false,
    otlpEndpoint: spec.collector.endpoint ?? LOCAL_OTLP_ENDPOINT,
    samplingEndpoint: sidecarlessPodsLackSamplingProxy(spec) ? undefined : (spec.collector.samplingEndpoint ?? LOCAL_SAMPLING_ENDPOINT),
    sidecar: false,
  };
}

/** `<port>/<protocol>` the sidecar listens on, as the renderer configures it. */
function collectorListeners(spec: ResolvedSpec): Set<string> {
  const tcp: number[] = [CollectorPorts.otlpGrpc, CollectorPorts.otlpHttp, CollectorPorts.xray, CollectorPorts.health];
  if (spec.collector.legacyXRayReceiver) tcp.push(LEGACY_RECEIVER_PROXY_PORT);
  const listeners = new Set(tcp.map((port) => `${port}/TCP`));
  if (spec.collector.legacyXRayReceiver) listeners.add(`${CollectorPorts.xray}/UDP`);
  return listeners;
}

/** A container that declares a port the collector listens on (an X-Ray daemon or collector of the user's own). */
function portClash(pod: V1PodLike, spec: ResolvedSpec): string | undefined {
  const listeners = collectorListeners(spec);
  for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const port = (container.ports ?? []).find((p) => listeners.has(`${p.containerPort}/${p.protocol ?? 'TCP'}`));
    if (port) return `container "${container.name}" declares port ${port.containerPort}/${port.protocol ?? 'TCP'}, which the collector sidecar listens on`;
  }
  return undefined;
}

/** Why a sidecar does not fit this pod, if it does not: the user-facing problem and how to get around it. */
function sidecarMisfit(pod: V1PodLike, spec: ResolvedSpec, nativeSidecar: boolean): { problem: string; remedy: string } | undefined {
  const force = `annotate the pod ${Annotations.injectSidecar}="true" to force a sidecar`;
  if (pod.spec?.hostNetwork === true) {
    const ports = Object.values(CollectorPorts).join(', ');
    return { problem: `the pod uses hostNetwork, where a collector sidecar would bind the node's ports (${ports}) and collide`, remedy: force };
  }
  const clash = portClash(pod, spec);
  if (clash) return { problem: clash, remedy: `free the port, or ${force}` };
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  if (!nativeSidecar && restartPolicy !== 'Always') {
    return {
      problem: `the pod runs to completion (restartPolicy ${restartPolicy}) and a regular collector sidecar would keep it running forever`,
      remedy: `use native sidecars (Kubernetes ≥ 1.29, collector.nativeSidecar true), or ${force}`,
    };
  }
  return undefined;
}

/**
 * Sidecar, gateway, no collector, or none fits. `nativeSidecar`: the sidecar would be a native one (the XRayTracing asks for it and the
 * cluster supports it).
 */
export function decideExport(pod: V1PodLike, spec: ResolvedSpec, nativeSidecar: boolean): ExportDecision {
  if (spec.collector.mode === 'none') return { ok: true, plan: DIRECT_PLAN, warnings: [] };
  if (spec.collector.mode === 'gateway') return { ok: true, plan: gatewayPlan(spec), warnings: [] };
  const sidecarAnnotation = pod.metadata?.annotations?.[Annotations.injectSidecar]?.trim().toLowerCase();
  if (sidecarAnnotation === 'false') return { ok: true, plan: gatewayPlan(spec), warnings: [] };
  const sidecarPlan: CollectorExportPlan = { direct: false, otlpEndpoint: LOCAL_OTLP_ENDPOINT, samplingEndpoint: LOCAL_SAMPLING_ENDPOINT, sidecar: true };
  const misfit = sidecarAnnotation === 'true' ? undefined : sidecarMisfit(pod, spec, nativeSidecar);
  if (!misfit) return { ok: true, plan: sidecarPlan, warnings: [] };
  if (spec.collector.endpoint) {
    const warning = `No collector sidecar was added: ${misfit.problem}; spans go to ${spec.collector.endpoint}`;
    return { ok: true, plan: gatewayPlan(spec), warnings: [warning] };
  }
  return {
    ok: false,
    reason: `No collector sidecar fits: ${misfit.problem}`,
    warning: `Node.js tracing was not injected: ${misfit.problem}. Set collector.endpoint in the XRayTracing (a gateway collector for pods without a sidecar), or ${misfit.remedy}`,
  };
}
