// OTEL_RESOURCE_ATTRIBUTES: `key=value` pairs joined by commas, values percent-encoded (OTel SDK environment spec).
// Precedence, lowest first: attributes the engine derives < the XRayTracing's resourceAttributes < the user's own.
import { Env } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import type { WorkloadRef } from './types.js';

/** A value kubelet expands at container start; kept verbatim (pod names and UIDs need no encoding). */
const ref = (envName: string): string => `$(${envName})`;

/** Percent-encodes what the OTel spec does not allow raw in a value (and `$`, which kubelet would expand). */
export function encodeAttributeValue(value: string): string {
  return encodeURIComponent(value);
}

export interface ResourceAttributeFacts {
  namespace: string;
  containerName: string;
  workload?: WorkloadRef;
  clusterName?: string;
}

/** Attributes as `[key, already-encoded value]`, in output order. */
export function derivedAttributes(facts: ResourceAttributeFacts, spec: ResolvedSpec): [string, string][] {
  const attributes = new Map<string, string>();
  const set = (key: string, value: string): void => void attributes.set(key, encodeAttributeValue(value));
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
  return [...attributes.entries()];
}

/** Keys present in a user's OTEL_RESOURCE_ATTRIBUTES value. */
export function attributeKeys(value: string): Set<string> {
  const keys = new Set<string>();
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) keys.add(pair.slice(0, eq).trim());
  }
  return keys;
}

/** The user's value (if any) extended with our pairs whose keys it does not already set. */
export function mergeAttributes(userValue: string | undefined, ours: [string, string][]): string {
  const taken = attributeKeys(userValue ?? '');
  const added = ours.filter(([key]) => !taken.has(key)).map(([key, value]) => `${key}=${value}`);
  const base = userValue?.trim() ? [userValue.trim()] : [];
  return [...base, ...added].join(',');
}
