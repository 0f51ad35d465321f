import { createServer, type Server } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, createServingCertificate, type PemKeyPair } from '../certs/pki.js';
import { makeKubeClients } from './clients.js';

/** Lets undici put the connection back in its pool (it does so just after the response body is handed over). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

let ca: PemKeyPair;
let serving: PemKeyPair;
let server: Server | undefined;

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'test-ca', validForDays: 1 });
  serving = await createServingCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validForDays: 1 });
});

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** An API server that answers every request with an empty NamespaceList and counts TLS handshakes. */
async function startApiServer(): Promise<{ url: string; handshakes: () => number; requests: () => number }> {
  let handshakes = 0;
  let requests = 0;
  server = createServer({ cert: serving.certPem, key: serving.keyPem }, (_request, response) => {
    requests++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }));
  });
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `https://127.0.0.1:${address.port}`, handshakes: () => handshakes, requests: () => requests };
}

function kubeConfigWithCaFile(url: string, caFile: string, user: Record<string, unknown> = { token: 't' }): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: url, caFile }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kubeConfig;
}

describe('API clients of one kubeconfig', () => {
  it('share one TLS connection across requests and API groups, and open a new one when the CA file changes', async () => {
    const api = await startApiServer();
    const caFile = join(mkdtempSync(join(tmpdir(), 'xo-pool-')), 'ca.crt');
    writeFileSync(caFile, ca.certPem);
    const clients = makeKubeClients(kubeConfigWithCaFile(api.url, caFile));
    for (let i = 0; i < 5; i++) await clients.core.listNamespace().then(settle);
    await clients.version.getCode().catch(settle);
    expect(api.requests()).toBe(6);
    expect(api.handshakes()).toBe(1);

    // The same CA with a trailing comment line: other bytes, so the client builds a new pool from the file.
    writeFileSync(caFile, `${ca.certPem}\n# rotated\n`);
    for (let i = 0; i < 3; i++) await clients.core.listNamespace().then(settle);
    expect(api.requests()).toBe(9);
    expect(api.handshakes()).toBe(2);
  });

  it('keep client-node\'s connection per request when an exec plugin may supply the client certificate', async () => {
    const api = await startApiServer();
    const caFile = join(mkdtempSync(join(tmpdir(), 'xo-pool-')), 'ca.crt');
    writeFileSync(caFile, ca.certPem);
    const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 't' } });
    const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: ['-e', `process.stdout.write(${JSON.stringify(credential)})`], interactiveMode: 'Never' };
    const clients = makeKubeClients(kubeConfigWithCaFile(api.url, caFile, { exec }));
    for (let i = 0; i < 3; i++) await clients.core.listNamespace();
    expect(api.requests()).toBe(3);
    expect(api.handshakes()).toBe(3);
  });
});
