// The core/v1 calls the operator makes: namespaces, ConfigMaps and pods for the caches, the collector ConfigMap, the
// webhook's certificate Secret, Events.
import type { CoreV1Event, V1ConfigMap, V1ConfigMapList, V1NamespaceList, V1PodList, V1Secret } from '@kubernetes/client-node';
import type { PatchFlavour } from '../patch.js';
import { getList, type ListParams } from './list.js';
import { segment, type KubeRest } from './request.js';
import { create, patch, replace, type BodyParams, type Named } from './write.js';

export interface CoreApi {
  listNamespace(params?: ListParams): Promise<V1NamespaceList>;
  listConfigMapForAllNamespaces(params?: ListParams): Promise<V1ConfigMapList>;
  listPodForAllNamespaces(params?: ListParams): Promise<V1PodList>;
  listNamespacedConfigMap(params: ListParams & { namespace: string }): Promise<V1ConfigMapList>;
  patchNamespacedConfigMap(params: Named & BodyParams<object>, flavour?: PatchFlavour): Promise<V1ConfigMap>;
  readNamespacedSecret(params: Named): Promise<V1Secret>;
  createNamespacedSecret(params: BodyParams<V1Secret>): Promise<V1Secret>;
  replaceNamespacedSecret(params: Named & BodyParams<V1Secret>): Promise<V1Secret>;
  createNamespacedEvent(params: BodyParams<CoreV1Event>): Promise<CoreV1Event>;
  patchNamespacedEvent(params: Named & BodyParams<object>, flavour?: PatchFlavour): Promise<CoreV1Event>;
}

const inNamespace = (namespace: string, plural: string) => `/api/v1/namespaces/${segment(namespace)}/${plural}`;
const named = ({ name, namespace }: Named, plural: string) => `${inNamespace(namespace, plural)}/${segment(name)}`;

export function coreApi(rest: KubeRest): CoreApi {
  return {
    listNamespace: (params) => getList(rest, '/api/v1/namespaces', params),
    listConfigMapForAllNamespaces: (params) => getList(rest, '/api/v1/configmaps', params),
    listPodForAllNamespaces: (params) => getList(rest, '/api/v1/pods', params),
    listNamespacedConfigMap: ({ namespace, ...params }) => getList(rest, inNamespace(namespace, 'configmaps'), params),
    patchNamespacedConfigMap: ({ body, ...params }, flavour) => patch(rest, named(params, 'configmaps'), body, params, flavour),
    readNamespacedSecret: (params) => rest.send({ method: 'GET', path: named(params, 'secrets') }),
    createNamespacedSecret: ({ body, ...params }) => create(rest, inNamespace(params.namespace, 'secrets'), body, params),
    replaceNamespacedSecret: ({ body, ...params }) => replace(rest, named(params, 'secrets'), body, params),
    createNamespacedEvent: ({ body, ...params }) => create(rest, inNamespace(params.namespace, 'events'), body, params),
    patchNamespacedEvent: ({ body, ...params }, flavour) => patch(rest, named(params, 'events'), body, params, flavour),
  };
}
