// The tracing pipeline, assembled from the SDK parts directly instead of NodeSDK: NodeSDK also pulls in metrics,
// logs, every exporter protocol and declarative configuration (about half of a bundle), which an X-Ray traces
// preload never uses and every app would pay for in start-up time and memory.
import { context, diag, propagation, trace, type TextMapPropagator } from '@opentelemetry/api';
import { detectResources, type Resource, type ResourceDetector } from '@opentelemetry/resources';
import { TracerProvider, type IdGenerator, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { LeanContextManager } from './context-manager.js';
import { startInstrumentations, type LazyInstrumentation, type LoadedInstrumentations } from './lazy-instrumentations.js';

export interface TracingOptions {
  readonly instrumentations: readonly LazyInstrumentation[];
  readonly resourceDetectors: ResourceDetector[];
  readonly propagator: TextMapPropagator;
  readonly sampler: Sampler;
  /** Absent: the SDK's random (W3C) IDs. */
  readonly idGenerator?: IdGenerator;
  readonly spanProcessors: SpanProcessor[];
}

export interface Tracing {
  readonly resource: Resource;
  readonly instrumentations: LoadedInstrumentations;
  shutdown(): Promise<void>;
}

export function startTracing(options: TracingOptions): Tracing {
  const resource = detectResources({ detectors: options.resourceDetectors });
  const provider = new TracerProvider({
    resource,
    sampler: options.sampler,
    // Only when given: an explicit undefined would replace the SDK's default generator in its config merge.
    ...(options.idGenerator ? { idGenerator: options.idGenerator } : {}),
    spanProcessors: options.spanProcessors,
  });
  context.setGlobalContextManager(new LeanContextManager().enable());
  propagation.setGlobalPropagator(options.propagator);
  trace.setGlobalTracerProvider(provider);
  const instrumentations = startInstrumentations(options.instrumentations, provider);
  return {
    resource,
    instrumentations,
    shutdown: () => provider.shutdown().catch((error: unknown) => diag.error('Tracer provider shutdown failed', error)),
  };
}
