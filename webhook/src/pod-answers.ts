// The answer for a pod (patch, warnings, outcome) without the request's uid — and a cache of them. A ReplicaSet
// creates its pods identical (at mutating admission they do not even have a name yet), so a scale-up or rollout
// of N replicas asks N times for the same answer. The engine is a pure function of the pod, the namespace and what
// it reads from the ClusterView; we record those reads, and a cached answer is reused only while every one of them
// still returns the same objects (informer caches replace an object whenever it changes).
import { injectWithView, selectTracing } from '../../core/src/injection/index.js';
import type { SpecResolver, V1PodLike } from '../../core/src/injection/index.js';
import { LruMap } from '../../core/src/lru-map.js';
import type { ClusterView } from '../../core/src/ports.js';
import { encodePatch, podPatch } from './patch.js';

export interface PodAnswer {
  outcome: 'injected' | 'unchanged';
  /** The XRayTracing used (injected), or why the pod was left alone (unchanged). */
  detail: string;
  /** Base64 JSON patch, when injected. */
  patch?: string;
  warnings: readonly string[];
  /** No XRayTracing to inject from: the caller records an Event. */
  missingTracing: boolean;
}

export type PodAnswerer = (pod: V1PodLike, namespace: string) => PodAnswer;

/** Runs the engine and turns its outcome into an answer. Throws what the engine throws. */
export function answerPod(pod: V1PodLike, namespace: string, view: ClusterView, resolve: SpecResolver): PodAnswer {
  const result = injectWithView(pod, namespace, view, resolve);
  if (result.action === 'unchanged') {
    const warnings = result.missingTracing && result.warnings.length === 0 ? [result.reason] : result.warnings;
    return { outcome: 'unchanged', detail: result.reason, warnings, missingTracing: result.missingTracing === true };
  }
  const operations = podPatch(pod, result.pod);
  if (operations.length === 0) return { outcome: 'unchanged', detail: 'Injection changed nothing', warnings: result.warnings, missingTracing: false };
  return { outcome: 'injected', detail: result.tracingName, patch: encodePatch(operations), warnings: result.warnings, missingTracing: false };
}

interface Lookup {
  method: 'listXRayTracings' | 'getConfigMap' | 'getNamespace' | 'nativeSidecarsSupported' | 'clusterName';
  args: string[];
  result: unknown;
}

interface Entry {
  answer: PodAnswer;
  lookups: Lookup[];
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
    // Most pods are not opted in, and the engine tells so in a microsecond: cheaper than building a cache key.
    if (maxEntries === 0 || !isSelected(pod, namespace, view)) return answerPod(pod, namespace, view, resolve);
    const key = cacheKey(pod, namespace);
    if (key === undefined) return answerPod(pod, namespace, view, resolve);
    const cached = entries.get(key);
    if (cached && cached.lookups.every((lookup) => sameResult(replay(view, lookup), lookup.result))) {
      entries.set(key, cached);
      return cached.answer;
    }
    const lookups: Lookup[] = [];
    const answer = answerPod(pod, namespace, recordingView(view, lookups), resolve);
    entries.set(key, { answer, lookups });
    return answer;
  };
}

function isSelected(pod: V1PodLike, namespace: string, view: ClusterView): boolean {
  const namespaceAnnotations = view.getNamespace(namespace)?.metadata.annotations;
  return selectTracing(pod.metadata?.annotations, namespaceAnnotations, view.listXRayTracings(namespace), namespace).kind === 'selected';
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

function recordingView(view: ClusterView, lookups: Lookup[]): ClusterView {
  const record = <T>(method: Lookup['method'], args: string[], result: T): T => {
    lookups.push({ method, args, result });
    return result;
  };
  return {
    listXRayTracings: (namespace) => record('listXRayTracings', [namespace], view.listXRayTracings(namespace)),
    getConfigMap: (namespace, name) => record('getConfigMap', [namespace, name], view.getConfigMap(namespace, name)),
    getNamespace: (name) => record('getNamespace', [name], view.getNamespace(name)),
    nativeSidecarsSupported: () => record('nativeSidecarsSupported', [], view.nativeSidecarsSupported()),
    clusterName: () => record('clusterName', [], view.clusterName()),
  };
}

function replay(view: ClusterView, lookup: Lookup): unknown {
  const [first = '', second = ''] = lookup.args;
  switch (lookup.method) {
    case 'listXRayTracings':
      return view.listXRayTracings(first);
    case 'getConfigMap':
      return view.getConfigMap(first, second);
    case 'getNamespace':
      return view.getNamespace(first);
    case 'nativeSidecarsSupported':
      return view.nativeSidecarsSupported();
    case 'clusterName':
      return view.clusterName();
  }
}

/** Same objects (lists compared element by element: views may build a new array on every call). */
function sameResult(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((item, i) => item === b[i]);
}
