// What the engine read from a ClusterView, and whether those reads still hold: the engine is a pure function of the
// pod, the namespace and these reads, so an answer computed once stays right while every read returns the same
// objects (informer caches replace an object whenever it changes). The webhook caches answers on this.
import type { ClusterView } from '../ports.js';

export interface ViewLookup {
  method: keyof ClusterView;
  args: readonly string[];
  result: unknown;
}

type AnyLookup = (...args: string[]) => unknown;

const call = (view: ClusterView, method: keyof ClusterView, args: readonly string[]): unknown => (view[method] as AnyLookup).apply(view, [...args]);

/** A view that appends every read (method, arguments, result) to `lookups`. */
export function recordingView(view: ClusterView, lookups: ViewLookup[]): ClusterView {
  const record = <M extends keyof ClusterView>(method: M): ClusterView[M] =>
    ((...args: string[]): unknown => {
      const result = call(view, method, args);
      lookups.push({ method, args, result });
      return result;
    }) as ClusterView[M];
  return {
    listXRayTracings: record('listXRayTracings'),
    getConfigMap: record('getConfigMap'),
    getNamespace: record('getNamespace'),
    nativeSidecarsSupported: record('nativeSidecarsSupported'),
    clusterName: record('clusterName'),
  };
}

/** Every recorded read returns the same as when it was recorded (lists compared element by element). */
export function lookupsStillHold(view: ClusterView, lookups: readonly ViewLookup[]): boolean {
  return lookups.every((lookup) => sameResult(call(view, lookup.method, lookup.args), lookup.result));
}

/** Same objects (views may build a new array on every call). */
function sameResult(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((item, i) => item === b[i]);
}
