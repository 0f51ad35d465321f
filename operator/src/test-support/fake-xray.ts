// A contract-faithful fake of the X-Ray sampling API (rest-json over node:http on 127.0.0.1) for tests: the same paths,
// bodies, limits and error shapes as the service (shared reference §1), the `Default` rule pre-seeded, throttling on
// demand. Trace APIs can be forwarded to a moto server, which implements those but not these.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { FakeAwsError, SamplingRuleStore, tagResource, untagResource, type Taggable } from './fake-xray-store.js';
import { GroupStore, groupJson } from './fake-xray-groups.js';
import type { StoredRecord } from './fake-xray-store.js';

export { FakeAwsError } from './fake-xray-store.js';
export type { StoredRecord, StoredRule } from './fake-xray-store.js';
export type { StoredGroup } from './fake-xray-groups.js';

export interface FakeXRayOptions {
  region?: string;
  accountId?: string;
  /** Rules the account may hold, the Default rule included (RuleLimitExceededException past it). Default 25. */
  ruleLimit?: number;
  /** Groups the account may hold, the Default group included. Default 25 (X-Ray's quota was not found in its docs). */
  groupLimit?: number;
  /** Records per GetSamplingRules page. Default 10. */
  pageSize?: number;
  /** Base URL of a moto server that serves the trace APIs (/TraceSegments, /TraceSummaries, /Traces…). */
  tracesBackend?: string;
  /** Reject requests without a SigV4 Authorization header, as AWS does. Default true. */
  requireSignature?: boolean;
  /** Clock in milliseconds. Default Date.now. */
  now?: () => number;
  /** Address to listen on. Default 127.0.0.1 (a real node's pods reach it on the bed's bridge address instead). */
  host?: string;
}

export interface FakeXRayCall {
  operation: string;
  status: number;
  errorType?: string;
}

type Json = Record<string, unknown>;
type Handler = (body: Json) => Json;

const TRACE_PATHS = new Set(['TraceSegments', 'TraceSummaries', 'Traces', 'TraceGraph', 'ServiceGraph', 'TelemetryRecords', 'TraceIds']);
const MAX_BODY_BYTES = 1024 * 1024;
const TARGET_INTERVAL_SECONDS = 10;

const recordJson = (r: StoredRecord): Json => ({ SamplingRule: { ...r.rule }, CreatedAt: r.createdAt, ModifiedAt: r.modifiedAt });

export class FakeXRay {
  readonly store: SamplingRuleStore;
  readonly groups: GroupStore;
  /** Every request, in order: what a test asserts call counts and retries on. */
  readonly calls: FakeXRayCall[] = [];
  /** Statistics documents received by SamplingTargets (what samplers report). */
  readonly statistics: Json[] = [];
  /** What GetTraceSegmentDestination answers: a new account's (X-Ray, active) until a test changes it. */
  traceSegmentDestination: { Destination: 'XRay' | 'CloudWatchLogs'; Status: 'PENDING' | 'ACTIVE' } | 'AccessDenied' = { Destination: 'XRay', Status: 'ACTIVE' };
  private throttled = 0;
  private failures: { remaining: number; error: FakeAwsError } = { remaining: 0, error: new FakeAwsError(500, 'InternalFailure', '') };
  private readonly handlers: Record<string, Handler>;

  private constructor(
    private readonly server: http.Server,
    private readonly options: Required<Omit<FakeXRayOptions, 'tracesBackend' | 'host'>> & { tracesBackend?: string },
  ) {
    const seconds = () => options.now() / 1000;
    this.store = new SamplingRuleStore(options.region, options.accountId, options.ruleLimit, seconds);
    this.groups = new GroupStore(options.region, options.accountId, options.groupLimit);
    this.handlers = {
      CreateSamplingRule: (b) => ({ SamplingRuleRecord: recordJson(this.store.create(asObject(b.SamplingRule, 'SamplingRule'), b.Tags)) }),
      UpdateSamplingRule: (b) => ({ SamplingRuleRecord: recordJson(this.store.update(asObject(b.SamplingRuleUpdate, 'SamplingRuleUpdate'))) }),
      DeleteSamplingRule: (b) => ({ SamplingRuleRecord: recordJson(this.store.delete(b)) }),
      GetSamplingRules: (b) => this.rulesPage(b.NextToken),
      SamplingTargets: (b) => this.targets(b, seconds()),
      TagResource: (b) => (tagResource(this.taggable(b.ResourceARN), b.Tags), {}),
      UntagResource: (b) => (untagResource(this.taggable(b.ResourceARN), b.TagKeys), {}),
      ListTagsForResource: (b) => ({ Tags: [...this.taggable(b.ResourceARN).tags].map(([Key, Value]) => ({ Key, Value })) }),
      CreateGroup: (b) => ({ Group: groupJson(this.groups.create(b)) }),
      UpdateGroup: (b) => ({ Group: groupJson(this.groups.update(b)) }),
      DeleteGroup: (b) => (this.groups.delete(b), {}),
      GetGroup: (b) => ({ Group: groupJson(this.groups.find(b)) }),
      Groups: (b) => this.groupsPage(b.NextToken),
      GetTraceSegmentDestination: () => {
        if (this.traceSegmentDestination === 'AccessDenied') throw new FakeAwsError(403, 'AccessDeniedException', 'User is not authorized to perform: xray:GetTraceSegmentDestination');
        return { ...this.traceSegmentDestination };
      },
    };
  }

  static async start(options: FakeXRayOptions = {}): Promise<FakeXRay> {
    const server = http.createServer();
    const fake = new FakeXRay(server, {
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '123456789012',
      ruleLimit: options.ruleLimit ?? 25,
      groupLimit: options.groupLimit ?? 25,
      pageSize: options.pageSize ?? 10,
      requireSignature: options.requireSignature ?? true,
      now: options.now ?? Date.now,
      tracesBackend: options.tracesBackend,
    });
    server.on('request', (req, res) => void fake.serve(req, res));
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    fake.host = host;
    return fake;
  }

  private host = '127.0.0.1';

  /** http://<host>:<port>: the endpoint override for clients and the collector. */
  get endpoint(): string {
    return `http://${this.host}:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next `count` requests (any operation) fail with ThrottledException (HTTP 429). */
  throttleNext(count: number): void {
    this.throttled = count;
  }

  /** The next `count` requests fail with this error (default: 503 ServiceUnavailable, as in an AWS outage). */
  failNext(count: number, error = new FakeAwsError(503, 'ServiceUnavailable', 'Service is unavailable, please try again later.')): void {
    this.failures = { remaining: count, error };
  }

  callsOf(operation: string): FakeXRayCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const operation = (req.url ?? '/').split('?')[0]!.slice(1);
    try {
      if (TRACE_PATHS.has(operation) && this.options.tracesBackend) {
        await this.forward(req, res, operation);
        return;
      }
      const raw = await readBody(req);
      this.checkRequest(req, operation);
      if (this.failures.remaining > 0) {
        this.failures.remaining -= 1;
        throw this.failures.error;
      }
      if (this.throttled > 0) {
        this.throttled -= 1;
        throw new FakeAwsError(429, 'ThrottledException', 'The request exceeds the maximum number of requests per second.');
      }
      const body = raw.length === 0 ? {} : parseJson(raw);
      this.reply(res, operation, 200, this.handlers[operation]!(body));
    } catch (err) {
      const error = err instanceof FakeAwsError ? err : new FakeAwsError(500, 'InternalFailure', String(err));
      this.reply(res, operation, error.status, { message: error.message, Message: error.message }, error.type);
    }
  }

  private checkRequest(req: http.IncomingMessage, operation: string): void {
    if (req.method !== 'POST' || !(operation in this.handlers)) throw new FakeAwsError(404, 'UnknownOperationException', `Unknown operation ${req.method} /${operation}`);
    const auth = req.headers.authorization ?? '';
    if (this.options.requireSignature && !/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/xray\/aws4_request/.test(auth)) {
      throw new FakeAwsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
  }

  private reply(res: http.ServerResponse, operation: string, status: number, body: Json, errorType?: string): void {
    this.calls.push(errorType ? { operation, status, errorType } : { operation, status });
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() };
    if (errorType) headers['x-amzn-errortype'] = errorType;
    res.writeHead(status, headers).end(JSON.stringify(body));
  }

  private rulesPage(token: unknown): Json {
    return this.page(token, this.store.all().map(recordJson), 'SamplingRuleRecords');
  }

  private groupsPage(token: unknown): Json {
    return this.page(token, this.groups.all().map(groupJson), 'Groups');
  }

  /** One page of `items` after the offset `token` encodes, with the token of the next page if there is one. */
  private page(token: unknown, items: Json[], key: string): Json {
    if (token !== undefined && token !== null && typeof token !== 'string') throw new FakeAwsError(400, 'InvalidRequestException', 'NextToken must be a string');
    const offset = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > items.length) throw new FakeAwsError(400, 'InvalidRequestException', 'Invalid NextToken');
    const end = offset + this.options.pageSize;
    const page: Json = { [key]: items.slice(offset, end) };
    if (end < items.length) page.NextToken = Buffer.from(String(end)).toString('base64url');
    return page;
  }

  /** A sampling rule or group by ARN (ResourceNotFoundException otherwise). */
  private taggable(arn: unknown): Taggable {
    return this.groups.byArn(arn) ?? this.store.byArn(arn);
  }

  private targets(body: Json, now: number): Json {
    const docs = body.SamplingStatisticsDocuments;
    if (!Array.isArray(docs) || docs.length > 25) throw new FakeAwsError(400, 'InvalidRequestException', 'SamplingStatisticsDocuments must be a list of at most 25');
    const byName = new Map(this.store.all().map((r) => [r.rule.RuleName, r.rule]));
    const documents: Json[] = [];
    const unprocessed: Json[] = [];
    for (const doc of docs as Json[]) {
      if (typeof doc.ClientID !== 'string' || doc.ClientID.length !== 24 || typeof doc.RuleName !== 'string' || typeof doc.Timestamp !== 'number') {
        throw new FakeAwsError(400, 'InvalidRequestException', 'Each statistics document needs RuleName, a 24-character ClientID and Timestamp');
      }
      this.statistics.push(doc);
      const rule = byName.get(doc.RuleName);
      if (!rule) unprocessed.push({ RuleName: doc.RuleName, ErrorCode: '400', Message: 'Sampling rule does not exist' });
      else documents.push({ RuleName: rule.RuleName, FixedRate: rule.FixedRate, ReservoirQuota: rule.ReservoirSize, ReservoirQuotaTTL: now + TARGET_INTERVAL_SECONDS, Interval: TARGET_INTERVAL_SECONDS });
    }
    return { SamplingTargetDocuments: documents, LastRuleModification: this.store.lastModification(), UnprocessedStatistics: unprocessed, UnprocessedBoostStatistics: [] };
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse, operation: string): Promise<void> {
    const target = new URL(`/${operation}`, this.options.tracesBackend);
    const upstream = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const out = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, resolve);
      out.on('error', reject);
      req.pipe(out);
    });
    this.calls.push({ operation, status: upstream.statusCode ?? 502 });
    res.writeHead(upstream.statusCode ?? 502, upstream.headers);
    upstream.pipe(res);
  }
}

function asObject(value: unknown, name: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FakeAwsError(400, 'InvalidRequestException', `${name} is required`);
  return value as Json;
}

function parseJson(raw: Buffer): Json {
  try {
    return asObject(JSON.parse(raw.toString('utf8')), 'Request body');
  } catch (err) {
    if (err instanceof FakeAwsError) throw err;
    throw new FakeAwsError(400, 'InvalidRequestException', 'Request body is not valid JSON');
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new FakeAwsError(413, 'RequestEntityTooLarge', 'Request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
