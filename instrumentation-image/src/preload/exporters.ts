// Span processors from OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_PROTOCOL. The exporters read endpoint, headers
// and timeouts from the env themselves; the OTEL_BSP_* batch settings come from config.ts.
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { BatchSettings, OtlpProtocol, TraceExporterName } from './config.js';
import { createEncodedOtlpHttpExporter, EncodingSpanProcessor } from './encoded-export.js';
import type { LoadOptional } from './optional-modules.js';

/**
 * The OTLP export to a collector, by OTEL_EXPORTER_OTLP_PROTOCOL: protobuf spans are encoded as they end; the JSON
 * exporter is upstream's, from an optional chunk.
 */
export function collectorOtlpProcessor(protocol: OtlpProtocol, batch: BatchSettings, load: LoadOptional): SpanProcessor {
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-http');
    return new BatchSpanProcessor({ ...batch, exporter: new OTLPTraceExporter() });
  }
  return new EncodingSpanProcessor(createEncodedOtlpHttpExporter(), batch);
}

/** `otlpProcessor` makes the processor for the `otlp` name: to a collector, or (no collector) to X-Ray, signed. */
export function createSpanProcessors(exporters: readonly TraceExporterName[], otlpProcessor: () => SpanProcessor): SpanProcessor[] {
  return exporters.map((name) => (name === 'otlp' ? otlpProcessor() : new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })));
}
