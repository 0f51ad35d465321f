// Tells a pod's workload from its ownerReferences and names, without API calls (the webhook never makes any).
import { Annotations, Labels } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';
import type { PodMetadataLike, WorkloadRef } from './types.js';

/** CronJob-created Jobs are named `<cronjob>-<minutes since the epoch>`. */
const CRONJOB_JOB_NAME = /^(.+)-\d{8,}$/;

function controllerOf(metadata: PodMetadataLike): { kind: string; name: string } | undefined {
  const owners = metadata.ownerReferences ?? [];
  return owners.find((o) => o.controller === true) ?? owners[0];
}

/** The workload that manages the pod: a ReplicaSet's Deployment, a Job's CronJob, else the controller itself. */
export function workloadOf(metadata: PodMetadataLike): WorkloadRef | undefined {
  const owner = controllerOf(metadata);
  if (!owner) return undefined;
  if (owner.kind === 'ReplicaSet') {
    const hash = metadata.labels?.[Labels.podTemplateHash];
    if (hash && owner.name.endsWith(`-${hash}`)) {
      return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1), replicaSetName: owner.name };
    }
    return { kind: 'ReplicaSet', name: owner.name };
  }
  if (owner.kind === 'Job') {
    const match = CRONJOB_JOB_NAME.exec(owner.name);
    if (match?.[1]) return { kind: 'CronJob', name: match[1] };
  }
  return { kind: owner.kind, name: owner.name };
}

/** The pod's own name; at admission a generated name is not known yet, so its `generateName` stem stands in. */
export function podDisplayName(metadata: PodMetadataLike): string {
  if (metadata.name) return metadata.name;
  return (metadata.generateName ?? '').replace(/-+$/, '') || 'pod';
}

/** OTEL_SERVICE_NAME: annotation, else the first configured label, else the workload, else the pod. */
export function serviceNameFor(metadata: PodMetadataLike, workload: WorkloadRef | undefined, namespace: string, spec: ResolvedSpec): string {
  const fromAnnotation = metadata.annotations?.[Annotations.serviceName]?.trim();
  if (fromAnnotation) return fromAnnotation;
  const labels = metadata.labels ?? {};
  const fromLabel = spec.serviceNaming.labelKeys.map((key) => labels[key]?.trim()).find((value) => value);
  const base = fromLabel ?? workload?.name ?? podDisplayName(metadata);
  return spec.serviceNaming.prefixWithNamespace ? `${namespace}.${base}` : base;
}
