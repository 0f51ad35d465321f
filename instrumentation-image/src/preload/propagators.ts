// OTEL_PROPAGATORS, in order, including `xray` (the upstream SDK does not know it).
import { diag, type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import type { LoadOptional } from './optional-modules.js';

/** B3 comes from an optional chunk: few X-Ray users propagate it. */
const FACTORIES: Record<string, (load: LoadOptional) => TextMapPropagator> = {
  tracecontext: () => new W3CTraceContextPropagator(),
  baggage: () => new W3CBaggagePropagator(),
  xray: () => new AWSXRayPropagator(),
  b3: (load) => new (load('@opentelemetry/propagator-b3').B3Propagator)(),
  b3multi: (load) => {
    const { B3Propagator, B3InjectEncoding } = load('@opentelemetry/propagator-b3');
    return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
  },
};

export const SUPPORTED_PROPAGATORS = Object.keys(FACTORIES);

/** `none` alone turns propagation off; unknown names are reported and skipped. */
export function createPropagator(names: readonly string[], load: LoadOptional): TextMapPropagator {
  const propagators: TextMapPropagator[] = [];
  for (const name of new Set(names)) {
    const factory = FACTORIES[name];
    if (factory) propagators.push(factory(load));
    else if (name !== 'none') diag.warn(`Propagator "${name}" is not supported (supported: ${SUPPORTED_PROPAGATORS.join(', ')})`);
  }
  return new CompositePropagator({ propagators });
}
