// The roll gate on a real API server: a webhook configuration that calls a Service is reachable only once an
// EndpointSlice of that Service has a ready endpoint; one that calls a URL, or none at all, never holds rolls back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionregistrationV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { pino } from 'pino';
import { webhookReachability } from '../operator/src/k8s/webhook-reachability.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { createNamespace } from './harness/kube.js';

const logger = pino({ level: 'silent' });

describe('webhook reachability (the roll gate)', () => {
  let controlPlane: ControlPlane;
  let clock = 0;
  /** Each check sees a new moment past the 5 s answer cache. */
  const later = () => (clock += 10_000);

  beforeAll(async () => {
    controlPlane = await startControlPlane();
    await createNamespace(controlPlane.kc, 'xray-system');
  });
  afterAll(async () => {
    await controlPlane?.stop();
  });

  it('holds rolls back until the webhook Service has a ready endpoint', async () => {
    const admission = controlPlane.kc.makeApiClient(AdmissionregistrationV1Api);
    const discovery = controlPlane.kc.makeApiClient(DiscoveryV1Api);
    const gate = webhookReachability(controlPlane.kc, 'xray-operator', logger, later);
    expect(await gate.ready()).toBe(true); // no webhook configuration: nothing to wait for

    await admission.createMutatingWebhookConfiguration({
      body: {
        metadata: { name: 'xray-operator' },
        webhooks: [{
          name: 'pods.xray-operator.dev',
          admissionReviewVersions: ['v1'],
          sideEffects: 'NoneOnDryRun',
          failurePolicy: 'Ignore',
          clientConfig: { service: { name: 'xray-operator-webhook', namespace: 'xray-system', path: '/mutate-v1-pod' } },
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        }],
      },
    });
    expect(await gate.ready()).toBe(false);

    const slice = {
      metadata: { name: 'xray-operator-webhook-abcde', namespace: 'xray-system', labels: { 'kubernetes.io/service-name': 'xray-operator-webhook' } },
      addressType: 'IPv4',
      ports: [{ name: 'https', port: 9443, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.44.0.5'], conditions: { ready: false } }],
    };
    await discovery.createNamespacedEndpointSlice({ namespace: 'xray-system', body: slice });
    expect(await gate.ready()).toBe(false); // an endpoint that is not ready yet (the new leader's own pod)

    await discovery.replaceNamespacedEndpointSlice({ namespace: 'xray-system', name: slice.metadata.name, body: { ...slice, endpoints: [{ addresses: ['10.44.0.5'], conditions: { ready: true } }] } });
    expect(await gate.ready()).toBe(true);
  });
});
