// Test objects and waits shared by the scenarios.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment, type V1Pod, type V1PodSpec } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, Annotations, InjectedNames, XRAY_TRACING_PLURAL } from '../../core/src/constants.js';
import type { XRayTracingSpec } from '../../core/src/api/types.js';
import { createNamespace, waitFor } from './kube.js';

/** A pod spec that the `restricted` Pod Security profile admits. */
export function restrictedPodSpec(): V1PodSpec {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{
      name: 'app',
      image: 'example.invalid/shop/checkout:1',
      command: ['node', 'server.js'],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    }],
  };
}

export interface DeploymentOptions {
  /** Where the opt-in annotation goes: the pod template, the Deployment itself, or nowhere. */
  optIn?: 'template' | 'workload' | 'none';
  replicas?: number;
  podSpec?: V1PodSpec;
}

// Recreate: old pods go before new ones come. With no kubelet, new pods never become Ready, so a
// rolling update would stall with old and new pods side by side; unscheduled pods are deleted at once.

export function deployment(namespace: string, name: string, options: DeploymentOptions = {}): V1Deployment {
  const optIn = options.optIn ?? 'template';
  const annotation = { [Annotations.injectNodejs]: 'true' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, annotations: optIn === 'workload' ? annotation : {} },
    spec: {
      replicas: options.replicas ?? 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: optIn === 'template' ? annotation : {} },
        spec: options.podSpec ?? restrictedPodSpec(),
      },
    },
  };
}

export async function createXRayTracing(kc: KubeConfig, namespace: string, name: string, spec: XRayTracingSpec): Promise<unknown> {
  return kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: API_GROUP, version: API_VERSION, namespace, plural: XRAY_TRACING_PLURAL,
    body: { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: 'XRayTracing', metadata: { name, namespace }, spec },
  });
}

/** A namespace with an XRayTracing `default` (empty spec) whose pods the webhook already injects. */
export async function createTracedNamespace(kc: KubeConfig, namespace: string, labels: Record<string, string> = {}): Promise<void> {
  await createNamespace(kc, namespace, labels);
  await createXRayTracing(kc, namespace, 'default', {});
  await waitForWebhookToInject(kc, namespace);
}

export function isInjectedPod(pod: V1Pod): boolean {
  return pod.metadata?.annotations?.[Annotations.injected] !== undefined
    && (pod.spec?.initContainers ?? []).some((container) => container.name === InjectedNames.initContainer);
}

/**
 * Waits until the webhook injects pods of `namespace`, by creating a dry-run pod until it comes
 * back injected: the operator's cache has then seen the namespace's XRayTracing.
 */
export async function waitForWebhookToInject(kc: KubeConfig, namespace: string, podSpec: V1PodSpec = restrictedPodSpec()): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(`the webhook to inject pods in ${namespace}`, async () => {
    const pod = await core.createNamespacedPod({
      namespace,
      dryRun: 'All',
      body: { metadata: { generateName: 'probe-', annotations: { [Annotations.injectNodejs]: 'true' } }, spec: podSpec },
    });
    return isInjectedPod(pod);
  }, { timeoutMs: 60_000, intervalMs: 500 });
}

/** The pods of a Deployment's `app` label, once there are `count` of them (optionally matching `accept`). */
export async function waitForPods(kc: KubeConfig, namespace: string, app: string, count: number, accept: (pod: V1Pod) => boolean = () => true): Promise<V1Pod[]> {
  const core = kc.makeApiClient(CoreV1Api);
  return waitFor(`${count} pod(s) of ${namespace}/${app}`, async () => {
    const pods = (await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items
      .filter((pod) => !pod.metadata?.deletionTimestamp);
    return pods.length === count && pods.every(accept) ? pods : undefined;
  }, { timeoutMs: 90_000 });
}

export async function createDeployment(kc: KubeConfig, body: V1Deployment): Promise<V1Deployment> {
  return kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: body.metadata!.namespace!, body });
}

export interface StoredXRayTracing {
  metadata: { name: string; namespace: string; generation?: number; finalizers?: string[]; creationTimestamp?: string };
  spec: XRayTracingSpec;
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string; observedGeneration?: number; lastTransitionTime?: string }[];
  };
}

export async function readXRayTracing(kc: KubeConfig, namespace: string, name: string): Promise<StoredXRayTracing> {
  return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: API_GROUP, version: API_VERSION, namespace, plural: XRAY_TRACING_PLURAL, name,
  })) as StoredXRayTracing;
}

/** Merge-patches the XRayTracing's spec. */
export async function patchXRayTracingSpec(kc: KubeConfig, namespace: string, name: string, spec: XRayTracingSpec): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
    { group: API_GROUP, version: API_VERSION, namespace, plural: XRAY_TRACING_PLURAL, name, body: { spec } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** Waits until the controller reports condition `type` True for the current generation. */
export async function waitForCondition(kc: KubeConfig, namespace: string, name: string, type = 'Ready'): Promise<StoredXRayTracing> {
  return waitFor(`XRayTracing ${namespace}/${name} condition ${type}=True`, async () => {
    const tracing = await readXRayTracing(kc, namespace, name);
    const condition = tracing.status?.conditions?.find((candidate) => candidate.type === type);
    const current = condition?.observedGeneration === undefined || condition.observedGeneration === tracing.metadata.generation;
    return condition?.status === 'True' && current ? tracing : undefined;
  }, { timeoutMs: 60_000 });
}

export async function annotateDeployment(kc: KubeConfig, namespace: string, name: string, annotations: Record<string, string | null>): Promise<void> {
  await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment(
    { namespace, name, body: { metadata: { annotations } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

export async function readDeployment(kc: KubeConfig, namespace: string, name: string): Promise<V1Deployment> {
  return kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name });
}

/**
 * Tells whether a Deployment is in a rollout the operator started: stamped with our restartedAt and not yet available
 * with that template, as `kubectl rollout status` judges it. The generation to be observed is the one the stamp was
 * first seen at: later annotation writes (the tracing-state record) bump a Deployment's generation too, and a
 * finished rollout is not rolling again while the Deployment controller catches up with them.
 */
export function operatorRollouts(): (deployment: V1Deployment) => boolean {
  const rolls = new Map<string, { stamp: string; generation: number }>();
  return (deployment) => {
    const stamp = deployment.spec?.template.metadata?.annotations?.[Annotations.restartedAt];
    if (!stamp) return false;
    const key = `${deployment.metadata?.namespace}/${deployment.metadata?.name}`;
    let roll = rolls.get(key);
    if (roll?.stamp !== stamp) rolls.set(key, (roll = { stamp, generation: deployment.metadata?.generation ?? 0 }));
    const status = deployment.status ?? {};
    const updated = status.updatedReplicas ?? 0;
    const done = (status.observedGeneration ?? 0) >= roll.generation && updated >= (deployment.spec?.replicas ?? 1)
      && (status.replicas ?? 0) <= updated && (status.availableReplicas ?? 0) >= updated;
    return !done;
  };
}
