import { afterAll, beforeAll, expect, it } from 'vitest';
import { Counter, Registry } from 'prom-client';
import { createHealthServer } from './health-server.js';
import type { HealthServer } from './health-server.js';
import { capturingLogger } from './testing/fixtures.js';

let app: HealthServer;
let url: string;
let ready = false;
const registry = new Registry();
new Counter({ name: 'health_test_total', help: 'A counter the test registered', registers: [registry] }).inc(3);

beforeAll(async () => {
  app = createHealthServer({ ready: () => ready, metricsRegistry: registry, logger: capturingLogger().logger });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
});

it('serves /healthz, /readyz (503 until ready) and Prometheus /metrics over plain HTTP', async () => {
  expect(url).toMatch(/^http:\/\//);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  expect((await fetch(`${url}/readyz`)).status).toBe(503);
  ready = true;
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
  const metrics = await fetch(`${url}/metrics`);
  expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  expect(await metrics.text()).toContain('health_test_total 3');
});
