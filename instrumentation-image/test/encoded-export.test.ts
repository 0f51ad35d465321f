// Spans are encoded in span.end(), inside the app's own code path: a span the encoder cannot write must cost the app
// nothing but that span.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineEnv } from './support/app-runner.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';
import { requireBuild } from './support/paths.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver.close();
});

describe('spans encoded as they end, in an app', () => {
  it('drops a span whose name is not text, and the app and its other spans go on', async () => {
    // App code reaching the OpenTelemetry API the preload registered, as an app with its own @opentelemetry/api does.
    const script = `
      const api = globalThis[Symbol.for('opentelemetry.js.api.1')];
      const tracer = api.trace.getTracer('app');
      const bad = tracer.startSpan('bad name');
      bad.updateName({ not: 'text' });
      bad.end();
      tracer.startSpan('after the bad one').end();
      console.log('app went on');
    `;
    const env = { PATH: process.env.PATH ?? '', NODE_OPTIONS: `--require ${requireBuild()}`, ...engineEnv({ otlpEndpoint: receiver.endpoint, service: 'encoding-failure' }) };
    const child = spawn(process.execPath, ['-e', script], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('app went on');
    const spans = await receiver.waitForSpans((all) => all.some((s) => s.name === 'after the bad one'));
    expect(spans.filter((s) => s.resource['service.name'] === 'encoding-failure').map((s) => s.name)).toEqual(['after the bad one']);
  });
});
