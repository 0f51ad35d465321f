// Issue 10 item 4: the webhook port can be reached by more than the API server, so its Events must not be steerable
// by whoever sends an AdmissionReview. A forged review naming kube-system and a megabyte pod name writes nothing
// there; a real pod admitted without an XRayTracing still gets its Event, on its cached Deployment, short.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '../core/src/constants.js';
import { MAX_EVENT_MESSAGE_BYTES } from '../operator/src/k8s/events.js';
import { httpCall } from './harness/http.js';
import { createNamespace, waitFor } from './harness/kube.js';
import { useInstalledOperator } from './harness/suite.js';
import { createDeployment, deployment } from './harness/workloads.js';

const NAMESPACE = 'shop';
const HUGE_NAME = 'x'.repeat(1024 * 1024);

/** A pod CREATE review as anyone who can reach the webhook port could send it. */
function forgedReview(namespace: string, owner: { kind: string; name: string; uid: string }): string {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: HUGE_NAME, namespace, annotations: { [Annotations.injectNodejs]: 'true' }, ownerReferences: [{ apiVersion: 'apps/v1', ...owner, controller: true }] },
    spec: { containers: [{ name: 'app', image: 'example.invalid/app:1' }] },
  };
  const gvk = { group: '', version: 'v1', kind: 'Pod' };
  const gvr = { group: '', version: 'v1', resource: 'pods' };
  return JSON.stringify({
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: { uid: randomUUID(), kind: gvk, resource: gvr, requestKind: gvk, requestResource: gvr, namespace, operation: 'CREATE', userInfo: { username: 'mallory' }, object: pod, dryRun: false },
  });
}

describe('Events the webhook reports', () => {
  const bed = useInstalledOperator();
  const notInjected = async (namespace: string): Promise<CoreV1Event[]> =>
    (await bed().controlPlane.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: 'reason=NotInjected' })).items;

  beforeAll(async () => {
    await createNamespace(bed().controlPlane.kc, NAMESPACE);
  });

  it('records a short NotInjected Event on the Deployment of a real pod admitted without an XRayTracing', async () => {
    const { kc } = bed().controlPlane;
    const created = await createDeployment(kc, deployment(NAMESPACE, 'checkout', { optIn: 'template' }));
    const [event] = await waitFor('the NotInjected Event on deployment/checkout', async () => {
      const events = await notInjected(NAMESPACE);
      return events.length > 0 ? events : undefined;
    });
    expect(event?.involvedObject).toMatchObject({ kind: 'Deployment', name: 'checkout', uid: created.metadata?.uid });
    expect(event?.message).toBe('Admitted pods without X-Ray instrumentation: No XRayTracing "default" in namespace "shop"');
  });

  it('writes nothing for a forged review naming kube-system, and nothing longer than 1 KiB for one naming a real workload', async () => {
    const { controlPlane, installed } = bed();
    const ca = readFileSync(controlPlane.pki.caCert);
    const send = async (body: string): Promise<void> => {
      const answer = await httpCall(`${installed.operator.webhookBaseUrl}/mutate-v1-pod`, { method: 'POST', tls: { ca }, headers: { 'content-type': 'application/json' }, body, timeoutMs: 20_000 });
      // The webhook still answers (allowed, unchanged): it never blocks a pod.
      expect(answer.statusCode).toBe(200);
    };
    await send(forgedReview('kube-system', { kind: 'ReplicaSet', name: 'coredns-7d9f8b6c5d', uid: randomUUID() }));
    await send(forgedReview(NAMESPACE, { kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5d', uid: randomUUID() }));
    // The Event write is asynchronous: give it the time a real one took above, and then some.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await notInjected('kube-system')).toEqual([]);
    for (const event of await notInjected(NAMESPACE)) {
      expect(Buffer.byteLength(event.message ?? '', 'utf8')).toBeLessThanOrEqual(MAX_EVENT_MESSAGE_BYTES);
      expect(event.involvedObject.name).toBe('checkout');
    }
  });
});
