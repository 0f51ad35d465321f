// The objects of one benchmark namespace: an XRayTracing (one or two sampling rules, or local sampling) and
// annotated Deployments, or (pods-only) annotated bare Pods; created with a bounded number of requests in flight.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { Annotations } from '../../core/src/constants.js';
import type { SamplingRuleSpec, XRayTracingSpec } from '../../core/src/api/types.js';
import { createDeployment, createXRayTracing, deployment, isInjectedPod, restrictedPodSpec } from '../../e2e/harness/workloads.js';

export type SamplingMode = 'centralized' | 'local';

export const TRACING_NAME = 'default';
export const NAMESPACE_PREFIX = 'bench-';

/** Even namespaces get one rule, odd ones two: X-Ray then holds 2 or 3 rules per namespace with the catch-all. */
export function rulesOf(index: number): SamplingRuleSpec[] {
  const api: SamplingRuleSpec = { name: 'api', priority: 100, fixedRate: 0.5, reservoirSize: 5, serviceName: 'checkout', httpMethod: 'POST', urlPath: '/api/*' };
  const health: SamplingRuleSpec = { name: 'health', priority: 10, fixedRate: 0, reservoirSize: 0, urlPath: '/healthz' };
  return index % 2 === 0 ? [api] : [api, health];
}

export function tracingSpec(mode: SamplingMode, index: number): XRayTracingSpec {
  return mode === 'local'
    ? { sampling: { mode: 'local', fixedRate: 0.1 } }
    : { sampling: { mode: 'centralized', fixedRate: 0.05, reservoirSize: 1, rules: rulesOf(index) } };
}

/** X-Ray rules the operator should own once every XRayTracing is synced (each namespace adds its catch-all). */
export function expectedXRayRules(mode: SamplingMode, namespaces: number): number {
  if (mode === 'local') return 0;
  let total = 0;
  for (let index = 0; index < namespaces; index++) total += rulesOf(index).length + 1;
  return total;
}

export const namespaceName = (index: number): string => `${NAMESPACE_PREFIX}${String(index).padStart(4, '0')}`;

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function inPool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Creates the namespace, its XRayTracing and its Deployments, one request after the other (a namespace must exist
 * before what goes in it). The Deployments' pods come later, from kube-controller-manager.
 */
export async function createNamespaceObjects(kc: KubeConfig, index: number, mode: SamplingMode, deployments: number): Promise<void> {
  const namespace = namespaceName(index);
  await createTracedBenchNamespace(kc, index, mode);
  for (let d = 0; d < deployments; d++) await createDeployment(kc, deployment(namespace, `app-${d}`, { optIn: 'template', replicas: 1 }));
}

/** Label of the pods-only mode's bare pods (what countInjectedPods selects, like the Deployments' `app`). */
export const POD_APP = 'bench-pod';

/** A bare annotated pod (pods-only mode): admitted through the webhook, never scheduled (no kubelet). */
export function annotatedPod(namespace: string, index: number): V1Pod {
  return {
    metadata: { name: `pod-${String(index).padStart(5, '0')}`, namespace, labels: { app: POD_APP }, annotations: { [Annotations.injectNodejs]: 'true' } },
    spec: restrictedPodSpec(),
  };
}

/** The namespace and its XRayTracing, without workloads (the pods-only mode adds bare pods afterwards). */
export async function createTracedBenchNamespace(kc: KubeConfig, index: number, mode: SamplingMode): Promise<void> {
  const namespace = namespaceName(index);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
  await createXRayTracing(kc, namespace, TRACING_NAME, tracingSpec(mode, index));
}

/** Creates a bare annotated pod; whether the webhook injected it is in the stored pod the create answers with. */
export async function createAnnotatedPod(kc: KubeConfig, namespace: string, index: number): Promise<boolean> {
  return isInjectedPod(await kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace, body: annotatedPod(namespace, index) }));
}
