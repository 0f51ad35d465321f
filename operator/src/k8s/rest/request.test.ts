import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startSilentServer, type SilentServer } from '../../test-support/silent-server.js';
import { makeKubeClients } from '../clients.js';
import { classifyApiError, describeApiError, retryAfterSeconds } from '../errors.js';
import { mergePatch, serverSideApply } from '../patch.js';

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}
interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

/** A local API server that records each request and answers with `answer(request)`. */
async function startApiServer(answer: (seen: Seen) => Answer): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const text = Buffer.concat(chunks).toString('utf8');
      const entry: Seen = { method: request.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: request.headers, body: text ? JSON.parse(text) : undefined };
      seen.push(entry);
      const { status, body, headers } = answer(entry);
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeServer = () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function kubeConfigFor(url: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kubeConfig;
}

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code });

describe('the operator\'s Kubernetes REST calls', () => {
  it('list one page by label with the kubeconfig\'s token, and hand back the JSON as sent with the continue token as _continue', async () => {
    const created = '2026-11-30T05:00:00Z';
    const api = await startApiServer(() => ({
      status: 200,
      body: { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '42', continue: 'next-page' }, items: [{ metadata: { name: 'web-1', namespace: 'shop', creationTimestamp: created }, status: { phase: 'Pending' } }] },
    }));
    const clients = makeKubeClients(kubeConfigFor(api.url));

    const pods = await clients.core.listPodForAllNamespaces({ labelSelector: 'app in (web)', limit: 500, _continue: 'this-page' });

    expect(api.seen).toEqual([expect.objectContaining({ method: 'GET', path: '/api/v1/pods', query: { labelSelector: 'app in (web)', limit: '500', continue: 'this-page' } })]);
    expect(api.seen[0]!.headers).toMatchObject({ authorization: 'Bearer secret-token', accept: 'application/json', 'user-agent': 'xray-operator' });
    expect(pods.metadata).toEqual({ resourceVersion: '42', continue: 'next-page', _continue: 'next-page' });
    // Timestamps stay the strings the API server sent, as in watch events (client-node's serializer made Dates).
    expect(pods.items[0]!.metadata?.creationTimestamp).toBe(created);
  });

  it('send each patch flavour with its Content-Type, the field manager and force, to the object\'s encoded path', async () => {
    const api = await startApiServer((seen) => ({ status: 200, body: { metadata: { name: seen.path.split('/').pop() } } }));
    const clients = makeKubeClients(kubeConfigFor(api.url));

    await clients.apps.patchNamespacedDeployment({ name: 'web', namespace: 'shop', body: { spec: { paused: false } } }, mergePatch);
    await clients.core.patchNamespacedConfigMap({ name: 'collector', namespace: 'shop', body: { data: { a: 'b' } }, fieldManager: 'xray-operator', force: true }, serverSideApply);
    await clients.custom.patchNamespacedCustomObjectStatus({ group: 'xray.example.com', version: 'v1', plural: 'xraytracings', name: 'a b', namespace: 'shop', body: { status: {} } }, mergePatch);
    await clients.admission.patchMutatingWebhookConfiguration({ name: 'hook', body: [{ op: 'replace', path: '/webhooks/0/clientConfig/caBundle', value: 'Q0E=' }] });

    expect(api.seen.map(({ method, path, query, headers }) => [method, path, query, headers['content-type']])).toEqual([
      ['PATCH', '/apis/apps/v1/namespaces/shop/deployments/web', {}, 'application/merge-patch+json'],
      ['PATCH', '/api/v1/namespaces/shop/configmaps/collector', { fieldManager: 'xray-operator', force: 'true' }, 'application/apply-patch+yaml'],
      ['PATCH', '/apis/xray.example.com/v1/namespaces/shop/xraytracings/a%20b/status', {}, 'application/merge-patch+json'],
      ['PATCH', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/hook', {}, 'application/json-patch+json'],
    ]);
    expect(api.seen.map((seen) => seen.body)).toEqual([
      { spec: { paused: false } },
      { data: { a: 'b' } },
      { status: {} },
      [{ op: 'replace', path: '/webhooks/0/clientConfig/caBundle', value: 'Q0E=' }],
    ]);
  });

  it('write Lease times with microseconds, as the API server requires of a MicroTime', async () => {
    const api = await startApiServer((seen) => ({ status: seen.method === 'POST' ? 201 : 200, body: seen.body }));
    const clients = makeKubeClients(kubeConfigFor(api.url));
    const renewTime = new V1MicroTime(Date.parse('2026-11-30T05:00:00.123Z'));

    const lease = await clients.coordination.createNamespacedLease({ namespace: 'xray-system', body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', renewTime } } });
    await clients.coordination.replaceNamespacedLease({ name: 'leader', namespace: 'xray-system', body: { metadata: { name: 'leader', resourceVersion: '7' }, spec: { holderIdentity: 'b', renewTime } } });

    expect(api.seen.map(({ method, path }) => `${method} ${path}`)).toEqual(['POST /apis/coordination.k8s.io/v1/namespaces/xray-system/leases', 'PUT /apis/coordination.k8s.io/v1/namespaces/xray-system/leases/leader']);
    expect(api.seen.map((seen) => (seen.body as { spec: { renewTime: string } }).spec.renewTime)).toEqual(['2026-11-30T05:00:00.123000Z', '2026-11-30T05:00:00.123000Z']);
    expect(lease.spec?.holderIdentity).toBe('a');
  });

  it.each([
    [404, 'NotFound', 'secrets "webhook-tls" not found', {}, 'NotFound', undefined],
    [409, 'Conflict', 'the object has been modified', {}, 'Conflict', undefined],
    [429, 'TooManyRequests', 'too many requests', { 'retry-after': '3' }, 'TooManyRequests', 3],
    [503, 'ServiceUnavailable', 'etcd is down', {}, 'ServerError', undefined],
  ])('turn an HTTP %i into client-node\'s ApiException, classified and described from the Status the server sent', async (code, reason, message, headers, kind, retryAfter) => {
    const api = await startApiServer(() => ({ status: code, body: status(code, reason, message), headers }));
    const clients = makeKubeClients(kubeConfigFor(api.url));

    const error = await clients.core.readNamespacedSecret({ name: 'webhook-tls', namespace: 'xray-system' }).then(() => undefined, (caught: unknown) => caught);

    expect(error).toMatchObject({ code });
    expect(classifyApiError(error)).toBe(kind);
    expect(describeApiError(error)).toBe(`HTTP ${code}: ${message}`);
    expect(retryAfterSeconds(error)).toBe(retryAfter);
  });
});

describe('Kubernetes API calls against a server that never answers', () => {
  let server: SilentServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('give up after their timeout with an error classified as a network failure, for Lease calls too', async () => {
    server = await startSilentServer();
    const clients = makeKubeClients(kubeConfigFor(server.url), { requestMs: 300, leaseMs: 200 });
    const lease = await clients.coordination.readNamespacedLease({ name: 'l', namespace: 'xray-system' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const list = await clients.core.listNamespacedConfigMap({ namespace: 'shop' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(server.requests()).toBe(2);
    expect((lease as Error).name).toBe('TimeoutError');
    expect(classifyApiError(lease)).toBe('Network');
    expect(classifyApiError(list)).toBe('Network');
  });
});
