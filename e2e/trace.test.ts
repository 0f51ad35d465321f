// Scenario 8: a full trace. An unmodified Express app in an opted-in Deployment runs as the pod the
// API server stored (preload from the init container, env from the webhook) next to the real
// collector with the config the webhook injected; its segments reach the X-Ray API (moto behind
// the fake X-Ray) with the service name, HTTP data, the CR's indexed annotations and faults. And
// centralized sampling: the CR's rules, made into X-Ray rules by the controller, reach the app's
// sampler through the sidecar's sampling proxy and decide which requests are traced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { httpCall } from './harness/http.js';
import { createNamespace, waitFor } from './harness/kube.js';
import { startMoto, type Moto } from './harness/moto.js';
import { repoRoot } from './harness/paths.js';
import { runPod, type RunningPod } from './harness/pod-runner.js';
import { freePort } from './harness/ports.js';
import { E2E_REGION as REGION, useInstalledOperator } from './harness/suite.js';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  createDeployment, createXRayTracing, deployment, restrictedPodSpec, waitForCondition, waitForPods, waitForWebhookToInject,
} from './harness/workloads.js';
import { storedSegments, traceClient, type SegmentDocument } from './harness/xray-traces.js';

const NAMESPACE = 'shop';

function xrayTraceId(): string {
  return `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

let moto: Moto;

const bed = useInstalledOperator({
  fakeXRay: async () => {
    moto = await startMoto();
    return { tracesBackend: moto.endpoint };
  },
});

afterAll(async () => {
  await moto?.stop();
});

/** The stored pod of an opted-in Deployment running e2e/apps/checkout.mjs, started by the pod runner. */
async function runCheckoutApp(kc: KubeConfig, namespace: string, name: string): Promise<{ pod: RunningPod; appUrl: string }> {
  const podSpec = restrictedPodSpec();
  podSpec.containers[0] = { ...podSpec.containers[0]!, command: ['node', 'checkout.mjs'], workingDir: '/app' };
  await createDeployment(kc, deployment(namespace, name, { optIn: 'template', podSpec }));
  const [stored] = await waitForPods(kc, namespace, name, 1);
  const port = await freePort();
  const pod = await runPod(stored!, { hostPaths: { '/app': join(repoRoot, 'e2e/apps') }, appEnv: { PORT: String(port) }, region: REGION });
  const appUrl = `http://127.0.0.1:${port}`;
  await waitFor(`the ${name} app to listen`, async () => (await httpCall(`${appUrl}/health`)).statusCode === 200, { timeoutMs: 30_000 });
  return { pod, appUrl };
}

/** Server segments of `service` stored since `since`, once `enough` says they are all there. */
async function serverSegmentsOf(service: string, since: Date, enough: (segments: SegmentDocument[]) => boolean, pod: RunningPod | undefined): Promise<SegmentDocument[]> {
  const client = traceClient(moto.endpoint, REGION);
  return waitFor(`server segments of ${service} in X-Ray`, async () => {
    const segments = (await storedSegments(client, since))
      .filter((segment) => segment.name === service && segment.http?.request && segment.start_time >= since.getTime() / 1000);
    return enough(segments) ? segments : undefined;
  }, { timeoutMs: 60_000, intervalMs: 1_000 }).catch((error: unknown) => {
    throw new Error(`No segments; app log:\n${pod?.app.tail()}\ncollector log:\n${pod?.collector?.tail()}`, { cause: error });
  });
}

describe('a full trace from an injected Express app to X-Ray', () => {
  let pod: RunningPod | undefined;
  const started = new Date(Date.now() - 60_000);
  const incomingTraceId = xrayTraceId();

  beforeAll(async () => {
    const { controlPlane: { kc }, fakeXRay } = bed();
    await createNamespace(kc, NAMESPACE);
    await createXRayTracing(kc, NAMESPACE, 'default', {
      sampling: { mode: 'local', fixedRate: 1 },
      collector: { region: REGION, awsEndpoint: fakeXRay.endpoint, indexedAttributes: ['http.route'] },
    });
    await waitForWebhookToInject(kc, NAMESPACE);
    const running = await runCheckoutApp(kc, NAMESPACE, 'checkout');
    pod = running.pod;
    const { appUrl } = running;
    await httpCall(`${appUrl}/orders/42`);
    await httpCall(`${appUrl}/orders/7`, { headers: { 'X-Amzn-Trace-Id': `Root=${incomingTraceId};Parent=${randomBytes(8).toString('hex')};Sampled=1` } });
    await httpCall(`${appUrl}/fail`);
  });

  afterAll(async () => {
    await pod?.stop();
  });

  const serverSegments = () => serverSegmentsOf('checkout', started, (segments) => segments.length >= 3, pod);

  const byPath = (segments: SegmentDocument[], path: string) => segments.find((segment) => segment.http?.request?.url?.endsWith(path));

  it('records a segment named after the workload with the request and response', async () => {
    const segment = byPath(await serverSegments(), '/orders/42');
    expect(segment?.http).toMatchObject({ request: { method: 'GET' }, response: { status: 200 } });
  });

  it('continues the trace of an incoming X-Amzn-Trace-Id header', async () => {
    const segment = byPath(await serverSegments(), '/orders/7');
    expect(segment?.trace_id).toBe(incomingTraceId);
  });

  it('turns the attributes the XRayTracing indexes into annotations', async () => {
    const segment = byPath(await serverSegments(), '/orders/42');
    expect(segment?.annotations).toMatchObject({ 'http.route': '/orders/:orderId' });
  });

  it('marks a failing route as a fault', async () => {
    const segment = byPath(await serverSegments(), '/fail');
    expect(segment?.fault).toBe(true);
    expect(segment?.http?.response?.status).toBe(500);
  });
});

describe('centralized sampling through the sidecar\'s sampling proxy', () => {
  const SAMPLED_NAMESPACE = 'store';
  let pod: RunningPod | undefined;
  let since: Date;

  beforeAll(async () => {
    const { controlPlane: { kc }, fakeXRay } = bed();
    await createNamespace(kc, SAMPLED_NAMESPACE);
    await createXRayTracing(kc, SAMPLED_NAMESPACE, 'default', {
      // Nothing by default; everything under /orders.
      sampling: {
        mode: 'centralized', fixedRate: 0, reservoirSize: 0, pollingIntervalSeconds: 10,
        rules: [{ name: 'orders', priority: 10, fixedRate: 1, reservoirSize: 0, urlPath: '/orders/*' }],
      },
      collector: { region: REGION, awsEndpoint: fakeXRay.endpoint },
    });
    await waitForCondition(kc, SAMPLED_NAMESPACE, 'default', 'SamplingRulesSynced');
    await waitForWebhookToInject(kc, SAMPLED_NAMESPACE);
    const running = await runCheckoutApp(kc, SAMPLED_NAMESPACE, 'catalog');
    pod = running.pod;
    // The sampler has the rules once it reports statistics for them (GetSamplingTargets, through the proxy).
    await waitFor('the app\'s sampler to poll its sampling targets', () =>
      Promise.resolve(fakeXRay.calls.some((call) => call.operation === 'SamplingTargets' && call.status === 200)), { timeoutMs: 60_000, intervalMs: 500 });
    since = new Date();
    for (let i = 0; i < 5; i++) {
      await httpCall(`${running.appUrl}/orders/${i}`);
      await httpCall(`${running.appUrl}/health`);
    }
  });

  afterAll(async () => {
    await pod?.stop();
  });

  it('traces every request a CR rule samples at rate 1, and of those only the catch-all at rate 0 matches at most the one a sampler may borrow', async () => {
    const segments = await serverSegmentsOf('catalog', since, (found) => found.filter((segment) => segment.http?.request?.url?.includes('/orders/')).length >= 5, pod);
    expect(segments.filter((segment) => segment.http?.request?.url?.includes('/orders/'))).toHaveLength(5);
    // Allow one: X-Ray samplers may borrow one request a second from a rule before its first quota arrives.
    expect(segments.filter((segment) => segment.http?.request?.url?.endsWith('/health')).length).toBeLessThanOrEqual(1);
  });
});
