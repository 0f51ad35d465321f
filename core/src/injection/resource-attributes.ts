// OTEL_RESOURCE_ATTRIBUTES: `key=value` pairs joined by commas, percent-encoded (see attribute-format.ts).
// Precedence, lowest first: attributes the engine derives < the XRayTracing's resourceAttributes < the user's own,
// except the namespace: the sampler scopes the namespace's X-Ray rules by it, so the pod's real namespace always wins.
import { Env, SAMPLING_NAMESPACE_ATTRIBUTE } from '../constants.js';
import { isReservedResourceAttribute } from '../api/reserved-attributes.js';
import type { ResolvedSpec } from '../api/types.js';
import { attributeKeys, attributeLengthProblem, encodeAttributeText } from './attribute-format.js';
import type { WorkloadRef } from './types.js';

/** A value kubelet expands at container start; kept verbatim (pod names and UIDs need no encoding). */
const ref = (envName: string): string => `$(${envName})`;

export interface ResourceAttributeFacts {
  namespace: string;
  containerName: string;
  workload?: WorkloadRef;
  clusterName?: string;
}

export interface DerivedAttributes {
  /** `[key, already-encoded value]`, in output order. */
  attributes: [string, string][];
  /** Attributes left out because the SDK would drop every attribute over them. */
  warnings: string[];
}

export function derivedAttributes(facts: ResourceAttributeFacts, spec: ResolvedSpec): DerivedAttributes {
  const attributes = new Map<string, string>();
  const warnings: string[] = [];
  const set = (key: string, value: string): void => {
    const problem = attributeLengthProblem(key, value);
    if (problem) warnings.push(`Resource attribute "${key.slice(0, 64)}" was left out of ${Env.resourceAttributes}: ${problem}`);
    else attributes.set(key, encodeAttributeText(value));
  };
  set('k8s.namespace.name', facts.namespace);
  attributes.set('k8s.pod.name', ref(Env.podName));
  attributes.set('k8s.pod.uid', ref(Env.podUid));
  attributes.set('k8s.node.name', ref(Env.nodeName));
  set('k8s.container.name', facts.containerName);
  if (facts.workload) set(`k8s.${facts.workload.kind.toLowerCase()}.name`, facts.workload.name);
  if (facts.workload?.replicaSetName) set('k8s.replicaset.name', facts.workload.replicaSetName);
  if (facts.clusterName) set('k8s.cluster.name', facts.clusterName);
  set('cloud.provider', 'aws');
  set('cloud.platform', 'aws_eks');
  set('service.namespace', facts.namespace);
  // The XRayTracing's attributes replace derived ones in place (Map keeps the first insertion's position). Reserved
  // keys are refused by validation; skipped here too, so no path lets a spec claim another namespace.
  for (const [key, value] of Object.entries(spec.resourceAttributes)) if (!isReservedResourceAttribute(key)) set(key, value);
  return { attributes: [...attributes.entries()], warnings };
}

const pair = ([key, value]: [string, string]): string => `${encodeAttributeText(key)}=${value}`;

/** Our pairs that must beat the user's: written after the user's value, since the SDK lets a later key win. */
export function namespaceBinding(ours: [string, string][]): string[] {
  return ours.filter(([key]) => key === SAMPLING_NAMESPACE_ATTRIBUTE).map(pair);
}

/** The user's value (if any) extended with our pairs whose keys it does not already set, and the namespace binding. */
export function mergeAttributes(userValue: string | undefined, ours: [string, string][]): string {
  const taken = attributeKeys(userValue ?? '');
  const added = ours.filter(([key]) => !taken.has(key)).map(pair);
  const base = userValue?.trim() ? [userValue.trim()] : [];
  const rebound = taken.has(SAMPLING_NAMESPACE_ATTRIBUTE) ? namespaceBinding(ours) : [];
  return [...base, ...added, ...rebound].join(',');
}
