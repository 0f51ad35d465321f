// Pods without a collector: spans go to X-Ray's OTLP endpoint as gzipped OTLP/protobuf, SigV4-signed with the pod's
// credentials. Spans are encoded as they end (encoded-export.ts); upstream's OTLP exporter does the queueing and
// metrics; only the transport is ours, since upstream's sends headers fixed before the body exists and a signature covers the body.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { join } from 'node:path';
import {
  getSharedConfigurationDefaults,
  mergeOtlpSharedConfigurationWithDefaults,
  OTLPExporterError,
  type ExportResponse,
  type IExporterTransport,
} from '@opentelemetry/otlp-exporter-base';
import { getSharedConfigurationFromEnvironment } from '@opentelemetry/otlp-exporter-base/node-http';
import { SIGNING_CHUNK, type CreateSignedPost, type SignedPost } from '../aws-signing/types.js';
import type { DirectExportConfig } from './config.js';
import { createEncodedOtlpExporter, type EncodedSpanExporter } from './encoded-export.js';

/** SigV4 signing name of X-Ray's OTLP endpoint and of its sampling API. */
const SIGNING_SERVICE = 'xray';
export const OTLP_TRACES_PATH = '/v1/traces';
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_NETWORK_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH']);
const MAX_ATTEMPTS = 3;

const gzipAsync = promisify(gzip);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Loads the signing chunk (only pods without a collector get here) and makes a signer for X-Ray in the region. */
export function loadSignedPost(lineDir: string, config: DirectExportConfig): SignedPost {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only in this mode, from beside the bundle
  const chunk = require(join(lineDir, '..', SIGNING_CHUNK)) as { createSignedPost: CreateSignedPost };
  return chunk.createSignedPost({ region: config.region, service: SIGNING_SERVICE });
}

function retryAfterMillis(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

class SignedOtlpTransport implements IExporterTransport {
  constructor(
    private readonly post: SignedPost,
    private readonly url: string,
  ) {}

  async send(data: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    const body = await gzipAsync(data);
    const deadline = Date.now() + timeoutMillis;
    for (let attempt = 1; ; attempt++) {
      const response = await this.attempt(body, Math.max(1, deadline - Date.now()));
      if (response.status !== 'retryable' || attempt >= MAX_ATTEMPTS) return response;
      const wait = response.retryInMillis ?? 2 ** attempt * 250 * (0.5 + Math.random());
      if (Date.now() + wait >= deadline) return response;
      await sleep(wait);
    }
  }

  shutdown(): void {}

  private async attempt(body: Uint8Array, timeoutMillis: number): Promise<ExportResponse> {
    try {
      const response = await this.post({
        url: this.url,
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
        body,
        timeoutMillis,
      });
      if (response.statusCode >= 200 && response.statusCode < 300) return { status: 'success', data: response.body };
      if (RETRYABLE_STATUS.has(response.statusCode)) return { status: 'retryable', retryInMillis: retryAfterMillis(response.headers['retry-after']) };
      return { status: 'failure', error: new OTLPExporterError(`X-Ray's OTLP endpoint answered ${response.statusCode}`, response.statusCode, response.body.toString('utf8')) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const failure = error instanceof Error ? error : new Error(String(error));
      // Network trouble is worth another try; missing credentials are not.
      return typeof code === 'string' && RETRYABLE_NETWORK_ERRORS.has(code) ? { status: 'retryable', error: failure } : { status: 'failure', error: failure };
    }
  }
}

/** The OTLP/protobuf span exporter for X-Ray's endpoint; OTEL_EXPORTER_OTLP(_TRACES)_TIMEOUT still apply. */
export function createSignedOtlpExporter(post: SignedPost, config: DirectExportConfig): EncodedSpanExporter {
  const url = `${config.endpoint}${OTLP_TRACES_PATH}`;
  const options = mergeOtlpSharedConfigurationWithDefaults({}, getSharedConfigurationFromEnvironment('TRACES'), getSharedConfigurationDefaults());
  return createEncodedOtlpExporter(options, url, new SignedOtlpTransport(post, url));
}
