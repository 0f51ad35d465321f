// Parts of an injected pod that depend only on the resolved spec (the preload copier, the collector sidecar, the
// volume, the mount, most of the app's env entries) are built once per spec and shared by every pod injected from
// it. Shared parts are deeply frozen: no consumer can change one pod's part under another, and a frozen part's JSON
// never changes, so the webhook encodes it once (webhook/src/patch.ts).
import type { ResolvedSpec } from '../api/types.js';

/** Freezes `value` and everything below it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}

/** `build`, called once per resolved spec (specs are immutable and the edge reuses them); its results deeply frozen. */
export function oncePerSpec<T>(build: (spec: ResolvedSpec) => T): (spec: ResolvedSpec) => T {
  const built = new WeakMap<ResolvedSpec, T>();
  return (spec) => {
    if (built.has(spec)) return built.get(spec) as T;
    const part = deepFreeze(build(spec));
    built.set(spec, part);
    return part;
  };
}
