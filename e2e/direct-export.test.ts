// Pods without a collector (collector.mode none), on the real API server with the installed operator: the webhook
// injects an annotated Deployment's pod with the preload and no sidecar; the pod, run with the env the API server
// stored, exports its spans straight to a stand-in for X-Ray's OTLP endpoint, SigV4-signed with the pod's own
// credentials, and follows the XRayTracing's sampling rules, which it fetched signed from the X-Ray API (the fake
// X-Ray the controller wrote them to).
import { join } from 'node:path';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { XRayTracingStatus } from '../core/src/api/types.js';
import { Annotations, DIRECT_EXPORT, Env, InjectedNames } from '../core/src/constants.js';
import { collectorConfigMapName } from '../operator/src/controller/tracing/collector-configmap.js';
import { checkSigV4, type ReceivedRequest } from '../instrumentation-image/test/support/sigv4-check.js';
import { startXRayApiFake, type XRayApiFake } from '../instrumentation-image/test/support/xray-api-fake.js';
import { httpCall } from './harness/http.js';
import { createNamespace, waitFor } from './harness/kube.js';
import { repoRoot } from './harness/paths.js';
import { runPod, type RunningPod } from './harness/pod-runner.js';
import { freePort } from './harness/ports.js';
import { E2E_REGION as REGION, useInstalledOperator } from './harness/suite.js';
import {
  createDeployment, createXRayTracing, deployment, readXRayTracing, restrictedPodSpec, waitForCondition, waitForPods, waitForWebhookToInject,
  type StoredXRayTracing,
} from './harness/workloads.js';

const NAMESPACE = 'direct';
const SERVER = 2;
/** What IRSA or Pod Identity would give the app container; here the env link of the SDK's default chain. */
const podCredentials = { accessKeyId: 'AKIDPODDIRECT', secretAccessKey: 'pod-direct-secret' };

const bed = useInstalledOperator();

describe('pods without a collector export and sample straight against X-Ray', () => {
  let xray: XRayApiFake;
  let pod: RunningPod | undefined;
  let storedPod: V1Pod;

  beforeAll(async () => {
    const { controlPlane: { kc }, fakeXRay } = bed();
    xray = await startXRayApiFake(fakeXRay.endpoint);
    fakeXRay.traceSegmentDestination = { Destination: 'CloudWatchLogs', Status: 'ACTIVE' };
    await createNamespace(kc, NAMESPACE);
    await createXRayTracing(kc, NAMESPACE, 'default', {
      collector: { mode: 'none', region: REGION, awsEndpoint: xray.endpoint },
      // Nothing by default; everything under /orders.
      sampling: {
        mode: 'centralized', fixedRate: 0, reservoirSize: 0, pollingIntervalSeconds: 10,
        rules: [{ name: 'orders', priority: 10, fixedRate: 1, reservoirSize: 0, urlPath: '/orders/*' }],
      },
    });
    await waitForCondition(kc, NAMESPACE, 'default', 'SamplingRulesSynced');
    await waitForWebhookToInject(kc, NAMESPACE);
    const podSpec = restrictedPodSpec();
    podSpec.containers[0] = { ...podSpec.containers[0]!, command: ['node', 'checkout.mjs'], workingDir: '/app' };
    await createDeployment(kc, deployment(NAMESPACE, 'checkout', { optIn: 'workload', podSpec }));
    [storedPod] = (await waitForPods(kc, NAMESPACE, 'checkout', 1, (p) => p.metadata?.annotations?.[Annotations.injected] !== undefined)) as [V1Pod];
    const port = await freePort();
    pod = await runPod(storedPod, {
      hostPaths: { '/app': join(repoRoot, 'e2e/apps') },
      appEnv: { PORT: String(port), AWS_ACCESS_KEY_ID: podCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: podCredentials.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' },
    });
    const appUrl = `http://127.0.0.1:${port}`;
    await waitFor('the app to listen', async () => (await httpCall(`${appUrl}/health`)).statusCode === 200, { timeoutMs: 30_000 });
    // The sampler has the rules once it reports statistics for them (its first SamplingTargets, 10 s after start).
    await waitFor('the app\'s sampler to poll X-Ray for targets', () => Promise.resolve(xray.requestsTo('/SamplingTargets').length > 0), { timeoutMs: 60_000, intervalMs: 500 });
    for (let i = 0; i < 5; i++) {
      await httpCall(`${appUrl}/orders/${i}`);
      await httpCall(`${appUrl}/health`);
    }
  });

  afterAll(async () => {
    await pod?.stop();
    await xray?.close();
  });

  const expectSignedByThePod = async (request: ReceivedRequest | undefined): Promise<void> => {
    expect(request).toBeDefined();
    expect(await checkSigV4(request!, podCredentials)).toMatchObject({ region: REGION, service: 'xray', valid: true });
  };

  it('reports the direct export as ready, since the account has Transaction Search', async () => {
    const { controlPlane: { kc } } = bed();
    const tracing = await waitForCondition(kc, NAMESPACE, 'default', 'ExportReady');
    expect(tracing.status?.conditions?.find((c) => c.type === 'ExportReady')).toMatchObject({ status: 'True', reason: 'DirectOTLP' });
    expect(((await readXRayTracing(kc, NAMESPACE, 'default')).status as XRayTracingStatus | undefined)?.exportMode).toBe('otlp');
  });

  it('writes no collector ConfigMap, and says so in CollectorConfigReady', async () => {
    const { controlPlane: { kc } } = bed();
    const tracing = await waitForCondition(kc, NAMESPACE, 'default', 'CollectorConfigReady');
    expect(tracing.status?.conditions?.find((c) => c.type === 'CollectorConfigReady')).toMatchObject({ status: 'True', reason: 'NoCollector' });
    const configMaps = await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: NAMESPACE });
    expect(configMaps.items.map((configMap) => configMap.metadata?.name)).not.toContain(collectorConfigMapName('default'));
  });

  it('injects the preload with the direct-export env and no collector sidecar', () => {
    const containers = [...(storedPod.spec?.initContainers ?? []), ...(storedPod.spec?.containers ?? [])];
    expect(containers.map((c) => c.name)).not.toContain(InjectedNames.sidecarContainer);
    const env = storedPod.spec?.containers[0]?.env ?? [];
    expect(env).toEqual(expect.arrayContaining([
      { name: Env.exportMode, value: DIRECT_EXPORT },
      { name: Env.xrayRegion, value: REGION },
      { name: Env.xrayEndpoint, value: xray.endpoint },
    ]));
    expect(env.map((e) => e.name)).not.toContain(Env.otlpEndpoint);
  });

  it('counts the pod as current in the fleet status: the webhook and the controller agree on the config hash', async () => {
    const { controlPlane: { kc } } = bed();
    const injectedHash = storedPod.metadata?.annotations?.[Annotations.injected]?.split('/')[1];
    const tracing = await waitFor('the fleet status to count the pod', async () => {
      const current = (await readXRayTracing(kc, NAMESPACE, 'default')) as StoredXRayTracing & { status?: XRayTracingStatus };
      return current.status?.fleet?.pods.current === 1 && current;
    }, { timeoutMs: 60_000 });
    expect(tracing.status?.configHash).toBe(injectedHash);
    expect(tracing.status?.fleet?.pods).toMatchObject({ selected: 1, current: 1, outdated: 0 });
  });

  it('fetches the sampling rules from the X-Ray API, signed with the pod\'s credentials', async () => {
    await expectSignedByThePod(xray.requestsTo('/GetSamplingRules')[0]);
    await expectSignedByThePod(xray.requestsTo('/SamplingTargets')[0]);
  });

  it('exports the sampled spans to X-Ray\'s OTLP path, gzipped and signed, following the XRayTracing\'s rules', async () => {
    const serverPaths = (): string[] => xray.spans.filter((s) => s.resource['service.name'] === 'checkout' && s.kind === SERVER).map((s) => String(s.attributes['url.path']));
    await waitFor('the /orders spans', () => Promise.resolve(serverPaths().filter((p) => p.startsWith('/orders/')).length >= 5), { timeoutMs: 30_000, intervalMs: 250 })
      .catch((error: unknown) => {
        throw new Error(`Spans missing; app log:\n${pod?.app.tail()}`, { cause: error });
      });
    expect(serverPaths().filter((p) => p.startsWith('/orders/'))).toHaveLength(5);
    // Allow one: X-Ray samplers may borrow one request a second from a rule before its first quota arrives.
    expect(serverPaths().filter((p) => p === '/health').length).toBeLessThanOrEqual(1);
    const traces = xray.requestsTo('/v1/traces');
    expect(traces[0]?.headers).toMatchObject({ 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    for (const request of traces) await expectSignedByThePod(request);
  });
});
