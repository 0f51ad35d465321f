// A stand-in for https://xray.<region>.amazonaws.com as a pod without a collector sees it: OTLP traces on /v1/traces
// (gzipped protobuf, decoded here) and the sampling API (forwarded to a fake behind it: the sampling-proxy fake, or
// the operator's fake X-Ray in e2e). Every request is kept as received, so tests can check its SigV4 signature.
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeTraceRequest, type ReceivedSpan } from './otlp-receiver.js';
import type { ReceivedRequest } from './sigv4-check.js';

export interface XRayApiFake {
  readonly endpoint: string;
  /** Empty with `keep: false`. */
  readonly requests: ReceivedRequest[];
  /** Empty with `keep: false`. */
  readonly spans: ReceivedSpan[];
  /** Spans received on /v1/traces, kept or not (with `keep: false`, decoded when asked: the answer stays fast). */
  readonly spanCount: number;
  requestsTo(path: string): ReceivedRequest[];
  waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/**
 * `samplingBackend`: base URL the sampling operations are forwarded to, headers (the signature) included. `keep`
 * false: only count spans (a benchmark's long runs), decoding them when counted rather than while they arrive.
 */
export async function startXRayApiFake(samplingBackend: string, { keep = true }: { keep?: boolean } = {}): Promise<XRayApiFake> {
  const requests: ReceivedRequest[] = [];
  const spans: ReceivedSpan[] = [];
  let spanCount = 0;
  /** OTLP requests not decoded yet (`keep: false`). */
  const pending: ReceivedRequest[] = [];
  const decode = (request: ReceivedRequest): ReceivedSpan[] => {
    const decoded = decodeTraceRequest(request.headers['content-encoding'] === 'gzip' ? gunzipSync(request.body) : request.body);
    spanCount += decoded.length;
    return decoded;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      if (keep) requests.push(received);
      if (received.path === '/v1/traces') {
        if (keep) spans.push(...decode(received));
        else pending.push(received);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        return;
      }
      const headers = { ...req.headers, host: new URL(samplingBackend).host };
      const forwarded = httpRequest(`${samplingBackend}${received.path}`, { method: received.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.writeHead(502).end());
      forwarded.end(received.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    spans,
    get spanCount() {
      for (const request of pending.splice(0)) decode(request);
      return spanCount;
    },
    requestsTo: (path) => requests.filter((r) => r.path === path),
    async waitFor(what, probe, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; requests: ${requests.map((r) => r.path).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
