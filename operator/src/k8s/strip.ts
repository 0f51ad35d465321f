// What the informer caches keep of each kind. A cluster-wide pod and ConfigMap cache is the operator's largest
// memory cost, so objects are cut down to the fields the webhook and the reconcilers read.
import type { V1ConfigMap, V1ContainerStatus, V1DaemonSet, V1Deployment, V1Namespace, V1ObjectMeta, V1Pod, V1PodStatus, V1StatefulSet } from '@kubernetes/client-node';
import { ANNOTATION_PREFIX, Env, Labels, MANAGED_BY_VALUE } from '../../../core/src/constants.js';
import type { XRayTracing } from '../../../core/src/api/types.js';

/** Pod labels the controller reads: which revision of its workload a pod belongs to. */
const REVISION_LABELS: readonly string[] = [Labels.podTemplateHash, Labels.controllerRevisionHash];
/**
 * XRayTracing selectors match pod labels, so the controller counts and rolls from them: a pod's labels are kept
 * while they total at most this many characters (Kubernetes bounds each label, not their number). Beyond it only
 * the revision labels are kept, and such a pod is counted as if no selector matched it.
 */
export const MAX_CACHED_POD_LABEL_CHARS = 4096;
/**
 * What the cache keeps of a ConfigMap is bounded whatever a tenant puts in it (a ConfigMap holds up to 1 MiB). The
 * engine reads ConfigMaps only through `envFrom`: whether a key is set (any env var it might add), and the value of
 * NODE_OPTIONS and OTEL_RESOURCE_ATTRIBUTES, whose keys are suffixes of those names once a prefix is applied. So keys
 * are kept with empty values, those two values up to MAX_CACHED_CONFIGMAP_VALUE, and key names up to
 * MAX_CACHED_CONFIGMAP_KEY_BYTES; anything left out marks the copy incomplete, and the engine then treats a key it
 * cannot find as unreadable rather than absent.
 */
export const MAX_CACHED_CONFIGMAP_VALUE = 4096;
export const MAX_CACHED_CONFIGMAP_KEY_BYTES = 16 * 1024;
export const INCOMPLETE_ANNOTATION = 'xray-operator.dev/cache-incomplete';
const VALUES_READ = [Env.nodeOptions, Env.resourceAttributes];
/** Our collector ConfigMaps' short values (the config hash) are kept: the reconciler compares them to skip writes. */
const MAX_SHORT_VALUE = 64;

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

function boundedLabels(labels: Record<string, string> | undefined): Record<string, string> | undefined {
  const size = Object.entries(labels ?? {}).reduce((sum, [key, value]) => sum + key.length + value.length, 0);
  return size <= MAX_CACHED_POD_LABEL_CHARS ? labels : pick(labels, (key) => REVISION_LABELS.includes(key));
}

export function stripPod(pod: V1Pod): V1Pod {
  const meta = pod.metadata;
  return {
    metadata: {
      ...baseMeta(meta),
      labels: boundedLabels(meta?.labels),
      annotations: pick(meta?.annotations, (key) => key.startsWith(ANNOTATION_PREFIX)),
      ownerReferences: meta?.ownerReferences?.map(({ apiVersion, kind, name, uid, controller }) => ({ apiVersion, kind, name, uid, controller })),
    },
    spec: {
      containers: (pod.spec?.containers ?? []).map(({ name }) => ({ name })),
      initContainers: pod.spec?.initContainers?.map(({ name }) => ({ name })),
    },
    status: podHealth(pod.status),
  };
}

/**
 * The phase, the Ready condition and the containers that restarted or wait (a crash loop), for the rollback decision.
 * Containers that never restarted and run are left out: most pods' statuses then cost nothing.
 */
function podHealth(status: V1PodStatus | undefined): V1PodStatus {
  const ready = status?.conditions?.find((condition) => condition.type === 'Ready');
  const troubled = (status?.containerStatuses ?? [])
    .filter((container) => container.restartCount > 0 || container.state?.waiting)
    .map(({ name, restartCount, ready: containerReady, state }) => ({
      name,
      restartCount,
      ready: containerReady,
      ...(state?.waiting ? { state: { waiting: { reason: state.waiting.reason } } } : {}),
    }) as V1ContainerStatus);
  return {
    phase: status?.phase,
    ...(ready ? { conditions: [{ type: 'Ready', status: ready.status }] } : {}),
    ...(troubled.length > 0 ? { containerStatuses: troubled } : {}),
  };
}

/** Whether a key's value can become NODE_OPTIONS or OTEL_RESOURCE_ATTRIBUTES through `envFrom` (name = prefix + key). */
function valueIsRead(key: string): boolean {
  return key.length > 0 && VALUES_READ.some((name) => name.endsWith(key));
}

function boundedData(data: Record<string, string>, keepShort: boolean): { data: Record<string, string>; complete: boolean } {
  const kept: Record<string, string> = {};
  let keyBytes = 0;
  let complete = true;
  for (const key of Object.keys(data).sort()) {
    keyBytes += key.length;
    if (keyBytes > MAX_CACHED_CONFIGMAP_KEY_BYTES) return { data: kept, complete: false };
    const value = data[key] ?? '';
    if (!valueIsRead(key)) kept[key] = keepShort && value.length <= MAX_SHORT_VALUE ? value : '';
    else if (value.length <= MAX_CACHED_CONFIGMAP_VALUE) kept[key] = value;
    else complete = false;
  }
  return { data: kept, complete };
}

export function stripConfigMap(configMap: V1ConfigMap): V1ConfigMap {
  const meta = configMap.metadata;
  // Our own collector ConfigMaps keep labels and owners: the reconciler compares them to skip needless writes. (The
  // label is no privilege: anyone's ConfigMap with it is kept within the same bounds.)
  const ours = meta?.labels?.[Labels.managedBy] === MANAGED_BY_VALUE;
  const metadata = ours ? { ...baseMeta(meta), labels: meta?.labels, ownerReferences: meta?.ownerReferences } : baseMeta(meta);
  if (!configMap.data) return { metadata };
  const { data, complete } = boundedData(configMap.data, ours);
  return { metadata: complete ? metadata : { ...metadata, annotations: { [INCOMPLETE_ANNOTATION]: 'true' } }, data };
}

export function stripNamespace(namespace: V1Namespace): V1Namespace {
  const meta = namespace.metadata;
  return { metadata: { ...baseMeta(meta), labels: meta?.labels, annotations: meta?.annotations } };
}

type Workload = V1Deployment | V1StatefulSet | V1DaemonSet;

/** The status fields a rollout's progress is read from (core/src/rollout/progress.ts), whichever kind has them. */
const ROLLOUT_STATUS_FIELDS = [
  'observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'currentRevision', 'updateRevision',
  'desiredNumberScheduled', 'updatedNumberScheduled', 'numberAvailable',
] as const;

function rolloutStatus(status: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!status) return undefined;
  const kept: Record<string, unknown> = {};
  for (const field of ROLLOUT_STATUS_FIELDS) if (status[field] !== undefined) kept[field] = status[field];
  const conditions = status.conditions as { type: string; status: string; reason?: string }[] | undefined;
  const progressing = conditions?.find((condition) => condition.type === 'Progressing');
  if (progressing) kept.conditions = [{ type: progressing.type, status: progressing.status, reason: progressing.reason }];
  return kept;
}

/**
 * Workloads keep their metadata, pod-template metadata, replicas and what their rollout's progress is read from; the
 * pod spec (containers, volumes) is dropped.
 */
export function stripWorkload<W extends Workload>(workload: W): W {
  const spec = workload.spec as (W['spec'] & { paused?: boolean; replicas?: number; updateStrategy?: { rollingUpdate?: { partition?: number } } }) | undefined;
  const partition = spec?.updateStrategy?.rollingUpdate?.partition;
  return {
    apiVersion: workload.apiVersion,
    kind: workload.kind,
    metadata: metaWithoutManagedFields(workload.metadata),
    spec: spec && {
      selector: spec.selector,
      paused: spec.paused,
      replicas: spec.replicas,
      ...(partition === undefined ? {} : { updateStrategy: { rollingUpdate: { partition } } }),
      template: { metadata: { labels: spec.template.metadata?.labels, annotations: spec.template.metadata?.annotations } },
    },
    status: rolloutStatus(workload.status as Record<string, unknown> | undefined),
  } as W;
}

/** XRayTracings are kept whole but for managedFields. */
export function stripXRayTracing(tracing: XRayTracing): XRayTracing {
  const { managedFields: _managedFields, ...metadata } = tracing.metadata as XRayTracing['metadata'] & { managedFields?: unknown };
  return { ...tracing, metadata };
}
