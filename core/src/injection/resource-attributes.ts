// OTEL_RESOURCE_ATTRIBUTES: `key=value` pairs joined by commas, percent-encoded (see attribute-format.ts).
// Precedence, lowest first: attributes the engine derives < the XRayTracing's resourceAttributes < the user's own.
import { Env } from '../constants.js';
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
  // The XRayTracing's attributes replace derived ones in place (Map keeps the first insertion's position).
  for (const [key, value] of Object.entries(spec.resourceAttributes)) set(key, value);
  return { attributes: [...attributes.entries()], warnings };
}

/** The user's value (if any) extended with our pairs whose keys it does not already set. */
export function mergeAttributes(userValue: string | undefined, ours: [string, string][]): string {
  const taken = attributeKeys(userValue ?? '');
  const added = ours.filter(([key]) => !taken.has(key)).map(([key, value]) => `${encodeAttributeText(key)}=${value}`);
  const base = userValue?.trim() ? [userValue.trim()] : [];
  return [...base, ...added].join(',');
}
