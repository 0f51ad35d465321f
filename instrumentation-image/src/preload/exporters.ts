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

function otlpExporter(protocol: OtlpProtocol): SpanExporter {
  if (protocol === 'http/json') return new OtlpJsonExporter();
  return new OtlpProtoExporter();
}

export function createSpanProcessors(
  exporters: readonly TraceExporterName[],
  protocol: OtlpProtocol,
  batch: BatchSettings,
): SpanProcessor[] {
  return exporters.map((name) =>
    name === 'otlp'
      ? new BatchSpanProcessor({ ...batch, exporter: otlpExporter(protocol) })
      : new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }),
  );
}
