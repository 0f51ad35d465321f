// Container resources copied from the resolved spec into a pod.
import type { ResourceRequirements } from '../api/types.js';

/**
 * A copy for the injected container, which is frozen with the parts it belongs to (shared-parts.ts) while the spec's
 * own objects are not. Field by field: the shape is two flat maps.
 */
export function copyResources(resources: ResourceRequirements): ResourceRequirements {
  const copy: ResourceRequirements = {};
  if (resources.requests) copy.requests = { ...resources.requests };
  if (resources.limits) copy.limits = { ...resources.limits };
  return copy;
}
