// Container resources copied from the resolved spec into a pod.
import type { ResourceRequirements } from '../api/types.js';

/**
 * Its own copy for each pod (the spec is shared by every pod injected from it), made field by field: the shape is
 * two flat maps, and structuredClone cost more than the rest of the container.
 */
export function copyResources(resources: ResourceRequirements): ResourceRequirements {
  const copy: ResourceRequirements = {};
  if (resources.requests) copy.requests = { ...resources.requests };
  if (resources.limits) copy.limits = { ...resources.limits };
  return copy;
}
