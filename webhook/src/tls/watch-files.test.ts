import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createWebhookServer } from '../server.js';
import type { WebhookServer } from '../server.js';
import { cachedResolver, capturingLogger, fixtureView } from '../testing/fixtures.js';
import { httpsRequest } from '../testing/https-client.js';
import { createCertificateAuthority, createServingCertificate } from '../../../operator/src/certs/pki.js';
import type { PemKeyPair } from '../../../operator/src/certs/pki.js';
import { watchTlsFiles } from './watch-files.js';
import type { TlsFileWatcher } from './watch-files.js';

let ca: PemKeyPair;
const issue = () => createServingCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validForDays: 1 });
const fingerprint = (pair: PemKeyPair) => new X509Certificate(pair.certPem).fingerprint256;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'rotation-test-ca', validForDays: 1 });
});

async function serve(initial: PemKeyPair, certFile: string, keyFile: string) {
  const log = capturingLogger();
  const server: WebhookServer = createWebhookServer({
    view: fixtureView(),
    resolve: cachedResolver(),
    logger: log.logger,
    tls: { cert: initial.certPem, key: initial.keyPem },
    metricsRegistry: new Registry(),
    ready: () => true,
  });
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  const watcher: TlsFileWatcher = watchTlsFiles({
    certFile,
    keyFile,
    current: { cert: initial.certPem, key: initial.keyPem },
    onUpdate: (cert, key) => server.updateTls(cert, key),
    logger: log.logger,
    pollIntervalMs: 60_000, // longer than any test: changes must be seen through the filesystem watch
    debounceMs: 20,
  });
  cleanups.push(() => server.app.close(), () => watcher.close());
  /** The certificate a new TLS handshake presents. */
  const presented = async () => (await httpsRequest({ url: `${url}/healthz`, ca: ca.certPem, method: 'GET' })).peerCertificate.fingerprint256;
  return { watcher, presented, lines: log.lines };
}

async function eventually(read: () => Promise<string>, expected: string): Promise<string> {
  let value = await read();
  for (let i = 0; i < 100 && value !== expected; i++) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xo-webhook-tls-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('serving certificate rotation from files', () => {
  it('rewritten files are served on the next handshake; a half-written pair is ignored until the key matches', async () => {
    const dir = await tempDir();
    const [first, second] = [await issue(), await issue()];
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    await writeFile(certFile, first.certPem);
    await writeFile(keyFile, first.keyPem);
    const { watcher, presented, lines } = await serve(first, certFile, keyFile);
    expect(await presented()).toBe(fingerprint(first));

    await writeFile(certFile, second.certPem);
    await watcher.check();
    expect(await presented()).toBe(fingerprint(first));
    expect(lines.some((l) => l.msg === 'Ignored TLS files that do not hold a matching certificate and key yet')).toBe(true);

    await writeFile(keyFile, second.keyPem);
    expect(await eventually(presented, fingerprint(second))).toBe(fingerprint(second));
  });

  it('follows a Secret volume update (the kubelet swaps the ..data symlink)', async () => {
    const dir = await tempDir();
    const [first, second] = [await issue(), await issue()];
    const writeVersion = async (version: string, pair: PemKeyPair) => {
      await mkdir(join(dir, version));
      await writeFile(join(dir, version, 'tls.crt'), pair.certPem);
      await writeFile(join(dir, version, 'tls.key'), pair.keyPem);
    };
    await writeVersion('..v1', first);
    await symlink('..v1', join(dir, '..data'));
    await symlink('..data/tls.crt', join(dir, 'tls.crt'));
    await symlink('..data/tls.key', join(dir, 'tls.key'));
    const { presented } = await serve(first, join(dir, 'tls.crt'), join(dir, 'tls.key'));
    expect(await presented()).toBe(fingerprint(first));

    await writeVersion('..v2', second);
    await symlink('..v2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await rm(join(dir, '..v1'), { recursive: true });
    expect(await eventually(presented, fingerprint(second))).toBe(fingerprint(second));
  });

  it('updateTls refuses a certificate with the wrong key and keeps serving the old one', async () => {
    const [first, second] = [await issue(), await issue()];
    const server = createWebhookServer({
      view: fixtureView(),
      resolve: cachedResolver(),
      logger: capturingLogger().logger,
      tls: { cert: first.certPem, key: first.keyPem },
      metricsRegistry: new Registry(),
      ready: () => true,
    });
    cleanups.push(() => server.app.close());
    const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    expect(() => server.updateTls(second.certPem, first.keyPem)).toThrow(/does not belong to the certificate/);
    const res = await httpsRequest({ url: `${url}/healthz`, ca: ca.certPem, method: 'GET' });
    expect(res.peerCertificate.fingerprint256).toBe(fingerprint(first));
  });
});
