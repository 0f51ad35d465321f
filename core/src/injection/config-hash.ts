// The hash in the `injected` annotation: it changes exactly when a newly injected pod would differ. Sampling rules
// are left out (pods fetch them live through the sampling proxy); the sampling mode, ratio and polling interval are in
// (in centralized mode the ratio only when pods without a sidecar sample locally at it for lack of a proxy).
import { createHash } from 'node:crypto';
import { compareText } from '../compare-text.js';
import type { ResolvedSpec } from '../api/types.js';
import { sidecarlessPodsLackSamplingProxy } from './export-plan.js';

/** Cluster facts that shape injected pods besides the spec. */
export interface ClusterFacts {
  clusterName?: string;
  nativeSidecarsSupported: boolean;
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareText(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The part of the spec that reaches the pod. */
function podAffectingSpec(spec: ResolvedSpec): unknown {
  const { sampling } = spec;
  const samplingInPod =
    sampling.mode === 'local'
      ? { mode: sampling.mode, fixedRate: sampling.fixedRate }
      : {
          mode: sampling.mode,
          pollingIntervalSeconds: sampling.pollingIntervalSeconds,
          fallbackRate: sidecarlessPodsLackSamplingProxy(spec) ? sampling.fixedRate : undefined,
        };
  return {
    serviceNaming: spec.serviceNaming,
    resourceAttributes: spec.resourceAttributes,
    propagators: spec.propagators,
    // Defaults of later settings are left out, so pods injected before a setting existed keep their hash.
    instrumentation: {
      ...spec.instrumentation,
      traceIds: spec.instrumentation.traceIds === 'xray' ? undefined : spec.instrumentation.traceIds,
      middlewareSpans: spec.instrumentation.middlewareSpans || undefined,
    },
    // The choice itself never reaches the pod, and the xray export renders as before exporters could be chosen: an
    // operator upgrade must not roll every injected workload.
    collector: { ...spec.collector, exporter: undefined, export: spec.collector.export === 'xray' ? undefined : spec.collector.export },
    sampling: samplingInPod,
  };
}

/** Resolved specs are immutable and reused by the edge per XRayTracing: hash each (with its facts) once. */
const hashes = new WeakMap<ResolvedSpec, Map<string, string>>();

/** 16 hex characters of a SHA-256 over the pod-affecting spec and cluster facts (key order does not matter). */
export function injectionConfigHash(spec: ResolvedSpec, facts: ClusterFacts): string {
  let bySpec = hashes.get(spec);
  if (bySpec === undefined) hashes.set(spec, (bySpec = new Map<string, string>()));
  // A cheap key for the memo (every pod asks); the hashed text is unchanged, so injected pods keep their hash.
  const memoKey = `${facts.nativeSidecarsSupported ? 1 : 0}${facts.clusterName === undefined ? '' : `:${facts.clusterName}`}`;
  let hash = bySpec.get(memoKey);
  if (hash === undefined) {
    const factsKey = stableStringify({ clusterName: facts.clusterName, nativeSidecars: facts.nativeSidecarsSupported });
    const input = `${stableStringify(podAffectingSpec(spec))}|${factsKey}`;
    hash = createHash('sha256').update(input).digest('hex').slice(0, 16);
    bySpec.set(memoKey, hash);
  }
  return hash;
}
