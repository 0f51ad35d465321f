// The coordination.k8s.io/v1 calls of leader election: read, create and replace one Lease.
import type { V1Lease } from '@kubernetes/client-node';
import { segment, type KubeRest } from './request.js';
import { create, replace, type BodyParams, type Named } from './write.js';

export interface CoordinationApi {
  readNamespacedLease(params: Named): Promise<V1Lease>;
  createNamespacedLease(params: BodyParams<V1Lease>): Promise<V1Lease>;
  replaceNamespacedLease(params: Named & BodyParams<V1Lease>): Promise<V1Lease>;
}

const leases = (namespace: string) => `/apis/coordination.k8s.io/v1/namespaces/${segment(namespace)}/leases`;

export function coordinationApi(rest: KubeRest): CoordinationApi {
  return {
    readNamespacedLease: ({ name, namespace }) => rest.send({ method: 'GET', path: `${leases(namespace)}/${segment(name)}` }),
    createNamespacedLease: ({ body, ...params }) => create(rest, leases(params.namespace), body, params),
    replaceNamespacedLease: ({ body, ...params }) => replace(rest, `${leases(params.namespace)}/${segment(params.name)}`, body, params),
  };
}
