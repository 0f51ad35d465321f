// Real pods on a real node (kubelet + containerd + runc, harness/node/): the operator installed by `helm install`
// of the unchanged chart runs as two pods from the image our Dockerfile builds, and an annotated Deployment of the
// Express app starts injected from our instrumentation image in a namespace enforcing Pod Security `restricted`,
// its traces reaching the X-Ray emulator through the in-pod collector.
import { AdmissionregistrationV1Api, CoordinationV1Api, CoreV1Api, DiscoveryV1Api, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, it, beforeAll } from 'vitest';
import { Annotations, InjectedNames } from '../core/src/constants.js';
import { httpCall } from './harness/http.js';
import { createNamespace, waitFor } from './harness/kube.js';
import { RELEASE_NAMESPACE } from './harness/install.js';
import { E2E_IMAGES } from './harness/node/images.js';
import { waitForReadyPods } from './harness/real-node.js';
import { useRealNode } from './harness/real-node-suite.js';
import { E2E_REGION } from './harness/suite.js';
import { cliTools, runWithKubeconfig } from './harness/tools.js';
import { createDeployment, createXRayTracing, deployment, waitForWebhookToInject } from './harness/workloads.js';
import { APP_PORT, appPodSpec, OPERATOR_SELECTOR, serverSegmentsOf, sidecarStatusOf, waitForSidecarRestart } from './harness/real-node-apps.js';

const bed = useRealNode();
const isReady = (pod: V1Pod) => pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true;

describe('the operator installed by helm runs as real pods', () => {
  let pods: V1Pod[];

  beforeAll(async () => {
    pods = await waitForReadyPods(bed().controlPlane, RELEASE_NAMESPACE, OPERATOR_SELECTOR, 2);
  });

  it('starts both replicas from the operator image and makes them Ready through the chart\'s probes', () => {
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      const container = pod.spec?.containers.find((candidate) => candidate.name === 'operator');
      expect(container?.image).toBe(E2E_IMAGES.operator);
      expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(container?.startupProbe).toBeDefined();
      expect(isReady(pod)).toBe(true);
      expect(pod.status?.containerStatuses?.[0]?.ready).toBe(true);
    }
  });

  it('elects one leader, holding the Lease', async () => {
    const coordination = bed().controlPlane.kc.makeApiClient(CoordinationV1Api);
    const holder = await waitFor('a Lease holder among the operator pods', async () => {
      const leases = (await coordination.listNamespacedLease({ namespace: RELEASE_NAMESPACE })).items;
      const held = leases.map((lease) => lease.spec?.holderIdentity ?? '').filter((identity) => identity.length > 0);
      return held.length === 1 ? held[0] : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1_000 });
    expect(pods.filter((pod) => holder.includes(pod.metadata!.name!))).toHaveLength(1);
  });

  it('is called by the API server through the webhook\'s Service (no url), at both pods\' endpoints', async () => {
    const { controlPlane: { kc } } = bed();
    const admission = kc.makeApiClient(AdmissionregistrationV1Api);
    const [configuration] = (await admission.listMutatingWebhookConfiguration({ labelSelector: OPERATOR_SELECTOR })).items;
    const clientConfig = configuration?.webhooks?.[0]?.clientConfig;
    expect(clientConfig?.url).toBeUndefined();
    expect(clientConfig?.service?.namespace).toBe(RELEASE_NAMESPACE);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const slices = await discovery.listNamespacedEndpointSlice({ namespace: RELEASE_NAMESPACE, labelSelector: `kubernetes.io/service-name=${clientConfig?.service?.name}` });
    const addresses = slices.items.flatMap((slice) => (slice.endpoints ?? []).filter((endpoint) => endpoint.conditions?.ready).flatMap((endpoint) => endpoint.addresses));
    expect(addresses.sort()).toEqual(pods.map((pod) => pod.status!.podIP!).sort());
    await createNamespace(kc, 'probe');
    await createXRayTracing(kc, 'probe', 'default', { collector: { region: E2E_REGION } });
    await waitForWebhookToInject(kc, 'probe');
  });
});

describe('an annotated Deployment in a restricted namespace, on the real node', () => {
  const NAMESPACE = 'shop';
  let pod: V1Pod;
  const since = new Date(Date.now() - 60_000);

  beforeAll(async () => {
    const { controlPlane, fakeXRay } = bed();
    const { kc } = controlPlane;
    await waitForReadyPods(controlPlane, RELEASE_NAMESPACE, OPERATOR_SELECTOR, 2);
    await createNamespace(kc, NAMESPACE, { 'pod-security.kubernetes.io/enforce': 'restricted' });
    await createXRayTracing(kc, NAMESPACE, 'default', {
      sampling: { mode: 'local', fixedRate: 1 },
      collector: { region: E2E_REGION, awsEndpoint: fakeXRay.endpoint },
    });
    await waitForWebhookToInject(kc, NAMESPACE);
    await createDeployment(kc, deployment(NAMESPACE, 'checkout', { optIn: 'template', podSpec: appPodSpec({ image: E2E_IMAGES.checkoutNode20 }) }));
    pod = (await waitForReadyPods(controlPlane, NAMESPACE, 'app=checkout', 1))[0]!;
  });

  it('copies the preload with the init container, then starts the native sidecar before the app', () => {
    const status = pod.status!;
    const preload = status.initContainerStatuses?.find((container) => container.name === InjectedNames.initContainer);
    expect(preload?.state?.terminated?.exitCode).toBe(0);
    const sidecar = status.initContainerStatuses?.find((container) => container.name === InjectedNames.sidecarContainer);
    const app = status.containerStatuses?.find((container) => container.name === 'app');
    expect(sidecar?.started).toBe(true);
    expect(sidecar?.state?.running).toBeDefined();
    const sidecarStarted = sidecar!.state!.running!.startedAt!.getTime();
    expect(preload!.state!.terminated!.finishedAt!.getTime()).toBeLessThanOrEqual(sidecarStarted);
    expect(sidecarStarted).toBeLessThanOrEqual(app!.state!.running!.startedAt!.getTime());
    expect(pod.metadata?.annotations?.[Annotations.injected]).toBeDefined();
  });

  it('runs every container with a read-only root filesystem, the preload readable in the app', async () => {
    for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      expect(container.securityContext?.readOnlyRootFilesystem, container.name).toBe(true);
    }
    const { controlPlane } = bed();
    const exec = (command: string[]) => runWithKubeconfig(cliTools().kubectl, ['exec', '-n', NAMESPACE, pod.metadata!.name!, '-c', 'app', '--', ...command], controlPlane.kubeconfigPath);
    const listing = await exec(['ls', '/xray-operator/nodejs']);
    expect(listing.stdout).toContain('autoinstrumentation.js');
    await expect(exec(['touch', '/app/written'])).rejects.toThrow(/Read-only file system/);
  });

  it('sends traces of requests to the pod through the in-pod collector to X-Ray, with the service name and k8s attributes', async () => {
    const appUrl = `http://${pod.status!.podIP!}:${APP_PORT}`;
    for (const orderId of [1, 2, 3]) expect((await httpCall(`${appUrl}/orders/${orderId}`)).statusCode).toBe(200);
    const segments = (await serverSegmentsOf(bed(), 'checkout', since, 3)).filter((segment) => segment.http?.request?.url?.includes('/orders/'));
    const text = JSON.stringify(segments[0]);
    expect(text).toContain(NAMESPACE);
    expect(text).toContain(pod.metadata!.name!);
  });

  it('keeps serving while the collector sidecar is killed and restarted, and traces resume after it', async () => {
    const { node } = bed();
    // SIGKILL from the host: a crash, not a graceful stop.
    process.kill(await node.containerPid(sidecarStatusOf(pod)!.containerID!), 'SIGKILL');
    const appUrl = `http://${pod.status!.podIP!}:${APP_PORT}`;
    const { pod: restarted, failedRequests } = await waitForSidecarRestart(bed(), NAMESPACE, pod.metadata!.name!, `${appUrl}/orders/during-restart`);
    expect(failedRequests).toEqual([]);
    expect(restarted.status?.containerStatuses?.find((container) => container.name === 'app')?.restartCount).toBe(0);
    const afterRestart = new Date();
    expect((await httpCall(`${appUrl}/orders/after-restart`)).statusCode).toBe(200);
    const segments = await serverSegmentsOf(bed(), 'checkout', new Date(afterRestart.getTime() - 1_000));
    expect(segments.some((segment) => segment.http?.request?.url?.endsWith('/orders/after-restart'))).toBe(true);
  });
});

describe('leader failover between the operator pods', () => {
  it('hands the Lease to another replica when the leader pod is deleted, and the webhook keeps admitting', async () => {
    const { controlPlane } = bed();
    const { kc } = controlPlane;
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const holderNow = async () => (await coordination.listNamespacedLease({ namespace: RELEASE_NAMESPACE })).items
      .map((lease) => lease.spec?.holderIdentity ?? '').find((identity) => identity.length > 0);
    const pods = await waitForReadyPods(controlPlane, RELEASE_NAMESPACE, OPERATOR_SELECTOR, 2);
    const holder = await waitFor('a Lease holder', holderNow, { timeoutMs: 60_000, intervalMs: 1_000 });
    const leader = pods.find((pod) => holder.includes(pod.metadata!.name!))!;
    await core.deleteNamespacedPod({ namespace: RELEASE_NAMESPACE, name: leader.metadata!.name! });
    // The surviving replica or the Deployment's replacement, whichever acquires the released Lease first.
    const newHolder = await waitFor('another operator pod to take the Lease', async () => {
      const current = await holderNow();
      if (!current || current.includes(leader.metadata!.name!)) return undefined;
      const live = (await core.listNamespacedPod({ namespace: RELEASE_NAMESPACE, labelSelector: OPERATOR_SELECTOR })).items;
      return live.some((pod) => current.includes(pod.metadata!.name!)) ? current : undefined;
    }, { timeoutMs: 90_000, intervalMs: 1_000 });
    expect(newHolder).not.toContain(leader.metadata!.name!);
    await createNamespace(kc, 'after-failover');
    await createXRayTracing(kc, 'after-failover', 'default', { collector: { region: E2E_REGION } });
    await waitForWebhookToInject(kc, 'after-failover');
  });
});
