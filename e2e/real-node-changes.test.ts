// Changes on a live real node: an XRayTracing edit rolls an injected Deployment through real ReplicaSets and
// readiness without ever dropping below its replicas; a `helm upgrade` that rotates the webhook's CA and
// certificate (a new Secret) replaces the operator pods while pods keep being admitted injected; and a collector
// sidecar OOM-killed by a tiny memory limit leaves the app serving, with traces back once the kubelet restarts it.
import { connect } from 'node:tls';
import { AdmissionregistrationV1Api, AppsV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '../core/src/constants.js';
import { httpCall } from './harness/http.js';
import { RELEASE_NAME, RELEASE_NAMESPACE } from './harness/install.js';
import { waitFor } from './harness/kube.js';
import { E2E_IMAGES } from './harness/node/images.js';
import { APP_PORT, appPodSpec, OPERATOR_SELECTOR, serverSegmentsOf, sidecarStatusOf, tracedRestrictedNamespace, waitForSidecarRestart } from './harness/real-node-apps.js';
import { helmUpgradeOnNode, waitForReadyPods } from './harness/real-node.js';
import { useRealNode } from './harness/real-node-suite.js';
import { cliTools, runWithKubeconfig } from './harness/tools.js';
import { createDeployment, deployment, isInjectedPod, patchXRayTracingSpec } from './harness/workloads.js';

const bed = useRealNode();
const isReady = (pod: V1Pod) => pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true;
const injectedHashOf = (pod: V1Pod) => pod.metadata?.annotations?.[Annotations.injected];

/** Samples `probe` every `intervalMs` until `stop` is called; resolves with every sample. */
function sampleUntilStopped<T>(probe: () => Promise<T>, intervalMs: number): { stop: () => Promise<T[]> } {
  const samples: T[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      samples.push(await probe());
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return { stop: async () => { running = false; await loop; return samples; } };
}

describe('an XRayTracing change rolls an injected Deployment through real ReplicaSets', () => {
  const NAMESPACE = 'rolling';

  it('replaces every pod with one carrying the new config, never below the Deployment\'s replicas Ready', async () => {
    await tracedRestrictedNamespace(bed(), NAMESPACE);
    const { controlPlane } = bed();
    const { kc } = controlPlane;
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const body = deployment(NAMESPACE, 'cart', { replicas: 2, podSpec: appPodSpec({ image: E2E_IMAGES.checkoutNode20 }) });
    body.spec!.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };
    await createDeployment(kc, body);
    const before = await waitForReadyPods(controlPlane, NAMESPACE, 'app=cart', 2);
    const oldHash = injectedHashOf(before[0]!);
    expect(oldHash).toBeDefined();

    const pods = () => core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app=cart' }).then((list) => list.items);
    const readyCounts = sampleUntilStopped(async () => (await pods()).filter((pod) => isReady(pod) && !pod.metadata?.deletionTimestamp).length, 250);
    await patchXRayTracingSpec(kc, NAMESPACE, 'default', { sampling: { mode: 'local', fixedRate: 0.5 } });
    const after = await waitFor('the Deployment rolled to 2 Ready pods with a new config and no old pod left', async () => {
      const current = await pods();
      const fresh = current.filter((pod) => isReady(pod) && injectedHashOf(pod) !== oldHash && isInjectedPod(pod));
      return current.length === 2 && fresh.length === 2 ? fresh : undefined;
    }, { timeoutMs: 240_000, intervalMs: 1_000 });
    const samples = await readyCounts.stop();

    expect(samples.length).toBeGreaterThan(10);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(2);
    expect(new Set(after.map(injectedHashOf)).size).toBe(1);
    expect(after.map((pod) => pod.metadata!.name).some((name) => before.some((old) => old.metadata!.name === name))).toBe(false);
    // One roll: the original ReplicaSet scaled to zero and one new one holding both pods.
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace: NAMESPACE, labelSelector: 'app=cart' })).items;
    expect(replicaSets.map((set) => set.status?.replicas ?? 0).sort()).toEqual([0, 2]);
  });
});

describe('helm upgrade with a certificate rotation', () => {
  const NAMESPACE = 'upgrade';

  it('replaces the operator pods on a new CA while every pod created meanwhile is admitted injected', async () => {
    await tracedRestrictedNamespace(bed(), NAMESPACE);
    const { controlPlane } = bed();
    const { kc } = controlPlane;
    const core = kc.makeApiClient(CoreV1Api);
    const oldPods = await waitForReadyPods(controlPlane, RELEASE_NAMESPACE, OPERATOR_SELECTOR, 2);

    // A pod created every 200 ms through the whole upgrade (dry run: the API server still calls the webhook).
    const admissions = sampleUntilStopped(async () => {
      try {
        const pod = await core.createNamespacedPod({
          namespace: NAMESPACE,
          dryRun: 'All',
          body: { metadata: { generateName: 'during-upgrade-', annotations: { [Annotations.injectNodejs]: 'true' } }, spec: appPodSpec({ image: E2E_IMAGES.checkoutNode20 }) },
        });
        return isInjectedPod(pod) ? 'injected' : `admitted plain: ${JSON.stringify(pod.metadata?.annotations ?? {})}`;
      } catch (error) {
        return `rejected: ${String(error)}`;
      }
    }, 200);

    // A new Secret: the new pods find no certificate there and issue a new CA and serving pair, which the
    // caBundle must trust before they serve, while the old pods still serve the old pair.
    const secretName = `${RELEASE_NAME}-webhook-tls-rotated`;
    await helmUpgradeOnNode(controlPlane, { 'certificates.secretName': secretName });
    const newPods = await waitFor('the upgrade to replace both operator pods', async () => {
      const current = (await core.listNamespacedPod({ namespace: RELEASE_NAMESPACE, labelSelector: OPERATOR_SELECTOR })).items;
      const fresh = current.filter((pod) => isReady(pod) && !oldPods.some((old) => old.metadata!.name === pod.metadata!.name));
      return current.length === 2 && fresh.length === 2 ? fresh : undefined;
    }, { timeoutMs: 240_000, intervalMs: 1_000 });
    // Keep admitting a little after the last old pod went: its endpoint removal has reached the API server.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const outcomes = await admissions.stop();

    expect(outcomes.length).toBeGreaterThan(50);
    expect(outcomes.filter((outcome) => outcome !== 'injected')).toEqual([]);

    const secret = await core.readNamespacedSecret({ namespace: RELEASE_NAMESPACE, name: secretName });
    const newCa = Buffer.from(secret.data!['ca.crt']!, 'base64').toString('utf8');
    const admission = kc.makeApiClient(AdmissionregistrationV1Api);
    const [configuration] = (await admission.listMutatingWebhookConfiguration({ labelSelector: OPERATOR_SELECTOR })).items;
    const webhook = configuration!.webhooks![0]!;
    expect(Buffer.from(webhook.clientConfig.caBundle!, 'base64').toString('utf8')).toContain(newCa.trim());
    const serverName = `${webhook.clientConfig.service!.name}.${RELEASE_NAMESPACE}.svc`;
    for (const pod of newPods) {
      const port = pod.spec!.containers.flatMap((container) => container.ports ?? []).find((candidate) => candidate.name === 'webhook')!.containerPort;
      expect(await servedCertificateVerifies(pod.status!.podIP!, port, serverName, newCa), pod.metadata!.name).toBe(true);
    }
  });
});

/** Whether the pod's webhook port serves a certificate for `serverName` that `ca` verifies. */
async function servedCertificateVerifies(host: string, port: number, serverName: string, ca: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername: serverName, ca, rejectUnauthorized: false }, () => {
      resolve(socket.authorized);
      socket.end();
    });
    socket.once('error', reject);
  });
}

describe('a collector sidecar OOM-killed under a tiny memory limit', () => {
  const NAMESPACE = 'tight';

  beforeAll(async () => {
    await tracedRestrictedNamespace(bed(), NAMESPACE, { collector: { resources: { limits: { memory: '64Mi' }, requests: { memory: '32Mi' } } } });
  });

  it('leaves the app serving, and traces resume once the kubelet restarts the collector', async () => {
    const { controlPlane } = bed();
    const { kc } = controlPlane;
    await createDeployment(kc, deployment(NAMESPACE, 'ledger', { podSpec: appPodSpec({ image: E2E_IMAGES.checkoutNode20 }) }));
    const [pod] = await waitForReadyPods(controlPlane, NAMESPACE, 'app=ledger', 1);
    const name = pod!.metadata!.name!;
    expect(sidecarStatusOf(pod!)?.restartCount).toBe(0);
    const appUrl = `http://${pod!.status!.podIP!}:${APP_PORT}`;

    // Far more spans than 64 MiB holds, posted to the collector's OTLP receiver from inside the pod (it listens
    // on the pod's loopback only) until the kernel kills it.
    await runWithKubeconfig(cliTools().kubectl, ['exec', '-n', NAMESPACE, name, '-c', 'app', '--', 'node', '-e', FLOOD_COLLECTOR], controlPlane.kubeconfigPath);
    const { pod: restarted, failedRequests } = await waitForSidecarRestart(bed(), NAMESPACE, name, `${appUrl}/orders/during-oom`);
    expect(failedRequests).toEqual([]);
    expect(sidecarStatusOf(restarted)?.lastState?.terminated?.reason).toBe('OOMKilled');
    const app = restarted.status?.containerStatuses?.find((container) => container.name === 'app');
    expect(app?.restartCount).toBe(0);
    expect(app?.ready).toBe(true);

    const afterRestart = new Date();
    expect((await httpCall(`${appUrl}/orders/after-oom`)).statusCode).toBe(200);
    const segments = await serverSegmentsOf(bed(), 'ledger', new Date(afterRestart.getTime() - 1_000));
    expect(segments.some((segment) => segment.http?.request?.url?.endsWith('/orders/after-oom'))).toBe(true);
  });
});

/**
 * Node.js run in the app container: POSTs 16 MiB OTLP/JSON requests of large spans to the sidecar's receiver until
 * it stops answering (killed), at most 20 times; decoding each takes several times its size in the collector.
 */
const FLOOD_COLLECTOR = `
const filler = 'x'.repeat(1024);
const spans = [];
for (let i = 0; spans.length * 1250 < 16 * 1024 * 1024; i++) {
  const id = i.toString(16).padStart(16, '0');
  spans.push({ traceId: id + id, spanId: id, name: 'flood', kind: 2, startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000100000000', attributes: [{ key: 'filler', value: { stringValue: filler } }] });
}
const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'flood' }, spans }] }] });
(async () => {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await fetch('http://127.0.0.1:4318/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    } catch {
      return;
    }
  }
})();
`;
