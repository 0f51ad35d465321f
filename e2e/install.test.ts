// Scenario 1: `helm install` of the chart gives an established CRD, a ready operator and a
// registered webhook that the API server calls.
import { describe, expect, it } from 'vitest';
import { AdmissionregistrationV1Api, ApiextensionsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, XRAY_TRACING_PLURAL } from '../core/src/constants.js';
import { httpCall } from './harness/http.js';
import { apiRejection, createNamespace } from './harness/kube.js';
import { RELEASE_NAMESPACE } from './harness/install.js';
import { useInstalledOperator } from './harness/suite.js';
import { createXRayTracing, waitForWebhookToInject } from './harness/workloads.js';

describe('helm install of charts/xray-operator', () => {
  const bed = useInstalledOperator();

  it('installs the XRayTracing CRD and the API server establishes it', async () => {
    const { controlPlane } = bed();
    const crd = await controlPlane.kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: `${XRAY_TRACING_PLURAL}.${API_GROUP}` });
    const established = crd.status?.conditions?.find((condition) => condition.type === 'Established');
    expect(established?.status).toBe('True');
  });

  it('reports the release as deployed', () => {
    expect(bed().installed.helmOutput).toMatch(/STATUS: deployed/);
  });

  it('runs an operator that reports ready on /readyz', async () => {
    const answer = await httpCall(`${bed().installed.operator.healthBaseUrl}/readyz`);
    expect(answer.statusCode).toBe(200);
  });

  it('registers a pod CREATE webhook that the API server calls to inject opted-in pods', async () => {
    const { controlPlane, installed } = bed();
    const configuration = await controlPlane.kc.makeApiClient(AdmissionregistrationV1Api)
      .readMutatingWebhookConfiguration({ name: installed.webhookConfigurationName });
    const [webhook] = configuration.webhooks ?? [];
    expect(webhook?.rules).toEqual([expect.objectContaining({ operations: ['CREATE'], resources: ['pods'] })]);
    expect(webhook?.failurePolicy).toBe('Ignore');
    await createNamespace(controlPlane.kc, 'shop');
    await createXRayTracing(controlPlane.kc, 'shop', 'default', {});
    await waitForWebhookToInject(controlPlane.kc, 'shop');
  });

  it('runs the operator under the chart\'s ServiceAccount, which cannot read Secrets cluster-wide', async () => {
    const { installed } = bed();
    const asOperator = new KubeConfig();
    asOperator.loadFromFile(installed.kubeconfigPath);
    const { code, message } = await apiRejection(() => asOperator.makeApiClient(CoreV1Api).listSecretForAllNamespaces());
    expect(code).toBe(403);
    expect(message).toContain(`system:serviceaccount:${RELEASE_NAMESPACE}:${installed.serviceAccount}`);
  });
});
