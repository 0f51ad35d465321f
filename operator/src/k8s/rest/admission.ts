// The calls about our admission webhook: its MutatingWebhookConfiguration (CA bundle) and whether its Service has a
// ready endpoint (discovery.k8s.io EndpointSlices).
import type { V1EndpointSliceList, V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import type { PatchFlavour } from '../patch.js';
import { getList, type ListParams } from './list.js';
import { segment, type KubeRest } from './request.js';
import { patch, type WriteParams } from './write.js';

export interface AdmissionApi {
  readMutatingWebhookConfiguration(params: { name: string }): Promise<V1MutatingWebhookConfiguration>;
  patchMutatingWebhookConfiguration(params: WriteParams & { name: string; body: object }, flavour?: PatchFlavour): Promise<V1MutatingWebhookConfiguration>;
  listNamespacedEndpointSlice(params: ListParams & { namespace: string }): Promise<V1EndpointSliceList>;
}

const webhookConfiguration = (name: string) => `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${segment(name)}`;

export function admissionApi(rest: KubeRest): AdmissionApi {
  return {
    readMutatingWebhookConfiguration: ({ name }) => rest.send({ method: 'GET', path: webhookConfiguration(name) }),
    patchMutatingWebhookConfiguration: ({ name, body, ...params }, flavour) => patch(rest, webhookConfiguration(name), body, params, flavour),
    listNamespacedEndpointSlice: ({ namespace, ...params }) => getList(rest, `/apis/discovery.k8s.io/v1/namespaces/${segment(namespace)}/endpointslices`, params),
  };
}
