// OTLP/protobuf export of spans encoded as they end (see otlp-encoding.ts): the SDK's BatchSpanProcessor still does
// the queueing, batching, timers, flushes and drops (OTEL_BSP_*), and upstream's OTLP exporter the transport, retries
// and self-metrics; only what waits between them is smaller.
import { diag, type Context } from '@opentelemetry/api';
import {
  createOtlpNetworkExportDelegate,
  OTLPExporterBase,
  type IExporterTransport,
  type OtlpSharedConfiguration,
} from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate, createOtlpHttpExporterMetrics } from '@opentelemetry/otlp-exporter-base/node-http';
import type { IExporterMetricsHelper, ISerializer } from '@opentelemetry/otlp-transformer';
import { BatchSpanProcessor, type ReadableSpan, type Span, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { BatchSettings } from './config.js';
import { decodeTraceResponse, encodeSpan, encodeTraceRequest, type EncodedSpan, type TraceServiceResponse } from './otlp-encoding.js';

/** What upstream's OTLP span exporters name themselves in their self-metrics. */
export const OTLP_HTTP_SPAN_EXPORTER = 'otlp_http_span_exporter';
const SAMPLED = 1;

/** Nothing here loads otlp-transformer: its index evaluates every signal's serializers (34 modules). */
const encodedSpanSerializer: ISerializer<EncodedSpan[], TraceServiceResponse> = {
  serializeRequest: encodeTraceRequest,
  deserializeResponse: decodeTraceResponse,
};

/** Upstream's TraceExporterMetricsHelper, for encoded spans: each item is one span. */
const encodedSpanMetrics: IExporterMetricsHelper<EncodedSpan[]> = { name: 'span', countItems: (spans) => spans.length };

/** An exporter of encoded spans; exports what `EncodingSpanProcessor` batches. */
export type EncodedSpanExporter = OTLPExporterBase<EncodedSpan[]>;

/** Upstream's OTLP/HTTP protobuf trace exporter (env, headers, compression, agent) with the encoded spans' serializer. */
export function createEncodedOtlpHttpExporter(): EncodedSpanExporter {
  const options = convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
  return new OTLPExporterBase(createOtlpHttpExportDelegate(options, encodedSpanSerializer, OTLP_HTTP_SPAN_EXPORTER, encodedSpanMetrics, undefined));
}

/** The same with a transport of ours (the signed one to X-Ray); `url` labels the self-metrics. */
export function createEncodedOtlpExporter(options: OtlpSharedConfiguration, url: string, transport: IExporterTransport): EncodedSpanExporter {
  const metrics = createOtlpHttpExporterMetrics(OTLP_HTTP_SPAN_EXPORTER, encodedSpanMetrics, url, undefined);
  return new OTLPExporterBase(createOtlpNetworkExportDelegate(options, encodedSpanSerializer, metrics, transport));
}

/**
 * Encodes each ended, sampled span and hands the encoding to a BatchSpanProcessor in its place; the ReadableSpan is
 * then garbage as soon as the instrumentation lets go of it.
 */
export class EncodingSpanProcessor implements SpanProcessor {
  private readonly batch: BatchSpanProcessor;

  constructor(exporter: EncodedSpanExporter, settings: BatchSettings) {
    // The batch processor passes on what it was given, typed as ReadableSpans: here, EncodedSpans.
    this.batch = new BatchSpanProcessor({ ...settings, exporter: exporter as unknown as SpanExporter });
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & SAMPLED) === 0) return;
    let encoded: EncodedSpan;
    try {
      encoded = encodeSpan(span);
    } catch (error) {
      // This runs in the app's request path (span.end()), where upstream's serializer never ran: drop the span.
      diag.error(`Span "${span.name}" could not be encoded for export and was dropped`, error);
      return;
    }
    this.batch.onEnd(encoded as unknown as ReadableSpan);
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown();
  }
}
