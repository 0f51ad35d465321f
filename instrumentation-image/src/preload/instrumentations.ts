// The instrumentations: upstream's auto set plus Fastify's own instrumentation (upstream no longer ships it), each
// constructed only when a module it patches is first loaded (lazy-instrumentations.ts). Which ones are on follows
// upstream's rules for OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS (also for `fastify`).
// Instrumentations that only produce metrics stay off: the preload exports traces only, so they would cost every
// request (runtime-node samples the event loop) and show nothing. Express middleware/router layers and Fastify hooks
// make no spans unless the XRayTracing asks (middlewareSpans): X-Ray users read them as noise, and each one costs
// every request a span start, sampled or not. The server span keeps its route, and request handlers their spans.
import { diag } from '@opentelemetry/api';
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import * as catalogue from 'xray-operator:instrumentation-catalogue';
import { loadChunk } from './chunks.js';
import type { PreloadConfig } from './config.js';
import type { LazyInstrumentation } from './lazy-instrumentations.js';
import { lineChunks } from './optional-modules.js';
import { skipUnrecordedWork } from './unsampled.js';

type SelectionConfig = Pick<PreloadConfig, 'enabledInstrumentations' | 'disabledInstrumentations'>;

const PREFIX = '@opentelemetry/instrumentation-';
const FASTIFY = 'fastify';
const FASTIFY_PACKAGE = '@fastify/otel';
const AWS_LAMBDA = 'aws-lambda';
/** Metric-only: never on (see above). */
const METRICS_ONLY = ['runtime-node', 'host-metrics'];
/** Off unless OTEL_NODE_ENABLED_INSTRUMENTATIONS names them (upstream's default exclusions). */
const OFF_BY_DEFAULT = ['fs'];
/** @fastify/otel hooks Fastify's initialization channel, not a module: constructed on Fastify's first load. */
const TRIGGERS: Readonly<Record<string, readonly string[]>> = { [FASTIFY_PACKAGE]: [FASTIFY] };

/** The name OTEL_NODE_*_INSTRUMENTATIONS use for an instrumentation package (`http`, `fastify`). */
export function instrumentationName(pkg: string): string {
  if (pkg === FASTIFY_PACKAGE) return FASTIFY;
  return pkg.startsWith(PREFIX) ? pkg.slice(PREFIX.length) : pkg;
}

/** Upstream's rules: disabled wins; an enabled list keeps only what it names; otherwise all but fs. */
export function instrumentationEnabled(name: string, config: SelectionConfig): boolean {
  if (METRICS_ONLY.includes(name) || config.disabledInstrumentations.includes(name)) return false;
  if (config.enabledInstrumentations !== undefined) return config.enabledInstrumentations.includes(name);
  return !OFF_BY_DEFAULT.includes(name);
}

export function instrumentationConfig(name: string, config: Pick<PreloadConfig, 'middlewareSpans'>): InstrumentationConfig {
  if (name === 'express' && !config.middlewareSpans) return { ignoreLayersType: ['middleware', 'router'] } as InstrumentationConfig;
  if (name === FASTIFY) return { registerOnInitialization: true, instrumentHooks: config.middlewareSpans } as InstrumentationConfig;
  return {};
}

/** Names in OTEL_NODE_*_INSTRUMENTATIONS that match nothing, as upstream reports them. */
export function unknownInstrumentationNames(known: readonly string[], config: SelectionConfig): string[] {
  const all = new Set([...known, ...METRICS_ONLY]);
  return [...(config.enabledInstrumentations ?? []), ...config.disabledInstrumentations].filter((name) => !all.has(name));
}

type InstrumentationClass = new (config?: InstrumentationConfig) => Instrumentation;

/** `lineDir`: the directory of sdk.js, next to which the chunks file lies. */
export function createInstrumentations(config: PreloadConfig, lineDir: string): LazyInstrumentation[] {
  const chunks = lineChunks(lineDir);
  const lean = {
    middlewareSpans: config.middlewareSpans,
    callerDecidesUnsampled: config.sampler.kind === 'xray' || config.sampler.name.startsWith('parentbased_'),
  };
  for (const name of unknownInstrumentationNames(catalogue.entries.map((entry) => instrumentationName(entry.pkg)), config)) {
    diag.error(`Provided instrumentation name "${PREFIX}${name}" not found`);
  }
  return catalogue.entries.flatMap((entry) => {
    const name = instrumentationName(entry.pkg);
    if (!instrumentationEnabled(name, config)) return [];
    // Upstream's does nothing unless the process is a Lambda function (it reads the same two variables), and it is
    // constructed at start (it patches no module by name): outside Lambda it would only load its code into every app.
    if (name === AWS_LAMBDA && !config.lambda) return [];
    const create = () => {
      const Instrumentation = loadChunk(chunks, entry.chunk, entry.pkg) as InstrumentationClass;
      const instrumentation = new Instrumentation(instrumentationConfig(name, config));
      skipUnrecordedWork([instrumentation], lean);
      return instrumentation;
    };
    return [{ pkg: entry.pkg, modules: entry.modules, requireTriggers: TRIGGERS[entry.pkg], create }];
  });
}
