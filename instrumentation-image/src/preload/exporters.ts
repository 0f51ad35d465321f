// Span processors from OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_PROTOCOL. The exporters read endpoint, headers
// and timeouts from the env themselves; the OTEL_BSP_* batch settings come from config.ts.
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { BatchSettings, OtlpProtocol, TraceExporterName } from './config.js';

/** The OTLP exporter to a collector, by OTEL_EXPORTER_OTLP_PROTOCOL. */
export function collectorOtlpExporter(protocol: OtlpProtocol): SpanExporter {
  if (protocol === 'http/json') return new OtlpJsonExporter();
  return new OtlpProtoExporter();
}

/** `otlpExporter` makes the exporter for the `otlp` name: to a collector, or (no collector) to X-Ray, signed. */
export function createSpanProcessors(
  exporters: readonly TraceExporterName[],
  otlpExporter: () => SpanExporter,
  batch: BatchSettings,
): SpanProcessor[] {
  return exporters.map((name) =>
    name === 'otlp'
      ? new BatchSpanProcessor({ ...batch, exporter: otlpExporter() })
      : new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }),
  );
}
