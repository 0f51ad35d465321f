// The same image on other Node.js majors: each picks its OpenTelemetry line and ESM hook and still traces
// CommonJS and ES module apps with framework spans. Runtimes come from npm via the build (.node-versions/<version>).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineEnv, startApp } from './support/app-runner.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { extraNodeBinary } from './support/paths.js';
import { expectXRayTraceId, serverSpanFor } from './support/spans.js';

const RUNTIMES = [
  { version: '18', line: 'legacy', esmHook: 'async' },
  { version: '22.15.0', line: 'current', esmHook: 'async' },
  { version: '22', line: 'current', esmHook: 'sync' },
  { version: '24', line: 'current', esmHook: 'sync' },
] as const;

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
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
});
