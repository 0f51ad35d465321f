// The instrumentations: upstream's auto set (it reads OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS itself) plus
// Fastify's own instrumentation, which upstream no longer ships and which we switch with the same variables.
// Instrumentations that only produce metrics stay off: the preload exports traces only, so they would cost every
// request (runtime-node samples the event loop) and show nothing. Express middleware/router layers and Fastify hooks
// make no spans unless the XRayTracing asks (middlewareSpans): X-Ray users read them as noise, and each one costs
// every request a span start, sampled or not. The server span keeps its route, and request handlers their spans.
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import type { Instrumentation, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
import { ExpressLayerType } from '@opentelemetry/instrumentation-express';
import type { PreloadConfig } from './config.js';
import { skipUnrecordedWork } from './unsampled.js';

const FASTIFY = 'fastify';

export function fastifyEnabled(config: Pick<PreloadConfig, 'enabledInstrumentations' | 'disabledInstrumentations'>): boolean {
  if (config.disabledInstrumentations.includes(FASTIFY)) return false;
  return config.enabledInstrumentations === undefined || config.enabledInstrumentations.includes(FASTIFY);
}

export function createInstrumentations(config: PreloadConfig): Instrumentation[] {
  const instrumentations: Instrumentation[] = getNodeAutoInstrumentations({
    '@opentelemetry/instrumentation-runtime-node': { enabled: false },
    '@opentelemetry/instrumentation-host-metrics': { enabled: false },
    ...(config.middlewareSpans ? {} : { '@opentelemetry/instrumentation-express': { ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] } }),
  });
  if (fastifyEnabled(config)) {
    instrumentations.push(new FastifyOtelInstrumentation({ registerOnInitialization: true, instrumentHooks: config.middlewareSpans }));
  }
  skipUnrecordedWork(instrumentations, {
    middlewareSpans: config.middlewareSpans,
    callerDecidesUnsampled: config.sampler.kind === 'xray' || config.sampler.name.startsWith('parentbased_'),
  });
  return instrumentations;
}

/** The module names the instrumentations patch: the only ones the ESM hook needs to wrap. */
export function instrumentedModuleNames(instrumentations: readonly Instrumentation[]): string[] {
  const names = new Set<string>();
  for (const instrumentation of instrumentations) {
    const withModules = instrumentation as { getModuleDefinitions?: () => InstrumentationModuleDefinition[] };
    for (const definition of withModules.getModuleDefinitions?.() ?? []) names.add(definition.name);
  }
  return [...names];
}
