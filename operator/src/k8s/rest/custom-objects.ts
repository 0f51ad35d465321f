// Calls on custom resources (our XRayTracings): the cluster-wide list for the cache, and patches of an object and
// of its status subresource. Objects come back untyped, as the API server sent them.
import type { V1ListMeta } from '@kubernetes/client-node';
import type { PatchFlavour } from '../patch.js';
import { getList, type ListParams } from './list.js';
import { segment, type KubeRest } from './request.js';
import { patch, type BodyParams, type Named } from './write.js';

export interface Resource {
  group: string;
  version: string;
  plural: string;
}

type ObjectPatch = Resource & Named & BodyParams<object>;

export interface CustomObjectsApi {
  listClusterCustomObject(params: Resource & ListParams): Promise<{ items: unknown[] }>;
  patchNamespacedCustomObject(params: ObjectPatch, flavour?: PatchFlavour): Promise<object>;
  patchNamespacedCustomObjectStatus(params: ObjectPatch, flavour?: PatchFlavour): Promise<object>;
}

const objectPath = ({ group, version, plural, namespace, name }: Resource & Named) =>
  `/apis/${segment(group)}/${segment(version)}/namespaces/${segment(namespace)}/${segment(plural)}/${segment(name)}`;

export function customObjectsApi(rest: KubeRest): CustomObjectsApi {
  return {
    listClusterCustomObject: ({ group, version, plural, ...params }) => getList<{ metadata?: V1ListMeta; items: unknown[] }>(rest, `/apis/${segment(group)}/${segment(version)}/${segment(plural)}`, params),
    patchNamespacedCustomObject: ({ body, ...params }, flavour) => patch(rest, objectPath(params), body, params, flavour),
    patchNamespacedCustomObjectStatus: ({ body, ...params }, flavour) => patch(rest, `${objectPath(params)}/status`, body, params, flavour),
  };
}
