// The built preload in real Node.js apps (this machine's Node.js), exporting http/protobuf to a local receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineEnv, startApp } from './support/app-runner.js';
import { startDownstream, type Downstream } from './support/downstream.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { CLIENT, expectXRayTraceId, SERVER, serverSpanFor } from './support/spans.js';

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

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...engineEnv({ otlpEndpoint: receiver.endpoint }),
  DOWNSTREAM_URL: downstream.url,
  ...extra,
});

describe('plain http app', () => {
  it('exports server spans with X-Ray trace IDs, the service name and the k8s resource attributes', async () => {
    const app = await startApp({ app: 'http-app.cjs', env: env({ OTEL_SERVICE_NAME: 'plain-http' }) });
    try {
      expect((await app.get('/api/items?page=1')).status).toBe(200);
      const spans = await receiver.waitForSpans((all) => all.some((s) => s.resource['service.name'] === 'plain-http' && s.kind === SERVER));
      const span = spans.find((s) => s.resource['service.name'] === 'plain-http' && s.kind === SERVER)!;
      expectXRayTraceId(span.traceId);
      expect(span.attributes['url.path']).toBe('/api/items');
      expect(span.resource).toMatchObject({
        'k8s.namespace.name': 'shop',
        'k8s.pod.name': 'checkout-7d9f-abcde',
        'cloud.platform': 'aws_eks',
      });
      expect(receiver.contentTypes).toContain('application/x-protobuf');
    } finally {
      await app.stop();
    }
  });

  it('makes random W3C trace IDs instead of timestamped X-Ray ones when the XRayTracing asks for w3c', async () => {
    const app = await startApp({ app: 'http-app.cjs', env: env({ OTEL_SERVICE_NAME: 'w3c-ids', XRAY_OPERATOR_TRACE_IDS: 'w3c' }) });
    try {
      for (let i = 0; i < 3; i++) expect((await app.get(`/api/items?page=${i}`)).status).toBe(200);
      const spans = await receiver.waitForSpans((all) => all.filter((s) => s.resource['service.name'] === 'w3c-ids' && s.kind === SERVER).length >= 3);
      const ids = spans.filter((s) => s.resource['service.name'] === 'w3c-ids' && s.kind === SERVER).map((s) => s.traceId);
      // X-Ray IDs start with the current epoch second; three random ones all within two minutes of it would be chance.
      const nearNow = ids.filter((id) => Math.abs(parseInt(id.slice(0, 8), 16) - Date.now() / 1000) < 120);
      expect(ids.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
      expect(nearNow).toEqual([]);
    } finally {
      await app.stop();
    }
  });

  it('sends X-Amzn-Trace-Id and traceparent on outgoing calls, in the same trace', async () => {
    const app = await startApp({ app: 'http-app.cjs', env: env({ OTEL_SERVICE_NAME: 'outgoing' }) });
    try {
      const response = await app.get('/api/call');
      const seen = (JSON.parse(response.body) as { headers: Record<string, string> }).headers;
      const root = /^Root=1-([0-9a-f]{8})-([0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=1$/.exec(seen['x-amzn-trace-id'] ?? '');
      expect(root, `X-Amzn-Trace-Id: ${seen['x-amzn-trace-id']}`).not.toBeNull();
      const traceId = `${root![1]}${root![2]}`;
      expect(seen.traceparent).toBe(`00-${traceId}-${root![3]}-01`);
      const spans = await receiver.waitForSpans((all) => all.some((s) => s.traceId === traceId && s.kind === SERVER));
      expect(spans.some((s) => s.traceId === traceId && s.kind === CLIENT && s.spanId === root![3])).toBe(true);
      expectXRayTraceId(traceId);
    } finally {
      await app.stop();
    }
  });

  it('propagates only the formats OTEL_PROPAGATORS lists', async () => {
    const app = await startApp({ app: 'http-app.cjs', env: env({ OTEL_SERVICE_NAME: 'xray-only', OTEL_PROPAGATORS: 'xray' }) });
    try {
      const seen = (JSON.parse((await app.get('/api/call')).body) as { headers: Record<string, string> }).headers;
      expect(seen['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
      expect(seen.traceparent).toBeUndefined();
    } finally {
      await app.stop();
    }
  });

  it('continues the trace of an incoming X-Amzn-Trace-Id header', async () => {
    const app = await startApp({ app: 'http-app.cjs', env: env({ OTEL_SERVICE_NAME: 'continues' }) });
    try {
      const traceId = `${Math.floor(Date.now() / 1000).toString(16)}a1b2c3d4e5f60718293a4b5c`;
      const parent = '53995c3f42cd8ad8';
      await app.get('/api/items', { 'X-Amzn-Trace-Id': `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${parent};Sampled=1` });
      const spans = await receiver.waitForSpans((all) => all.some((s) => s.traceId === traceId));
      const server = spans.find((s) => s.traceId === traceId && s.kind === SERVER)!;
      expect(server.parentSpanId).toBe(parent);
    } finally {
      await app.stop();
    }
  });

  it('traces AWS SDK calls and propagates the trace to the AWS endpoint', async () => {
    const app = await startApp({ app: 'http-app.cjs', env: env({ OTEL_SERVICE_NAME: 'aws-client' }) });
    try {
      expect((await app.get('/api/s3')).status).toBe(200);
      const spans = await receiver.waitForSpans((all) => all.some((s) => s.resource['service.name'] === 'aws-client' && s.attributes['rpc.service'] === 'S3'));
      const s3 = spans.find((s) => s.resource['service.name'] === 'aws-client' && s.attributes['rpc.service'] === 'S3')!;
      expect(s3.attributes['rpc.method']).toBe('ListObjectsV2');
      const call = downstream.requests.find((r) => r.url.startsWith('/orders'));
      expect(call?.headers['x-amzn-trace-id']).toContain(`Root=1-${s3.traceId.slice(0, 8)}-${s3.traceId.slice(8)}`);
    } finally {
      await app.stop();
    }
  });
});

describe('frameworks', () => {
  it.each([
    ['express-app.cjs', '/api/items/42', '/api/items/:id', '@opentelemetry/instrumentation-express'],
    ['express-app.mjs', '/api/orders/7', '/api/orders/:orderId', '@opentelemetry/instrumentation-express'],
    ['fastify-app.cjs', '/api/items/42', '/api/items/:id', '@fastify/otel'],
  ])('%s gets route names on server spans and framework spans', async (appFile, path, route, scope) => {
    const service = `fw-${appFile}`;
    const app = await startApp({ app: appFile, env: env({ OTEL_SERVICE_NAME: service }) });
    try {
      expect((await app.get(path)).status).toBe(200);
      const spans = await receiver.waitForSpans((all) => all.some((s) => s.resource['service.name'] === service && s.scope === scope));
      const mine = spans.filter((s) => s.resource['service.name'] === service);
      const server = serverSpanFor(mine, path)!;
      expect(server.attributes['http.route']).toBe(route);
      expect(server.name).toBe(`GET ${route}`);
      expect(mine.filter((s) => s.scope === scope).every((s) => s.traceId === server.traceId)).toBe(true);
    } finally {
      await app.stop();
    }
  });
});

describe('middleware spans', () => {
  const expressTypes = async (service: string, extra: Record<string, string>): Promise<{ types: string[]; route: unknown; clientInTrace: boolean; routerMiddleware: boolean }> => {
    const app = await startApp({ app: 'express-service.cjs', env: env({ OTEL_SERVICE_NAME: service, ...extra }) });
    try {
      expect((await app.get('/api/items/42')).status).toBe(200);
      const spans = await receiver.waitForSpans((all) => all.some((s) => s.resource['service.name'] === service && s.kind === CLIENT));
      // The request handler's span ends after the outgoing call's: wait for it too.
      await receiver.waitForSpans((all) => all.some((s) => s.resource['service.name'] === service && s.attributes['express.type'] === 'request_handler'));
      const mine = receiver.spans.filter((s) => s.resource['service.name'] === service);
      const server = serverSpanFor(mine, '/api/items/42')!;
      const client = spans.find((s) => s.resource['service.name'] === service && s.kind === CLIENT)!;
      return {
        types: [...new Set(mine.map((s) => s.attributes['express.type']).filter((t): t is string => typeof t === 'string'))].sort(),
        route: server.attributes['http.route'],
        clientInTrace: client.traceId === server.traceId,
        // Express 5 routes through the router package, whose instrumentation has middleware spans of its own.
        routerMiddleware: mine.some((s) => s.scope === '@opentelemetry/instrumentation-router' && s.name.startsWith('middleware')),
      };
    } finally {
      await app.stop();
    }
  };

  it('leaves Express middleware out by default, keeping the route, the handler span and the outgoing call', async () => {
    expect(await expressTypes('mw-default', {})).toEqual({ types: ['request_handler'], route: '/api/items/:id', clientInTrace: true, routerMiddleware: false });
  });

  it('makes a span per middleware when the XRayTracing asks for them', async () => {
    const { types, route, routerMiddleware } = await expressTypes('mw-on', { XRAY_OPERATOR_MIDDLEWARE_SPANS: 'true' });
    expect(types).toContain('middleware');
    expect(routerMiddleware).toBe(true);
    expect(types).toContain('request_handler');
    expect(route).toBe('/api/items/:id');
  });
});

describe('unsampled requests', () => {
  const newTraceId = (tail: string): string => `${Math.floor(Date.now() / 1000).toString(16)}${tail}`;
  const callerHeaders = (format: 'xray' | 'w3c', traceId: string, parent: string, sampled: boolean): Record<string, string> =>
    format === 'xray'
      ? { 'X-Amzn-Trace-Id': `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${parent};Sampled=${sampled ? 1 : 0}` }
      : { traceparent: `00-${traceId}-${parent}-${sampled ? '01' : '00'}` };

  it.each([
    ['express-service.cjs', '/api/items/42', '/downstream/42', 'xray'],
    ['express-service.cjs', '/api/items/42', '/downstream/42', 'w3c'],
    ['http-app.cjs', '/api/call', '/downstream', 'xray'],
  ] as const)('%s passes a caller\'s unsampled trace on to its outgoing call and exports no span of it, and still traces sampled requests (%s, %s, %s)', async (appFile, path, downstreamPath, format) => {
    const service = `unsampled-${appFile}-${format}`;
    const app = await startApp({ app: appFile, env: env({ OTEL_SERVICE_NAME: service }) });
    try {
      const unsampled = newTraceId('0a1b2c3d4e5f60718293a4b5');
      const sampled = newTraceId('1a1b2c3d4e5f60718293a4b5');
      const callsBefore = downstream.requests.length;
      expect((await app.get(path, callerHeaders(format, unsampled, '53995c3f42cd8ad8', false))).status).toBe(200);
      const call = downstream.requests.slice(callsBefore).find((r) => r.url === downstreamPath);
      const root = /^Root=1-([0-9a-f]{8})-([0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=0$/.exec(String(call?.headers['x-amzn-trace-id']));
      expect(root, `X-Amzn-Trace-Id: ${String(call?.headers['x-amzn-trace-id'])}`).not.toBeNull();
      expect(`${root![1]}${root![2]}`).toBe(unsampled);
      expect(root![3]).not.toBe('53995c3f42cd8ad8');
      expect(call?.headers.traceparent).toBe(`00-${unsampled}-${root![3]}-00`);

      expect((await app.get(path, callerHeaders(format, sampled, '63995c3f42cd8ad8', true))).status).toBe(200);
      const spans = await receiver.waitForSpans((all) => all.some((s) => s.traceId === sampled && s.kind === CLIENT) && all.some((s) => s.traceId === sampled && s.kind === SERVER));
      const server = spans.find((s) => s.traceId === sampled && s.kind === SERVER)!;
      expect(server.parentSpanId).toBe('63995c3f42cd8ad8');
      expect(spans.find((s) => s.traceId === sampled && s.kind === CLIENT)!.parentSpanId).not.toBe(server.parentSpanId);
      // Spans are exported in the order they end: the earlier, unsampled request's would be there by now.
      expect(receiver.spans.filter((s) => s.traceId === unsampled)).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});

describe('shutdown and failure', () => {
  it('flushes batched spans on SIGTERM and then dies of the signal like an uninstrumented app', async () => {
    const app = await startApp({ app: 'http-app.cjs', env: env({ OTEL_SERVICE_NAME: 'sigterm', OTEL_BSP_SCHEDULE_DELAY: '600000' }) });
    await app.get('/api/items/flush-me');
    const ended = await app.stop('SIGTERM');
    expect(ended).toEqual({ code: null, signal: 'SIGTERM' });
    await receiver.waitForSpans((all) => all.some((s) => s.resource['service.name'] === 'sigterm'), 2_000);
  });

  it('leaves SIGTERM to an app that handles it, after flushing', async () => {
    const app = await startApp({
      app: 'http-app.cjs',
      env: env({ OTEL_SERVICE_NAME: 'graceful', OTEL_BSP_SCHEDULE_DELAY: '600000', APP_SIGTERM: 'graceful' }),
    });
    await app.get('/api/items/graceful');
    const ended = await app.stop('SIGTERM');
    expect(ended).toEqual({ code: 0, signal: null });
    expect(app.output()).toContain('graceful shutdown');
    await receiver.waitForSpans((all) => all.some((s) => s.resource['service.name'] === 'graceful'), 2_000);
  });

  it('keeps serving and exits cleanly when the collector is down', async () => {
    const app = await startApp({ app: 'express-app.cjs', env: { ...env(), OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_BSP_SCHEDULE_DELAY: '50' } });
    for (let i = 0; i < 5; i++) expect((await app.get(`/api/items/${i}`)).status).toBe(200);
    expect(await app.stop('SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('does nothing when OTEL_SDK_DISABLED=true', async () => {
    const app = await startApp({ app: 'http-app.cjs', env: env({ OTEL_SERVICE_NAME: 'disabled', OTEL_SDK_DISABLED: 'true', XRAY_OPERATOR_DEBUG: 'true' }) });
    await app.get('/api/items');
    await app.stop();
    expect(app.output()).not.toContain('[xray-operator]');
    expect(receiver.spans.some((s) => s.resource['service.name'] === 'disabled')).toBe(false);
  });
});

describe('debug mode', () => {
  it('prints a start-up summary and the spans on the console, and still exports OTLP', async () => {
    const app = await startApp({ app: 'http-app.cjs', env: env({ OTEL_SERVICE_NAME: 'debugging', XRAY_OPERATOR_DEBUG: 'true' }) });
    try {
      await app.get('/api/items');
      await receiver.waitForSpans((all) => all.some((s) => s.resource['service.name'] === 'debugging'));
      expect(app.output()).toMatch(/\[xray-operator\] Tracing started: service=debugging .*sampler=parentbased_always_on/);
      expect(app.output()).toContain("'url.path': '/api/items'");
    } finally {
      await app.stop();
    }
  });
});
