// Instrumentations are constructed when a module they patch first loads, not at start (src/preload/
// lazy-instrumentations.ts), on this machine's Node.js and the other majors: a module loaded after start is traced
// from its first use, through `require` (CommonJS) and through `import` (ESM hook), and instrumentations switched off
// by OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS are never constructed. OTEL_LOG_LEVEL=info makes the preload name
// each instrumentation it constructs, and the module that caused it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineEnv, startApp, type RunningApp } from './support/app-runner.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { extraNodeBinary } from './support/paths.js';
import { serverSpanFor } from './support/spans.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
});

const RUNTIMES = [{ version: 'this machine', binary: undefined }, ...['18', '22.15.0', '22', '24'].map((version) => ({ version, binary: extraNodeBinary(version) }))];

/** The packages the preload constructed instrumentations of, in order. */
function loaded(app: RunningApp): string[] {
  return [...app.output().matchAll(/Loaded instrumentation (\S+)/g)].map((match) => match[1]!);
}

/** The service's spans, once it exported a span of `scope` and the server span for `path`. */
async function spansWith(service: string, path: string, scope: string): Promise<ReceivedSpan[]> {
  const mineOf = (all: readonly ReceivedSpan[]): ReceivedSpan[] => all.filter((s) => s.resource['service.name'] === service);
  const spans = await receiver.waitForSpans((all) => mineOf(all).some((s) => s.scope === scope) && serverSpanFor(mineOf(all), path) !== undefined);
  return mineOf(spans);
}

describe.each(RUNTIMES)('Node.js $version', ({ version, binary }) => {
  const skip = version !== 'this machine' && !binary;
  const start = (app: string, service: string, extra: Record<string, string> = {}): Promise<RunningApp> =>
    startApp({ app, nodeBinary: binary, env: { ...engineEnv({ otlpEndpoint: receiver.endpoint, service }), OTEL_LOG_LEVEL: 'info', ...extra } });
  const serviceName = (name: string): string => `lazy-${name}-${version.replace(/\W/g, '')}`;

  it.skipIf(skip)('constructs Express\'s instrumentation on its first require, after start, and traces that request', async () => {
    const service = serviceName('cjs');
    const app = await start('late-express.cjs', service);
    try {
      expect(loaded(app)).toContain('@opentelemetry/instrumentation-http');
      expect(loaded(app)).not.toContain('@opentelemetry/instrumentation-express');
      // Not a Lambda function: the aws-lambda instrumentation would have nothing to patch.
      expect(loaded(app)).not.toContain('@opentelemetry/instrumentation-aws-lambda');
      expect((await app.get('/api/late/5')).status).toBe(200);
      const mine = await spansWith(service, '/api/late/5', '@opentelemetry/instrumentation-express');
      const server = serverSpanFor(mine, '/api/late/5')!;
      expect(server.attributes['http.route']).toBe('/api/late/:id');
      expect(mine.filter((s) => s.scope === '@opentelemetry/instrumentation-express').every((s) => s.traceId === server.traceId)).toBe(true);
      expect(app.output()).toContain('Loaded instrumentation @opentelemetry/instrumentation-express on first load of express');
    } finally {
      await app.stop();
    }
  });

  it.skipIf(skip)('constructs the dns instrumentation on its first import from an ES module, and traces that lookup', async () => {
    const service = serviceName('esm');
    const app = await start('late-import.mjs', service);
    try {
      expect(loaded(app)).not.toContain('@opentelemetry/instrumentation-dns');
      expect((await app.get('/dns')).status).toBe(200);
      const mine = await spansWith(service, '/dns', '@opentelemetry/instrumentation-dns');
      const lookup = mine.find((s) => s.scope === '@opentelemetry/instrumentation-dns')!;
      expect(lookup.name).toBe('dns.lookup');
      expect(lookup.traceId).toBe(serverSpanFor(mine, '/dns')!.traceId);
      expect(app.output()).toContain('Loaded instrumentation @opentelemetry/instrumentation-dns on first load of dns');
    } finally {
      await app.stop();
    }
  });

  it.skipIf(skip)('constructs the aws-lambda instrumentation at start in a Lambda function only', async () => {
    const app = await start('late-express.cjs', serviceName('lambda'), { LAMBDA_TASK_ROOT: '/var/task', _HANDLER: 'index.handler' });
    try {
      expect(loaded(app)).toContain('@opentelemetry/instrumentation-aws-lambda');
    } finally {
      await app.stop();
    }
  });

  it.skipIf(skip)('never constructs instrumentations the environment switches off, even when their module loads', async () => {
    const disabled = serviceName('disabled');
    const app = await start('late-express.cjs', disabled, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express' });
    try {
      expect((await app.get('/api/late/6')).status).toBe(200);
      // router (Express 5's) stays on; its handler span ends before the server span.
      const mine = await spansWith(disabled, '/api/late/6', '@opentelemetry/instrumentation-router');
      expect(mine.filter((s) => s.scope === '@opentelemetry/instrumentation-express')).toEqual([]);
      expect(loaded(app)).toContain('@opentelemetry/instrumentation-router');
      expect(loaded(app)).not.toContain('@opentelemetry/instrumentation-express');
    } finally {
      await app.stop();
    }

    const only = serviceName('only-http');
    const httpOnly = await start('late-express.cjs', only, { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http' });
    try {
      expect((await httpOnly.get('/api/late/7')).status).toBe(200);
      const mine = await spansWith(only, '/api/late/7', '@opentelemetry/instrumentation-http');
      expect(new Set(mine.map((s) => s.scope))).toEqual(new Set(['@opentelemetry/instrumentation-http']));
      expect(loaded(httpOnly)).toEqual(['@opentelemetry/instrumentation-http']);
    } finally {
      await httpOnly.stop();
    }
  });
});
