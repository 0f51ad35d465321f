// OTEL_PROPAGATORS, in order, including `xray` (the upstream SDK does not know it).
import { diag, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';

const FACTORIES: Record<string, () => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  xray: () => new AWSXRayPropagator(),
  b3: () => new B3Propagator(),
  b3multi: () => new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
};

export const SUPPORTED_PROPAGATORS = Object.keys(FACTORIES);

/** `none` alone turns propagation off; unknown names are reported and skipped. */
export function createPropagator(names: readonly string[]): TextMapPropagator {
  const propagators: TextMapPropagator[] = [];
  for (const name of new Set(names)) {
    const factory = FACTORIES[name];
    if (factory) propagators.push(factory());
    else if (name !== 'none') diag.warn(`Propagator "${name}" is not supported (supported: ${SUPPORTED_PROPAGATORS.join(', ')})`);
  }
  return new CompositePropagator({ propagators });
}
