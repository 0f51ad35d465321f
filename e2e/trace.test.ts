// Scenario 8: a full trace. An unmodified Express app in an opted-in Deployment runs as the pod the
// API server stored (preload from the init container, env from the webhook) next to the real
// collector with the config the webhook injected; its segments reach the X-Ray API (moto behind
// the fake X-Ray) with the service name, HTTP data, the CR's indexed annotations and faults.
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
import { createDeployment, createXRayTracing, deployment, restrictedPodSpec, waitForPods, waitForWebhookToInject } from './harness/workloads.js';
import { storedSegments, traceClient, type SegmentDocument } from './harness/xray-traces.js';

const NAMESPACE = 'shop';

function xrayTraceId(): string {
  return `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

describe('a full trace from an injected Express app to X-Ray', () => {
  let moto: Moto;
  let pod: RunningPod | undefined;
  let appUrl: string;
  const started = new Date(Date.now() - 60_000);
  const incomingTraceId = xrayTraceId();

  const bed = useInstalledOperator({
    fakeXRay: async () => {
      moto = await startMoto();
      return { tracesBackend: moto.endpoint };
    },
  });

  beforeAll(async () => {
    const { controlPlane: { kc }, fakeXRay } = bed();
    await createNamespace(kc, NAMESPACE);
    await createXRayTracing(kc, NAMESPACE, 'default', {
      sampling: { mode: 'local', fixedRate: 1 },
      collector: { region: REGION, awsEndpoint: fakeXRay.endpoint, indexedAttributes: ['http.route'] },
    });
    await waitForWebhookToInject(kc, NAMESPACE);
    const podSpec = restrictedPodSpec();
    podSpec.containers[0] = { ...podSpec.containers[0]!, command: ['node', 'checkout.mjs'], workingDir: '/app' };
    await createDeployment(kc, deployment(NAMESPACE, 'checkout', { optIn: 'template', podSpec }));
    const [stored] = await waitForPods(kc, NAMESPACE, 'checkout', 1);
    const port = await freePort();
    pod = await runPod(stored!, { hostPaths: { '/app': join(repoRoot, 'e2e/apps') }, appEnv: { PORT: String(port) }, region: REGION });
    appUrl = `http://127.0.0.1:${port}`;
    await waitFor('the checkout app to listen', async () => (await httpCall(`${appUrl}/health`)).statusCode === 200, { timeoutMs: 30_000 });
    await httpCall(`${appUrl}/orders/42`);
    await httpCall(`${appUrl}/orders/7`, { headers: { 'X-Amzn-Trace-Id': `Root=${incomingTraceId};Parent=${randomBytes(8).toString('hex')};Sampled=1` } });
    await httpCall(`${appUrl}/fail`);
  });

  afterAll(async () => {
    await pod?.stop();
    await moto?.stop();
  });

  async function serverSegments(): Promise<SegmentDocument[]> {
    const client = traceClient(moto.endpoint, REGION);
    return waitFor('three checkout server segments in X-Ray', async () => {
      const segments = (await storedSegments(client, started)).filter((segment) => segment.name === 'checkout' && segment.http?.request);
      return segments.length >= 3 ? segments : undefined;
    }, { timeoutMs: 60_000, intervalMs: 1_000 }).catch((error: unknown) => {
      throw new Error(`No segments; app log:\n${pod?.app.tail()}\ncollector log:\n${pod?.collector?.tail()}`, { cause: error });
    });
  }

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
