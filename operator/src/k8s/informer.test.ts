// ResilientInformer against an in-process HTTP server that answers watches the way an API server does: it must
// restart after errors client-node gives up on, relist after 410 Gone, and keep only stripped objects.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ResilientInformer } from './informer.js';
import { stripConfigMap } from './strip.js';

type WatchAnswer = (res: http.ServerResponse) => void;

async function watchServer(answers: WatchAnswer[]): Promise<{ kubeConfig: KubeConfig; watches: () => number; close: () => Promise<void> }> {
  let watches = 0;
  const server = http.createServer((_req, res) => {
    const answer = answers[Math.min(watches, answers.length - 1)];
    watches++;
    answer?.(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  const { port } = server.address() as AddressInfo;
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return {
    kubeConfig,
    watches: () => watches,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const failWith = (status: number): WatchAnswer => (res) => res.writeHead(status).end();
const streamEvents = (...events: object[]): WatchAnswer => (res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  for (const event of events) res.write(`${JSON.stringify(event)}\n`);
};
const goneThenClose: WatchAnswer = (res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })}\n`);
};

const configMap = (name: string, resourceVersion: string): V1ConfigMap => ({
  metadata: { name, namespace: 'shop', resourceVersion, managedFields: [{ manager: 'kubectl' }] },
  data: { NODE_OPTIONS: '--max-old-space-size=256' },
  binaryData: { blob: 'AAAA' },
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition()).toBe(true);
}

describe('ResilientInformer', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('restarts after a watch error client-node stops on, and caches stripped objects', async () => {
    const server = await watchServer([failWith(500), streamEvents({ type: 'ADDED', object: configMap('added', '3') })]);
    let lists = 0;
    const informer = new ResilientInformer<V1ConfigMap>({
      name: 'configmaps',
      kubeConfig: server.kubeConfig,
      path: '/api/v1/configmaps',
      list: () => Promise.resolve({ metadata: { resourceVersion: String(++lists) }, items: [configMap('listed', '1')] }),
      strip: stripConfigMap,
      logger: pino({ level: 'silent' }),
      restartBackoff: { baseMs: 20, maxMs: 100, jitter: 0 },
    });
    cleanups.push(() => informer.stop(), server.close);
    await informer.start();
    await until(() => informer.get('added', 'shop') !== undefined);
    const state = informer.snapshot();
    expect(state).toMatchObject({ connected: true, synced: true });
    expect(state.restarts).toBeGreaterThanOrEqual(1);
    expect(informer.get('listed', 'shop')?.binaryData).toBeUndefined();
    expect(informer.get('added', 'shop')?.metadata?.managedFields).toBeUndefined();
    expect(informer.get('added', 'shop')?.data).toEqual({ NODE_OPTIONS: '--max-old-space-size=256' });
  });

  it('lists page by page, stripping each page, and watches from the version the pages were served at', async () => {
    const server = await watchServer([streamEvents({ type: 'ADDED', object: configMap('watched', '9') })]);
    const pages: { limit: number; _continue?: string }[] = [];
    const answers = [
      { metadata: { resourceVersion: '8', _continue: 'page2' }, items: [configMap('a', '1'), configMap('b', '2')] },
      { metadata: { resourceVersion: '8', _continue: 'page3' }, items: [configMap('c', '3'), configMap('d', '4')] },
      { metadata: { resourceVersion: '8' }, items: [configMap('e', '5')] },
    ];
    const informer = new ResilientInformer<V1ConfigMap>({
      name: 'configmaps',
      kubeConfig: server.kubeConfig,
      path: '/api/v1/configmaps',
      list: (page) => {
        pages.push(page);
        return Promise.resolve(answers[pages.length - 1]!);
      },
      pageSize: 2,
      strip: stripConfigMap,
      logger: pino({ level: 'silent' }),
    });
    cleanups.push(() => informer.stop(), server.close);
    await informer.start();
    await until(() => informer.get('watched', 'shop') !== undefined);
    expect(pages).toEqual([{ limit: 2, _continue: undefined }, { limit: 2, _continue: 'page2' }, { limit: 2, _continue: 'page3' }]);
    expect(informer.list().map((c) => c.metadata?.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'watched']);
    expect(informer.get('c', 'shop')?.binaryData).toBeUndefined();
  });

  it('relists when the API server says the resourceVersion is gone, dropping what vanished meanwhile', async () => {
    const server = await watchServer([goneThenClose, streamEvents()]);
    let lists = 0;
    const deleted: string[] = [];
    const informer = new ResilientInformer<V1ConfigMap>({
      name: 'configmaps',
      kubeConfig: server.kubeConfig,
      path: '/api/v1/configmaps',
      list: () => {
        lists++;
        const items = lists === 1 ? [configMap('old', '1'), configMap('kept', '1')] : [configMap('kept', '5')];
        return Promise.resolve({ metadata: { resourceVersion: String(lists * 10) }, items });
      },
      strip: stripConfigMap,
      logger: pino({ level: 'silent' }),
    });
    informer.on('delete', (object) => deleted.push(object.metadata?.name ?? ''));
    cleanups.push(() => informer.stop(), server.close);
    await informer.start();
    await until(() => lists === 2 && server.watches() >= 2);
    expect(deleted).toEqual(['old']);
    expect(informer.list('shop').map((object) => object.metadata?.name)).toEqual(['kept']);
  });
});
