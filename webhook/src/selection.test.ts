// The webhook answers pods that an XRayTracing selects by its spec (no annotation), through the real HTTPS server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { applyPatch, type Operation } from 'rfc6902';
import type { XRayTracing } from '../../core/src/api/types.js';
import { API_GROUP_VERSION, Annotations, InjectedNames, XRAY_TRACING_KIND } from '../../core/src/constants.js';
import { StaticClusterView } from '../../core/src/cluster-view/static-view.js';
import { createCertificateAuthority, createServingCertificate, type PemKeyPair } from '../../operator/src/certs/pki.js';
import { createWebhookServer, MUTATE_POD_PATH, type WebhookServer } from './server.js';
import { httpsRequest } from './testing/https-client.js';
import { cachedResolver, capturingLogger, fixture, RecordingEventSink } from './testing/fixtures.js';

/** `shop` selects the catalog's pods by label, except the Deployment `legacy` and pods labelled tier=batch. */
const selecting: XRayTracing = {
  apiVersion: API_GROUP_VERSION,
  kind: XRAY_TRACING_KIND,
  metadata: { name: 'default', namespace: 'shop' },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': 'catalog' } },
    exclude: { selector: { matchLabels: { tier: 'batch' } }, workloads: [{ kind: 'Deployment', name: 'legacy' }] },
  },
};

let ca: PemKeyPair;
let server: WebhookServer;
let baseUrl: string;

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'webhook-selection-ca', validForDays: 1 });
  const serving = await createServingCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validForDays: 1 });
  server = createWebhookServer({
    view: new StaticClusterView({ xrayTracings: [selecting], clusterName: 'prod-eu' }),
    resolve: cachedResolver(),
    events: new RecordingEventSink(),
    logger: capturingLogger().logger,
    tls: { cert: serving.certPem, key: serving.keyPem },
    metricsRegistry: new Registry(),
    ready: () => true,
  });
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.app.close();
});

/** The `not-opted-in` fixture (a catalog Deployment's pod, no annotation) with its metadata changed. */
function catalogPod(change: (metadata: any) => void = () => undefined): any {
  const review = fixture('not-opted-in');
  change(review.request.object.metadata);
  return review;
}

async function answer(review: unknown): Promise<{ allowed: boolean; patch?: string; warnings?: string[] }> {
  const res = await httpsRequest({ url: `${baseUrl}${MUTATE_POD_PATH}?timeout=10s`, ca: ca.certPem, body: JSON.stringify(review) });
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { response: { allowed: boolean; patch?: string; warnings?: string[] } }).response;
}

const patchText = (patch: string | undefined): string => Buffer.from(patch ?? '', 'base64').toString('utf8');

describe('webhook and XRayTracing selectors', () => {
  it('injects an unannotated pod the XRayTracing\'s spec.selector matches', async () => {
    const review = catalogPod();
    const response = await answer(review);
    const pod = structuredClone(review.request.object);
    expect(applyPatch(pod, JSON.parse(patchText(response.patch)) as Operation[]).every((error) => error === null)).toBe(true);
    expect(pod.metadata.annotations[Annotations.injected]).toMatch(/^default\//);
    expect(pod.spec.initContainers.map((c: { name: string }) => c.name)).toContain(InjectedNames.initContainer);
  });

  it.each([
    ['excluded by label', (m: { labels: Record<string, string> }) => (m.labels.tier = 'batch')],
    ['excluded by workload name (told from its ReplicaSet owner)', (m: { generateName: string; ownerReferences: { name: string }[] }) => {
      m.generateName = 'legacy-7b9c8d6f5-';
      m.ownerReferences[0]!.name = 'legacy-7b9c8d6f5';
    }],
    ['annotated inject-nodejs "false"', (m: { annotations?: Record<string, string> }) => (m.annotations = { [Annotations.injectNodejs]: 'false' })],
    ['not matched by the selector', (m: { labels: Record<string, string> }) => (m.labels['app.kubernetes.io/name'] = 'checkout')],
  ])('admits a pod %s unchanged', async (_name, change) => {
    const response = await answer(catalogPod(change));
    expect(response).toEqual({ uid: expect.any(String) as string, allowed: true });
  });

  it('injects an excluded pod that opts in by its own annotation', async () => {
    const response = await answer(catalogPod((m: { labels: Record<string, string>; annotations?: Record<string, string> }) => {
      m.labels.tier = 'batch';
      m.annotations = { [Annotations.injectNodejs]: 'true' };
    }));
    expect(patchText(response.patch)).toContain(InjectedNames.initContainer);
  });
});
