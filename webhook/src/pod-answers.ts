// The answer for a pod (patch, warnings, outcome) without the request's uid — and a cache of them. A ReplicaSet
// creates its pods identical (at mutating admission they do not even have a name yet), so a scale-up or rollout
// of N replicas asks N times for the same answer. The engine is a pure function of the pod, the namespace and what
// it reads from the ClusterView; the core says which XRayTracing it selected and what it read, and a cached answer
// is reused only while every one of those reads still returns the same objects. This module only caches.
import { lookupsStillHold, type ViewLookup } from '../../core/src/cluster-view/recording-view.js';
import { injectWithView, selectWithView } from '../../core/src/injection/index.js';
import type { InjectionOutcome, SpecResolver, V1PodLike } from '../../core/src/injection/index.js';
import { Annotations } from '../../core/src/constants.js';
import { LruMap } from '../../core/src/lru-map.js';
import type { ClusterView } from '../../core/src/ports.js';
import type { Base64 } from './admission-review.js';
import { encodePatch, podPatch } from './patch.js';

export interface PodAnswer {
  /** skipped: the pod opted in but was not injected; its patch only records why (the injection-skipped annotation). */
  outcome: 'injected' | 'skipped' | 'unchanged';
  /** The XRayTracing used (injected), or why the pod was left alone (unchanged). */
  detail: string;
  /** Base64 JSON patch, when injected. */
  patch?: Base64;
  warnings: readonly string[];
  /** No XRayTracing to inject from: the caller records an Event. */
  missingTracing: boolean;
  /** Nothing asked for tracing (most pods): not worth a log line at info. */
  notOptedIn?: boolean;
}

export type PodAnswerer = (pod: V1PodLike, namespace: string) => PodAnswer;

/** Runs the engine and turns its outcome into an answer. Throws what the engine throws. */
export function answerPod(pod: V1PodLike, namespace: string, view: ClusterView, resolve: SpecResolver): PodAnswer {
  return toAnswer(pod, injectWithView(pod, namespace, view, resolve));
}

function toAnswer(pod: V1PodLike, result: InjectionOutcome): PodAnswer {
  if (result.action === 'unchanged') {
    const warnings = result.missingTracing && result.warnings.length === 0 ? [result.reason] : result.warnings;
    const missingTracing = result.missingTracing === true;
    if (!result.skipped) return { outcome: 'unchanged', detail: result.reason, warnings, missingTracing, notOptedIn: result.notOptedIn };
    const annotated = { ...pod, metadata: { ...pod.metadata, annotations: { ...pod.metadata?.annotations, [Annotations.injectionSkipped]: result.skipped } } };
    return { outcome: 'skipped', detail: result.reason, patch: encodePatch(podPatch(pod, annotated)), warnings, missingTracing };
  }
  const operations = podPatch(pod, result.pod);
  if (operations.length === 0) return { outcome: 'unchanged', detail: 'Injection changed nothing', warnings: result.warnings, missingTracing: false };
  return { outcome: 'injected', detail: result.tracingName, patch: encodePatch(operations), warnings: result.warnings, missingTracing: false };
}

interface Entry {
  answer: PodAnswer;
  lookups: readonly ViewLookup[];
}

export interface CachedAnswererOptions {
  view: ClusterView;
  resolve: SpecResolver;
  /** Answers kept (least recently used dropped first); 0 turns the cache off. */
  maxEntries?: number;
}

/** Larger pods are answered every time: their keys would cost more memory than the engine costs time. */
const MAX_KEY_LENGTH = 64 * 1024;

/** `answerPod` with a bounded cache of answers for identical pods. `resolve` must be a pure function of its object. */
export function cachedAnswerer(options: CachedAnswererOptions): PodAnswerer {
  const { view, resolve } = options;
  const maxEntries = options.maxEntries ?? 256;
  const entries = new LruMap<string, Entry>(maxEntries);
  return (pod, namespace) => {
    if (maxEntries === 0) return answerPod(pod, namespace, view, resolve);
    // Most pods are not opted in, and the engine tells so in a microsecond: cheaper than building a cache key.
    const selection = selectWithView(pod, namespace, view);
    if (!selection.selected) return toAnswer(pod, selection.inject(resolve));
    const key = cacheKey(pod, namespace);
    if (key === undefined) return toAnswer(pod, selection.inject(resolve));
    const cached = entries.get(key);
    if (cached && lookupsStillHold(view, cached.lookups)) {
      entries.set(key, cached);
      return cached.answer;
    }
    const answer = toAnswer(pod, selection.inject(resolve));
    entries.set(key, { answer, lookups: selection.lookups });
    return answer;
  };
}

/**
 * The pod as JSON without managedFields: the API server stamps them with the second the request came in, and
 * neither the engine nor the patch looks at them.
 */
function cacheKey(pod: V1PodLike, namespace: string): string | undefined {
  const withoutManagedFields = pod.metadata && 'managedFields' in pod.metadata ? { ...pod, metadata: { ...pod.metadata, managedFields: undefined } } : pod;
  const key = `${namespace}\n${JSON.stringify(withoutManagedFields)}`;
  return key.length <= MAX_KEY_LENGTH ? key : undefined;
}
