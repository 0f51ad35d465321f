// X-Ray's OTLP endpoint: the collector the test bed builds runs the config the operator renders for the otlp export
// and sends signed, gzipped OTLP to a fake endpoint that checks the signature with the real signing library; and
// on the real API server, `exporter: auto` follows the account's trace segment destination, and pods without a
// collector are Ready only with Transaction Search (e2e/direct-export.test.ts runs such a pod).
import { gunzipSync } from 'node:zlib';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSpec } from '../core/src/api/defaults.js';
import { renderCollectorConfigYaml } from '../core/src/collector/render.js';
import { CollectorPorts } from '../core/src/constants.js';
import type { RunningController } from '../operator/src/controller/start.js';
import type { FakeXRay } from '../operator/src/test-support/fake-xray.js';
import { testBedBinary } from './harness/binaries.js';
import type { ControlPlane } from './harness/control-plane.js';
import { applyObjects, createNamespace, waitFor } from './harness/kube.js';
import { freePort } from './harness/ports.js';
import { startProcess } from './harness/processes.js';
import { checkSigV4, type ReceivedRequest } from '../instrumentation-image/test/support/sigv4-check.js';
import { startControllerBed, startLeadingController, tracing, waitForCondition, type ControllerBed } from './controller-support.js';

const credentials = { accessKeyId: 'AKIDE2EOTLP', secretAccessKey: 'e2e-otlp-secret' };

/** A stand-in for https://xray.<region>.amazonaws.com/v1/traces: records each request. */
async function otlpEndpoint(): Promise<{ url: string; received: ReceivedRequest[]; close: () => Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the otlp export through the test bed collector', () => {
  it('sends the spans it receives to X-Ray\'s OTLP path, gzipped and SigV4-signed for service xray in the region', async () => {
    const endpoint = await otlpEndpoint();
    const ports = { otlpGrpc: await freePort(), otlpHttp: await freePort(), xray: await freePort(), legacy: await freePort(), health: await freePort() };
    // The sidecar's fixed loopback ports, moved to free ones so the test does not collide with anything on the host.
    const config = renderCollectorConfigYaml(resolveSpec({ collector: { exporter: 'otlp', region: 'eu-west-1', awsEndpoint: endpoint.url, batch: { timeout: '100ms' } } }))
      .replace(`localhost:${CollectorPorts.otlpGrpc}`, `localhost:${ports.otlpGrpc}`)
      .replace(`localhost:${CollectorPorts.otlpHttp}`, `localhost:${ports.otlpHttp}`)
      .replace(`localhost:${CollectorPorts.health}`, `localhost:${ports.health}`)
      .replace('localhost:2001', `localhost:${ports.legacy}`)
      .replaceAll(`localhost:${CollectorPorts.xray}`, `localhost:${ports.xray}`);
    const logDir = mkdtempSync(join(tmpdir(), 'xo-otlp-'));
    const collector = startProcess({
      name: 'otelcol-otlp',
      command: testBedBinary('otelcol'),
      args: ['--config=env:XRAY_OPERATOR_COLLECTOR_CONFIG'],
      logDir,
      env: { PATH: process.env.PATH, XRAY_OPERATOR_COLLECTOR_CONFIG: config, AWS_EC2_METADATA_DISABLED: 'true', AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    });
    try {
      const span = {
        resourceSpans: [{
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeSpans: [{ spans: [{ traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', name: 'GET /cart', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000' }] }],
        }],
      };
      await waitFor('the collector to accept a span', async () => {
        const response = await fetch(`http://127.0.0.1:${ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(span) }).catch(() => undefined);
        return response?.ok;
      });
      const request = await waitFor('the export to reach the OTLP endpoint', () => Promise.resolve(endpoint.received[0]));
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/v1/traces');
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.headers['content-type']).toBe('application/x-protobuf');
      expect(gunzipSync(request.body).includes(Buffer.from('checkout'))).toBe(true);
      const signature = await checkSigV4(request, credentials);
      expect(signature).toMatchObject({ region: 'eu-west-1', service: 'xray', valid: true });
      expect(signature.signedHeaders).toContain('host');
      // A signature made with other credentials does not pass: the check can fail.
      expect((await checkSigV4(request, { ...credentials, secretAccessKey: 'wrong' })).valid).toBe(false);
    } finally {
      await collector.stop();
      await endpoint.close();
    }
  });
});

describe('controller e2e: exporter auto follows the account', () => {
  let bed: ControllerBed;
  let controlPlane: ControlPlane;
  let fakeXRay: FakeXRay;
  let controller: RunningController | undefined;

  beforeAll(async () => {
    bed = await startControllerBed();
    ({ controlPlane, fakeXRay } = bed);
    // A short resync: the account's answer is reused for that long.
    controller = await startLeadingController(controlPlane, fakeXRay, 'controller-export.log', { resyncPeriodMs: 2_000 });
  });

  afterAll(async () => {
    await controller?.stop();
    await bed?.stop();
  });

  it('exports with awsxray on an X-Ray-only account, switches to otlp once Transaction Search is active, and keeps it through an outage', async () => {
    await createNamespace(controlPlane.kc, 'auto');
    await applyObjects(controlPlane.kc, [tracing('auto', 'default', {})]);
    const xray = await waitForCondition(controlPlane.kc, 'auto', 'default', 'ExportReady', 'True', 'AutoXRay');
    expect(xray.status?.exportMode).toBe('xray');

    fakeXRay.traceSegmentDestination = { Destination: 'CloudWatchLogs', Status: 'ACTIVE' };
    const otlp = await waitForCondition(controlPlane.kc, 'auto', 'default', 'ExportReady', 'True', 'AutoOTLP');
    expect(otlp.status?.exportMode).toBe('otlp');
    // The pods' config changed with it: the hash the workloads are rolled against moved.
    await waitFor('the config hash to follow the export', async () => {
      const current = await waitForCondition(controlPlane.kc, 'auto', 'default', 'Ready', 'True');
      return current.status?.configHash !== xray.status?.configHash;
    });

    fakeXRay.traceSegmentDestination = 'AccessDenied';
    const unknown = await waitForCondition(controlPlane.kc, 'auto', 'default', 'ExportReady', 'False', 'AccountStateUnknown');
    expect(unknown.status?.exportMode).toBe('otlp');
    expect(unknown.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('fails Ready for an explicit otlp export while Transaction Search is not active', async () => {
    fakeXRay.traceSegmentDestination = { Destination: 'CloudWatchLogs', Status: 'PENDING' };
    await createNamespace(controlPlane.kc, 'explicit');
    await applyObjects(controlPlane.kc, [tracing('explicit', 'default', { collector: { exporter: 'otlp' } })]);
    const refused = await waitForCondition(controlPlane.kc, 'explicit', 'default', 'Ready', 'False', 'TransactionSearchInactive');
    expect(refused.status?.exportMode).toBe('otlp');
  });

  it('fails Ready for pods without a collector while Transaction Search is off, whatever auto says, and clears once it is on', async () => {
    fakeXRay.traceSegmentDestination = { Destination: 'XRay', Status: 'ACTIVE' };
    await createNamespace(controlPlane.kc, 'no-collector');
    await applyObjects(controlPlane.kc, [tracing('no-collector', 'default', { collector: { mode: 'none' } })]);
    const refused = await waitForCondition(controlPlane.kc, 'no-collector', 'default', 'Ready', 'False', 'TransactionSearchInactive');
    expect(refused.status?.exportMode).toBe('otlp');
    expect(refused.status?.conditions?.find((c) => c.type === 'ExportReady')?.message).toContain('collector.mode none');

    fakeXRay.traceSegmentDestination = { Destination: 'CloudWatchLogs', Status: 'ACTIVE' };
    await waitForCondition(controlPlane.kc, 'no-collector', 'default', 'ExportReady', 'True', 'DirectOTLP');
    await waitForCondition(controlPlane.kc, 'no-collector', 'default', 'Ready', 'True');
  });
});
