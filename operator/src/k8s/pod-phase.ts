// A pod's lifecycle as the controllers read it from the cache.
import type { V1Pod } from '@kubernetes/client-node';

/** The pod ran to completion or failed: it will not run again, so it neither needs nor counts as injected. */
export function podHasFinished(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
