import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { applyPatch } from 'rfc6902';
import type { Operation } from 'rfc6902';
import { injectWithView } from '../../core/src/injection/index.js';
import { Annotations } from '../../core/src/constants.js';
import { createWebhookServer, MUTATE_POD_PATH } from './server.js';
import type { WebhookServer } from './server.js';
import { createCertificateAuthority, createServingCertificate } from '../../operator/src/certs/pki.js';
import type { PemKeyPair } from '../../operator/src/certs/pki.js';
import { httpsRequest } from './testing/https-client.js';
import { cachedResolver, capturingLogger, fixture, fixtureText, fixtureView, RecordingEventSink } from './testing/fixtures.js';
import type { FixtureName } from './testing/fixtures.js';

const BODY_LIMIT = 256 * 1024;

let ca: PemKeyPair;
let serving: PemKeyPair;
let server: WebhookServer;
let baseUrl: string;
let ready = true;
const events = new RecordingEventSink();
const log = capturingLogger();
const registry = new Registry();
const view = fixtureView();
const resolve = cachedResolver();

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'webhook-test-ca', validForDays: 1 });
  serving = await createServingCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validForDays: 1 });
  server = createWebhookServer({
    view,
    resolve,
    events,
    logger: log.logger,
    tls: { cert: serving.certPem, key: serving.keyPem },
    metricsRegistry: registry,
    bodyLimitBytes: BODY_LIMIT,
    ready: () => ready,
  });
  baseUrl = await server.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.app.close();
});

// The API server appends ?timeout=… to the webhook URL.
const post = (body: string | Buffer, contentType?: string) =>
  httpsRequest({ url: `${baseUrl}${MUTATE_POD_PATH}?timeout=10s`, ca: ca.certPem, body, ...(contentType ? { contentType } : {}) });

async function review(body: unknown): Promise<any> {
  const res = await post(JSON.stringify(body));
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  return JSON.parse(res.body);
}

function decodePatch(patch: string): Operation[] {
  return JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as Operation[];
}

async function counter(outcome: string): Promise<number> {
  const metric = await registry.getSingleMetric('xray_operator_webhook_reviews_total')!.get();
  return metric.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

describe('injected pods', () => {
  it.each<FixtureName>(['small-pod', 'multi-container'])(
    '%s: the patch applied to the admitted pod by another RFC 6902 implementation gives the engine output',
    async (name) => {
      const input = fixture(name);
      const body = await review(input);
      expect(body).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
      expect(body.response).toMatchObject({ uid: input.request.uid, allowed: true, patchType: 'JSONPatch' });

      const pod = structuredClone(input.request.object);
      const errors = applyPatch(pod, decodePatch(body.response.patch));
      expect(errors.every((e) => e === null)).toBe(true);
      const expected = injectWithView(structuredClone(input.request.object), input.request.namespace, view, resolve);
      expect(expected.action).toBe('injected');
      expect(pod).toEqual(expected.pod);
      expect(pod.metadata.annotations[Annotations.injected]).toMatch(/^default\//);
    },
  );

  it('the patch never touches status, identity or server-owned metadata', async () => {
    for (const name of ['small-pod', 'multi-container'] as const) {
      const body = await review(fixture(name));
      const paths = decodePatch(body.response.patch).map((op) => op.path);
      for (const path of paths) expect(path).not.toMatch(/^\/(status|kind|apiVersion|metadata\/(uid|name|generateName|namespace|resourceVersion|creationTimestamp|managedFields))(\/|$)/);
    }
  });

  it('identical pods of a scale-up each get their own uid and the same patch', async () => {
    const input = fixture('multi-container');
    const answers = [];
    for (const uid of ['replica-1', 'replica-2', 'replica-3']) answers.push((await review({ ...input, request: { ...input.request, uid } })).response);
    expect(answers.map((a) => a.uid)).toEqual(['replica-1', 'replica-2', 'replica-3']);
    expect(new Set(answers.map((a) => a.patch)).size).toBe(1);
    const pod = structuredClone(input.request.object);
    applyPatch(pod, decodePatch(answers[2].patch));
    expect(pod).toEqual(injectWithView(structuredClone(input.request.object), 'shop', view, resolve).pod);
  });

  it('a pod injected once and admitted again is left unchanged (idempotent)', async () => {
    const first = fixture('small-pod');
    const injected = structuredClone(first.request.object);
    applyPatch(injected, decodePatch((await review(first)).response.patch));
    const body = await review({ ...first, request: { ...first.request, uid: 'second-pass', object: injected } });
    expect(body.response).toEqual({ uid: 'second-pass', allowed: true });
  });

  it('logs one info line per review with the generateName when the pod has no name yet', async () => {
    const input = fixture('small-pod');
    await review(input);
    const line = log.lines.filter((l) => l.uid === input.request.uid).at(-1);
    expect(line).toMatchObject({ level: 30, namespace: 'shop', name: 'checkout-6d8f7b9c5d-*', operation: 'CREATE', outcome: 'injected', tracing: 'default' });
    expect(typeof line?.durationMs).toBe('number');
    expect(line).not.toHaveProperty('review');
  });
});

describe('pods and requests that are admitted unchanged', () => {
  it.each<[FixtureName, string]>([
    ['not-opted-in', 'a pod without the opt-in annotation'],
    ['already-injected', 'a pod that already carries the injection'],
    ['update-operation', 'an UPDATE of a pod'],
    ['non-pod-resource', 'a resource other than pods'],
  ])('%s: %s is allowed with no patch and no warning', async (name) => {
    const input = fixture(name);
    const body = await review(input);
    expect(body.response).toEqual({ uid: input.request.uid, allowed: true });
  });

  it('a pod nothing opted in is logged at debug only; a pod that opted out is logged at info', async () => {
    const input = fixture('not-opted-in');
    const linesOf = (uid: string) => log.lines.filter((line) => line.uid === uid);
    await review({ ...input, request: { ...input.request, uid: 'quiet-at-info' } });
    expect(linesOf('quiet-at-info')).toEqual([]);
    const optedOut = structuredClone(input.request.object);
    optedOut.metadata.annotations = { ...optedOut.metadata.annotations, [Annotations.injectNodejs]: 'false' };
    await review({ ...input, request: { ...input.request, uid: 'opted-out', object: optedOut } });
    expect(linesOf('opted-out')).toMatchObject([{ level: 30, outcome: 'unchanged', reason: expect.stringContaining('false') }]);
    log.logger.level = 'debug';
    try {
      await review({ ...input, request: { ...input.request, uid: 'logged-at-debug' } });
    } finally {
      log.logger.level = 'info';
    }
    const reviewLines = linesOf('logged-at-debug').filter((line) => line.msg === 'Admitted unchanged');
    expect(reviewLines).toMatchObject([{ level: 20, outcome: 'unchanged', reason: expect.stringContaining('no XRayTracing selects it') }]);
  });

  it('an opted-in pod in a namespace without XRayTracing is allowed with a warning, an Event and only the reason recorded on it', async () => {
    const input = fixture('missing-xraytracing');
    const before = events.events.length;
    const body = await review(input);
    expect(body.response).toMatchObject({ uid: input.request.uid, allowed: true, patchType: 'JSONPatch' });
    const patched = structuredClone(input.request.object);
    expect(applyPatch(patched, JSON.parse(Buffer.from(body.response.patch, 'base64').toString('utf8')) as Operation[])).toEqual([null]);
    expect(patched).toEqual({ ...input.request.object, metadata: { ...input.request.object.metadata, annotations: { ...input.request.object.metadata.annotations, [Annotations.injectionSkipped]: 'NoXRayTracing' } } });
    expect(body.response.warnings).toHaveLength(1);
    expect(body.response.warnings[0]).toContain('no XRayTracing "default" in namespace "payments"');
    expect(body.response.warnings[0]).not.toMatch(/[\n\r]/);
    expect(events.events.slice(before)).toEqual([
      {
        namespace: 'payments',
        podName: 'refunds-8f6d5c4b7-',
        reason: expect.stringContaining('XRayTracing'),
        owner: { kind: 'ReplicaSet', name: 'refunds-8f6d5c4b7', uid: input.request.object.metadata.ownerReferences[0].uid },
      },
    ]);
  });

  it('a dry-run review gets the same answer but records no Event', async () => {
    const input = fixture('dry-run');
    const before = events.events.length;
    const body = await review(input);
    expect(body.response.allowed).toBe(true);
    expect(body.response.warnings?.[0]).toContain('no XRayTracing');
    expect(events.events.length).toBe(before);
  });
});

describe('invalid requests', () => {
  const valid = fixtureText('small-pod');
  const small = fixture('small-pod');
  const cases: [string, string | Buffer, string?][] = [
    ['garbage', 'this is not json at all'],
    ['truncated JSON', valid.slice(0, valid.length / 2)],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['the wrong kind', JSON.stringify({ ...small, kind: 'TokenReview' })],
    ['the wrong apiVersion', JSON.stringify({ ...small, apiVersion: 'admission.k8s.io/v1beta1' })],
    ['no request', JSON.stringify({ apiVersion: small.apiVersion, kind: small.kind })],
    ['a request without uid', JSON.stringify({ ...small, request: { ...small.request, uid: undefined } })],
    ['a CREATE without object', JSON.stringify({ ...small, request: { ...small.request, object: null } })],
    ['a body over the limit', JSON.stringify({ ...small, padding: 'x'.repeat(BODY_LIMIT) })],
    ['a non-JSON content type', valid, 'text/plain'],
  ];

  it.each(cases)('%s is answered 400 with a JSON message, and the server keeps serving', async (_name, body, contentType) => {
    const invalidBefore = await counter('invalid');
    const res = await post(body, contentType);
    expect(res.status).toBe(400);
    const error = JSON.parse(res.body);
    expect(error).toMatchObject({ error: 'Bad Request', message: expect.stringMatching(/^Invalid AdmissionReview: .+/) });
    expect(await counter('invalid')).toBe(invalidBefore + 1);

    const after = await review(small);
    expect(after.response.patchType).toBe('JSONPatch');
  });
});

describe('internal errors', () => {
  it('an engine failure admits the pod unchanged with a warning and an error log line', async () => {
    const { logger, lines } = capturingLogger();
    const failing = createWebhookServer({
      view,
      resolve: () => {
        throw new Error('resolved spec cache is corrupt');
      },
      logger,
      tls: { cert: serving.certPem, key: serving.keyPem },
      metricsRegistry: new Registry(),
      ready: () => true,
    });
    const url = await failing.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const input = fixture('small-pod');
      const res = await httpsRequest({ url: `${url}${MUTATE_POD_PATH}`, ca: ca.certPem, body: JSON.stringify(input) });
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body);
      expect(body.response).toEqual({ uid: input.request.uid, allowed: true, warnings: [expect.stringContaining('resolved spec cache is corrupt')] });
      expect(lines.find((l) => l.uid === input.request.uid)).toMatchObject({ level: 50, outcome: 'error', err: { message: 'resolved spec cache is corrupt' } });
    } finally {
      await failing.app.close();
    }
  });
});

describe('metrics and health on the webhook port', () => {
  it('counts reviews by outcome and times them', async () => {
    const [injected, unchanged] = [await counter('injected'), await counter('unchanged')];
    await review(fixture('small-pod'));
    await review(fixture('not-opted-in'));
    expect(await counter('injected')).toBe(injected + 1);
    expect(await counter('unchanged')).toBe(unchanged + 1);
    const res = await httpsRequest({ url: `${baseUrl}/metrics`, ca: ca.certPem, method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/xray_operator_webhook_review_duration_seconds_count\{outcome="injected"\} [1-9]/);
  });

  it('/readyz follows ready() and /healthz answers while the process lives', async () => {
    const get = (path: string) => httpsRequest({ url: `${baseUrl}${path}`, ca: ca.certPem, method: 'GET' });
    expect((await get('/readyz')).status).toBe(200);
    ready = false;
    expect((await get('/readyz')).status).toBe(503);
    expect((await get('/healthz')).status).toBe(200);
    ready = true;
  });
});
