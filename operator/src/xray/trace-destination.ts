// The account's trace segment destination (GetTraceSegmentDestination): CloudWatchLogs + ACTIVE means Transaction
// Search is on, which X-Ray's OTLP endpoint requires. Read-only: the operator never changes the destination. One
// answer serves every XRayTracing for a while (the setting is per account and region, and rarely changes).
import { GetTraceSegmentDestinationCommand, type XRayClient } from '@aws-sdk/client-xray';
import type { Logger } from 'pino';
import { awsErrorName, httpStatus } from './errors.js';
import type { XRayApiCallCounter } from './metrics.js';
import { callWithRetry, DEFAULT_RETRY, type RetryDeps } from './retry.js';

export type TraceDestination =
  | { known: true; destination: string; status: string; transactionSearch: boolean }
  | { known: false; reason: 'AccessDenied' | 'AWSUnreachable' | 'XRayAPIError'; message: string };

export interface TraceDestinationProbeOptions {
  client: XRayClient;
  calls: XRayApiCallCounter;
  logger: Logger;
  /** How long one answer is reused. */
  maxAgeMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const UNKNOWN_MAX_AGE_MS = 30_000;

function unknownBecause(error: unknown): TraceDestination {
  const message = error instanceof Error ? error.message : String(error);
  const name = awsErrorName(error);
  if (name === 'AccessDeniedException' || httpStatus(error) === 403) {
    return { known: false, reason: 'AccessDenied', message: `Not allowed to read the account's trace segment destination (xray:GetTraceSegmentDestination): ${message}` };
  }
  if (httpStatus(error) === undefined) return { known: false, reason: 'AWSUnreachable', message: `Could not reach the X-Ray API: ${message}` };
  return { known: false, reason: 'XRayAPIError', message: `X-Ray GetTraceSegmentDestination failed: ${message}` };
}

export class TraceDestinationProbe {
  private cached: { atMs: number; answer: TraceDestination } | undefined;
  private inFlight: Promise<TraceDestination> | undefined;
  private readonly retry: RetryDeps;
  private readonly now: () => number;

  constructor(private readonly options: TraceDestinationProbeOptions) {
    this.now = options.now ?? Date.now;
    this.retry = { policy: DEFAULT_RETRY, calls: options.calls, sleep: options.sleep ?? sleepMs, random: Math.random };
  }

  /**
   * The account's state, one request for all callers: a known answer is reused for maxAgeMs, a failure for at most
   * UNKNOWN_MAX_AGE_MS (pod events must not turn into one AWS call each while it lacks permission).
   */
  async get(): Promise<TraceDestination> {
    const cached = this.cached;
    const maxAgeMs = cached?.answer.known ? this.options.maxAgeMs : Math.min(this.options.maxAgeMs, UNKNOWN_MAX_AGE_MS);
    if (cached && this.now() - cached.atMs < maxAgeMs) return cached.answer;
    this.inFlight ??= this.read().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async read(): Promise<TraceDestination> {
    let answer: TraceDestination;
    try {
      const result = await callWithRetry('GetTraceSegmentDestination', this.retry, () => this.options.client.send(new GetTraceSegmentDestinationCommand({})));
      const destination = result.Destination ?? 'XRay';
      const status = result.Status ?? 'ACTIVE';
      answer = { known: true, destination, status, transactionSearch: destination === 'CloudWatchLogs' && status === 'ACTIVE' };
    } catch (error) {
      answer = unknownBecause(error);
      this.options.logger.warn({ operation: 'GetTraceSegmentDestination', err: error }, 'Failed to read the trace segment destination');
    }
    this.cached = { atMs: this.now(), answer };
    return answer;
  }
}
