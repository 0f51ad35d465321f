// Span processors from OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_PROTOCOL (endpoint, headers, timeouts and the
// OTEL_BSP_* batch settings are read from the env by the upstream classes themselves).
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { OtlpProtocol, TraceExporterName } from './config.js';

function otlpExporter(protocol: OtlpProtocol): SpanExporter {
  if (protocol === 'grpc') return new OtlpGrpcExporter();
  if (protocol === 'http/json') return new OtlpJsonExporter();
  return new OtlpProtoExporter();
}

export function createSpanProcessors(exporters: readonly TraceExporterName[], protocol: OtlpProtocol): SpanProcessor[] {
  return exporters.map((name) =>
    name === 'otlp' ? new BatchSpanProcessor({ exporter: otlpExporter(protocol) }) : new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }),
  );
}
