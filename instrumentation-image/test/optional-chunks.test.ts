// Packages only some settings use live in chunks outside sdk.js (scripts/build.mjs, OPTIONAL_PACKAGES): they must
// still work when asked for, and stay unloaded, with the built-ins they need, when not.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineEnv, startApp } from './support/app-runner.js';
import { startDownstream, type Downstream } from './support/downstream.js';
import { requireBuild } from './support/paths.js';

interface JsonRequest {
  readonly contentType: string;
  readonly body: { resourceSpans: { scopeSpans: { spans: { traceId: string; name: string }[] }[] }[] };
}

let downstream: Downstream;
beforeAll(async () => {
  downstream = await startDownstream();
});
afterAll(async () => {
  await downstream.close();
});

/** An OTLP/HTTP receiver for http/json, which keeps what it was sent. */
async function startJsonReceiver(): Promise<{ endpoint: string; requests: JsonRequest[]; close: () => void }> {
  const requests: JsonRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ contentType: String(req.headers['content-type']), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonRequest['body'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => server.close() };
}

describe('optional chunks', () => {
  it('propagate B3 and export OTLP/JSON when the settings ask for them', async () => {
    const receiver = await startJsonReceiver();
    const env = {
      ...engineEnv({ otlpEndpoint: receiver.endpoint }),
      DOWNSTREAM_URL: downstream.url,
      OTEL_PROPAGATORS: 'b3multi,xray',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    };
    const app = await startApp({ app: 'http-app.cjs', env });
    try {
      const seen = (JSON.parse((await app.get('/api/call')).body) as { headers: Record<string, string> }).headers;
      const traceId = seen['x-b3-traceid'];
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(seen['x-b3-sampled']).toBe('1');
      expect(seen['x-amzn-trace-id']).toContain(`Root=1-${traceId!.slice(0, 8)}-${traceId!.slice(8)}`);
      for (let i = 0; i < 100 && receiver.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      const spans = receiver.requests.flatMap((request) => request.body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
      expect(receiver.requests[0]?.contentType).toBe('application/json');
      expect(spans.filter((span) => span.traceId === traceId).length).toBeGreaterThanOrEqual(2);
    } finally {
      await app.stop();
      receiver.close();
    }
  });

  it('are not loaded with the default settings, nor is https or tls', async () => {
    const script = 'setTimeout(() => console.log(JSON.stringify(process.moduleLoadList)), 200)';
    const env = { PATH: process.env.PATH ?? '', NODE_OPTIONS: `--require ${requireBuild()}`, ...engineEnv({ otlpEndpoint: 'http://127.0.0.1:9' }) };
    const child = spawn(process.execPath, ['-e', script], { env });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    const loaded = JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
    // The preload did start (it loads its own built-ins), without the ones only optional packages need.
    expect(loaded).toContain('NativeModule async_hooks');
    expect(loaded).not.toContain('NativeModule https');
    expect(loaded).not.toContain('NativeModule tls');
  });
});
