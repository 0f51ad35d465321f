// The same image on other Node.js majors: each picks its OpenTelemetry line and ESM hook and still traces
// CommonJS and ES module apps with framework spans. Runtimes come from npm via the build (.node-versions/<version>).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineEnv, startApp } from './support/app-runner.js';
import { startDownstream, type Downstream } from './support/downstream.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { extraNodeBinary } from './support/paths.js';
import { CLIENT, expectXRayTraceId, serverSpanFor } from './support/spans.js';

const RUNTIMES = [
  { version: '18', line: 'legacy', esmHook: 'async' },
  { version: '22.15.0', line: 'current', esmHook: 'async' },
  { version: '22', line: 'current', esmHook: 'sync' },
  { version: '24', line: 'current', esmHook: 'sync' },
] as const;

let receiver: OtlpReceiver;
let downstream: Downstream;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  downstream = await startDownstream();
});
afterAll(async () => {
  await receiver.close();
  await downstream.close();
});

describe.each(RUNTIMES)('Node.js $version', ({ version, line, esmHook }) => {
  const binary = extraNodeBinary(version);

  it.skipIf(!binary).each([
    ['express-app.mjs', '/api/orders/7', '/api/orders/:orderId', esmHook],
    ['fastify-app.cjs', '/api/items/9', '/api/items/:id', 'off'],
  ])(`runs the ${line} line: %s serves GET %s with route %s (ESM hook %s)`, async (appFile, path, route, expectedHook) => {
    const service = `node${version}-${appFile}`;
    const app = await startApp({
      app: appFile,
      nodeBinary: binary,
      env: { ...engineEnv({ otlpEndpoint: receiver.endpoint, service }), XRAY_OPERATOR_DEBUG: 'true' },
    });
    try {
      expect((await app.get(path)).status).toBe(200);
      const spans = await receiver.waitForSpans((all) =>
        serverSpanFor(all.filter((s) => s.resource['service.name'] === service), path)?.attributes['http.route'] === route,
      );
      const server = serverSpanFor(spans.filter((s) => s.resource['service.name'] === service), path)!;
      expectXRayTraceId(server.traceId);
      expect(server.resource['process.runtime.version']).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')}(\\.|$)`));
      expect(app.output()).toContain(`line=${line} `);
      expect(app.output()).toContain(`esm-hook=${expectedHook}`);
    } finally {
      await app.stop();
    }
  });

  it.skipIf(!binary)(`runs the ${line} line's unsampled path: Express passes an unsampled caller's trace on and still traces sampled requests`, async () => {
    const service = `node${version}-unsampled`;
    const app = await startApp({ app: 'express-service.cjs', nodeBinary: binary, env: { ...engineEnv({ otlpEndpoint: receiver.endpoint, service }), DOWNSTREAM_URL: downstream.url } });
    try {
      const epoch = Math.floor(Date.now() / 1000).toString(16);
      const unsampled = `${epoch}${version.replace(/\D/g, '').padEnd(6, '0')}0a1b2c3d4e5f607182`;
      const sampled = `${epoch}${version.replace(/\D/g, '').padEnd(6, '0')}1a1b2c3d4e5f607182`;
      const callsBefore = downstream.requests.length;
      expect((await app.get('/api/items/7', { traceparent: `00-${unsampled}-53995c3f42cd8ad8-00` })).status).toBe(200);
      const call = downstream.requests.slice(callsBefore).find((r) => r.url === '/downstream/7');
      expect(call?.headers.traceparent).toMatch(new RegExp(`^00-${unsampled}-[0-9a-f]{16}-00$`));
      expect((await app.get('/api/items/7', { traceparent: `00-${sampled}-63995c3f42cd8ad8-01` })).status).toBe(200);
      const spans = await receiver.waitForSpans((all) => all.some((s) => s.traceId === sampled && s.kind === CLIENT) && serverSpanFor(all.filter((s) => s.traceId === sampled), '/api/items/7') !== undefined);
      expect(serverSpanFor(spans.filter((s) => s.traceId === sampled), '/api/items/7')!.attributes['http.route']).toBe('/api/items/:id');
      expect(receiver.spans.filter((s) => s.traceId === unsampled)).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});
