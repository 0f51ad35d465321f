// The informer caches the operator process shares: the webhook reads them through a ClusterView, the
// reconcilers read and get their events from them. One list+watch per kind for the whole process.
import type { KubeConfig, V1ConfigMap, V1DaemonSet, V1Deployment, V1Namespace, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { API_GROUP, API_VERSION, XRAY_TRACING_PLURAL } from '../../../core/src/constants.js';
import type { XRayTracing } from '../../../core/src/api/types.js';
import type { KubeClients } from './clients.js';
import { ResilientInformer, type InformerState, type ListPage } from './informer.js';
import { stripConfigMap, stripNamespace, stripPod, stripWorkload, stripXRayTracing } from './strip.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';
export type Workload = V1Deployment | V1StatefulSet | V1DaemonSet;

export interface ClusterCaches {
  readonly xrayTracings: ResilientInformer<XRayTracing>;
  readonly namespaces: ResilientInformer<V1Namespace>;
  readonly configMaps: ResilientInformer<V1ConfigMap>;
  readonly pods: ResilientInformer<V1Pod>;
  readonly workloads: Readonly<Record<WorkloadKind, ResilientInformer<Workload>>>;
  all(): readonly ResilientInformer<object>[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every cache has been filled once. */
  synced(): boolean;
  /** The caches the webhook's ClusterView reads have been filled once (pods and workloads may still be listing). */
  viewSynced(): boolean;
  states(): Record<string, InformerState>;
}

export function createClusterCaches(clients: KubeClients, logger: Logger): ClusterCaches {
  const kubeConfig: KubeConfig = clients.kubeConfig;
  const make = <T extends object>(
    name: string,
    path: string,
    list: (page: ListPage) => Promise<{ items: T[] }>,
    strip: (object: T) => T,
  ): ResilientInformer<T> => new ResilientInformer<T>({ name, kubeConfig, path, list, strip, logger });

  const xrayTracings = make<XRayTracing>(
    XRAY_TRACING_PLURAL,
    `/apis/${API_GROUP}/${API_VERSION}/${XRAY_TRACING_PLURAL}`,
    async (page) => (await clients.custom.listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL, ...page })) as { items: XRayTracing[] },
    stripXRayTracing,
  );
  const namespaces = make<V1Namespace>('namespaces', '/api/v1/namespaces', (page) => clients.core.listNamespace(page), stripNamespace);
  const configMaps = make<V1ConfigMap>('configmaps', '/api/v1/configmaps', (page) => clients.core.listConfigMapForAllNamespaces(page), stripConfigMap);
  const pods = make<V1Pod>('pods', '/api/v1/pods', (page) => clients.core.listPodForAllNamespaces(page), stripPod);
  const workloads: Record<WorkloadKind, ResilientInformer<Workload>> = {
    Deployment: make<Workload>('deployments', '/apis/apps/v1/deployments', (page) => clients.apps.listDeploymentForAllNamespaces(page), stripWorkload),
    StatefulSet: make<Workload>('statefulsets', '/apis/apps/v1/statefulsets', (page) => clients.apps.listStatefulSetForAllNamespaces(page), stripWorkload),
    DaemonSet: make<Workload>('daemonsets', '/apis/apps/v1/daemonsets', (page) => clients.apps.listDaemonSetForAllNamespaces(page), stripWorkload),
  };
  const informers = [xrayTracings, namespaces, configMaps, pods, ...Object.values(workloads)] as ResilientInformer<object>[];

  return {
    xrayTracings,
    namespaces,
    configMaps,
    pods,
    workloads,
    all: () => informers,
    async start() {
      await Promise.all(informers.map((informer) => informer.start()));
    },
    async stop() {
      await Promise.all(informers.map((informer) => informer.stop()));
    },
    synced: () => informers.every((informer) => informer.snapshot().synced),
    viewSynced: () => [xrayTracings, namespaces, configMaps].every((informer) => informer.snapshot().synced),
    states: () => Object.fromEntries(informers.map((informer) => [informer.name, informer.snapshot()])),
  };
}
