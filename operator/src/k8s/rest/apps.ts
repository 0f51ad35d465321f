// The apps/v1 calls the operator makes: workload lists for the caches, and patches that roll or annotate a workload.
import type { V1DaemonSet, V1DaemonSetList, V1Deployment, V1DeploymentList, V1StatefulSet, V1StatefulSetList } from '@kubernetes/client-node';
import type { PatchFlavour } from '../patch.js';
import { getList, type ListParams } from './list.js';
import { segment, type KubeRest } from './request.js';
import { patch, type BodyParams, type Named } from './write.js';

type WorkloadPatch = Named & BodyParams<object>;

export interface AppsApi {
  listDeploymentForAllNamespaces(params?: ListParams): Promise<V1DeploymentList>;
  listStatefulSetForAllNamespaces(params?: ListParams): Promise<V1StatefulSetList>;
  listDaemonSetForAllNamespaces(params?: ListParams): Promise<V1DaemonSetList>;
  patchNamespacedDeployment(params: WorkloadPatch, flavour?: PatchFlavour): Promise<V1Deployment>;
  patchNamespacedStatefulSet(params: WorkloadPatch, flavour?: PatchFlavour): Promise<V1StatefulSet>;
  patchNamespacedDaemonSet(params: WorkloadPatch, flavour?: PatchFlavour): Promise<V1DaemonSet>;
}

const named = ({ name, namespace }: Named, plural: string) => `/apis/apps/v1/namespaces/${segment(namespace)}/${plural}/${segment(name)}`;

export function appsApi(rest: KubeRest): AppsApi {
  return {
    listDeploymentForAllNamespaces: (params) => getList(rest, '/apis/apps/v1/deployments', params),
    listStatefulSetForAllNamespaces: (params) => getList(rest, '/apis/apps/v1/statefulsets', params),
    listDaemonSetForAllNamespaces: (params) => getList(rest, '/apis/apps/v1/daemonsets', params),
    patchNamespacedDeployment: ({ body, ...params }, flavour) => patch(rest, named(params, 'deployments'), body, params, flavour),
    patchNamespacedStatefulSet: ({ body, ...params }, flavour) => patch(rest, named(params, 'statefulsets'), body, params, flavour),
    patchNamespacedDaemonSet: ({ body, ...params }, flavour) => patch(rest, named(params, 'daemonsets'), body, params, flavour),
  };
}
