// What the informer caches keep of each kind. A cluster-wide pod and ConfigMap cache is the operator's largest
// memory cost, so objects are cut down to the fields the webhook and the reconcilers read.
import type { V1ConfigMap, V1DaemonSet, V1Deployment, V1Namespace, V1ObjectMeta, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { ANNOTATION_PREFIX, Env, Labels, MANAGED_BY_VALUE } from '../../../core/src/constants.js';
import type { XRayTracing } from '../../../core/src/api/types.js';

/** Pod labels the controller reads: which revision of its workload a pod belongs to. */
const REVISION_LABELS: readonly string[] = [Labels.podTemplateHash, Labels.controllerRevisionHash];
/**
 * ConfigMap values longer than this are dropped unless their key can be NODE_OPTIONS through `envFrom` (with or
 * without a prefix). NODE_OPTIONS read through `valueFrom` can use any key, but a flag string that long does not
 * occur; certificates, dashboards and scripts do, and they are what would fill the cache.
 */
export const MAX_CACHED_CONFIGMAP_VALUE = 4096;

function pick(record: Record<string, string> | undefined, keep: (key: string) => boolean): Record<string, string> | undefined {
  if (!record) return undefined;
  const kept = Object.entries(record).filter(([key]) => keep(key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function baseMeta(meta: V1ObjectMeta | undefined): V1ObjectMeta {
  return {
    name: meta?.name,
    namespace: meta?.namespace,
    uid: meta?.uid,
    resourceVersion: meta?.resourceVersion,
    generation: meta?.generation,
    creationTimestamp: meta?.creationTimestamp,
    deletionTimestamp: meta?.deletionTimestamp,
  };
}

/** Metadata without managedFields (often most of an object's bytes). */
function metaWithoutManagedFields(meta: V1ObjectMeta | undefined): V1ObjectMeta {
  return { ...baseMeta(meta), labels: meta?.labels, annotations: meta?.annotations, ownerReferences: meta?.ownerReferences, finalizers: meta?.finalizers };
}

export function stripPod(pod: V1Pod): V1Pod {
  const meta = pod.metadata;
  return {
    metadata: {
      ...baseMeta(meta),
      labels: pick(meta?.labels, (key) => REVISION_LABELS.includes(key)),
      annotations: pick(meta?.annotations, (key) => key.startsWith(ANNOTATION_PREFIX)),
      ownerReferences: meta?.ownerReferences?.map(({ apiVersion, kind, name, uid, controller }) => ({ apiVersion, kind, name, uid, controller })),
    },
    spec: {
      containers: (pod.spec?.containers ?? []).map(({ name }) => ({ name })),
      initContainers: pod.spec?.initContainers?.map(({ name }) => ({ name })),
    },
    status: { phase: pod.status?.phase },
  };
}

/** Whether a key can become NODE_OPTIONS through `envFrom` (the env name is prefix + key). */
function canBeNodeOptions(key: string): boolean {
  return key.length > 0 && Env.nodeOptions.endsWith(key);
}

export function stripConfigMap(configMap: V1ConfigMap): V1ConfigMap {
  const data = configMap.data;
  const meta = configMap.metadata;
  // Our own collector ConfigMaps keep labels and owners: the reconciler compares them to skip needless writes.
  const ours = meta?.labels?.[Labels.managedBy] === MANAGED_BY_VALUE;
  return {
    metadata: ours ? { ...baseMeta(meta), labels: meta?.labels, ownerReferences: meta?.ownerReferences } : baseMeta(meta),
    data: data ? (pick(data, (key) => canBeNodeOptions(key) || (data[key] ?? '').length <= MAX_CACHED_CONFIGMAP_VALUE) ?? {}) : undefined,
  };
}

export function stripNamespace(namespace: V1Namespace): V1Namespace {
  const meta = namespace.metadata;
  return { metadata: { ...baseMeta(meta), labels: meta?.labels, annotations: meta?.annotations } };
}

type Workload = V1Deployment | V1StatefulSet | V1DaemonSet;

/** Workloads keep their metadata and pod-template metadata; the pod spec (containers, volumes) is dropped. */
export function stripWorkload<W extends Workload>(workload: W): W {
  const spec = workload.spec as (W['spec'] & { paused?: boolean }) | undefined;
  return {
    apiVersion: workload.apiVersion,
    kind: workload.kind,
    metadata: metaWithoutManagedFields(workload.metadata),
    spec: spec && {
      selector: spec.selector,
      paused: spec.paused,
      template: { metadata: { labels: spec.template.metadata?.labels, annotations: spec.template.metadata?.annotations } },
    },
  } as W;
}

/** XRayTracings are kept whole but for managedFields. */
export function stripXRayTracing(tracing: XRayTracing): XRayTracing {
  const { managedFields: _managedFields, ...metadata } = tracing.metadata as XRayTracing['metadata'] & { managedFields?: unknown };
  return { ...tracing, metadata };
}
