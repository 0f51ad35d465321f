import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startSilentServer, type SilentServer } from '../test-support/silent-server.js';
import { makeKubeClients } from './clients.js';
import { classifyApiError } from './errors.js';

let server: SilentServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function kubeConfigFor(url: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kubeConfig;
}

describe('Kubernetes API calls against a server that never answers', () => {
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
