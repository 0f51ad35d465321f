// Requests at an even rate, each sent when it is due whether or not earlier ones have been answered (open loop), as
// an API server sends reviews as pods are created. autocannon's `overallRate` is a quota per second instead: each
// connection sends back to back until it has made its share, then waits for the next second, so "500/s" is a burst
// at full speed with all connections queued at the server, and its latency measures that queue.
import { Agent, request } from 'node:https';
import { percentile, median, round } from './stats.js';

export interface OpenLoopOptions {
  url: string;
  /** PEM CA the server's certificate must chain to. */
  ca: string;
  body: string;
  ratePerSecond: number;
  durationS: number;
}

export interface OpenLoopResult {
  responses: number;
  non2xx: number;
  errors: number;
  /** From writing the request to the end of the response. */
  latencyMs: { p50: number; p99: number; max: number };
  /** How late the load generator sent requests against their schedule (timer resolution, its own pauses). */
  sendLagMsP99: number;
}

/** Connections kept open: more than the requests ever in flight at once, so none waits for a free one. */
const MAX_SOCKETS = 32;

export async function openLoopLoad(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, ca: options.ca });
  const payload = Buffer.from(options.body);
  const latencies: number[] = [];
  const lags: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const send = (): Promise<void> =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = request(options.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          else non2xx++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(payload);
    });

  const intervalNs = 1e9 / options.ratePerSecond;
  const total = Math.round(options.ratePerSecond * options.durationS);
  const start = process.hrtime.bigint();
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    const now = Number(process.hrtime.bigint() - start);
    // Everything due by now goes out at once: a late timer makes a small burst, never a skipped request.
    while (sent < total && sent * intervalNs <= now) {
      lags.push((now - sent * intervalNs) / 1e6);
      inFlight.push(send());
      sent++;
    }
    const nextDueMs = (sent * intervalNs - Number(process.hrtime.bigint() - start)) / 1e6;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.floor(nextDueMs))));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return {
    responses: latencies.length,
    non2xx,
    errors,
    latencyMs: { p50: round(median(latencies), 3), p99: round(percentile(latencies, 99), 3), max: round(latencies.reduce((a, b) => Math.max(a, b), 0), 3) },
    sendLagMsP99: round(percentile(lags, 99), 3),
  };
}
