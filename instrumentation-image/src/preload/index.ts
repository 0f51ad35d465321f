// The per-line bundle (<line>/sdk.js): starts OpenTelemetry tracing for X-Ray.
import { diag, DiagConsoleLogger, DiagLogLevel, type Attributes } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import { Env } from '../../../core/src/constants.js';
import type { SignedPost } from '../aws-signing/types.js';
import { writeLine } from '../log.js';
import type { OtelLine } from '../runtime.js';
import { readPreloadConfig, type PreloadConfig } from './config.js';
import { registerEsmHook, type EsmHookState } from './esm.js';
import { createSignedOtlpExporter, loadSignedPost, OTLP_TRACES_PATH } from './direct-export.js';
import { EncodingSpanProcessor } from './encoded-export.js';
import { collectorOtlpProcessor, createSpanProcessors } from './exporters.js';
import { createInstrumentations } from './instrumentations.js';
import { optionalModules, type LoadOptional } from './optional-modules.js';
import { createPropagator } from './propagators.js';
import { envResource, resourceDetectors } from './resource.js';
import { createStandardSampler, createXRaySampler } from './sampler.js';
import { installShutdownHandlers } from './shutdown.js';
import { startTracing } from './tracing.js';

export interface PreloadStartOptions {
  readonly line: OtelLine;
  /** The directory of this bundle: hook.mjs and lib/register.js sit next to it. */
  readonly lineDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** process.argv[1]: the app's main module, used to decide whether ESM hooks are needed. */
  readonly mainPath: string | undefined;
}

export type PreloadStart = (options: PreloadStartOptions) => void;

function setUpDiagnostics(config: PreloadConfig, logLevel: string | undefined): void {
  const level = logLevel ? diagLogLevelFromString(logLevel) : config.debug ? DiagLogLevel.INFO : undefined;
  if (level !== undefined && level !== DiagLogLevel.NONE) diag.setLogger(new DiagConsoleLogger(), { logLevel: level });
  for (const warning of config.warnings) diag.warn(warning);
}

function createSampler(config: PreloadConfig, signedPost: SignedPost | undefined): Sampler {
  if (config.sampler.kind === 'standard') return createStandardSampler(config.sampler.name, config.sampler.ratio);
  return createXRaySampler({
    resource: envResource(),
    endpoint: config.sampler.endpoint,
    pollingIntervalSeconds: config.sampler.pollingIntervalSeconds,
    signedPost: config.sampler.signed ? signedPost : undefined,
  });
}

/** Without a collector, the OTLP exporter and the sampler sign their requests; the signing chunk loads only then. */
function otlpProcessorFactory(config: PreloadConfig, signedPost: SignedPost | undefined, load: LoadOptional): () => SpanProcessor {
  const { direct, batch } = config;
  if (direct && signedPost) return () => new EncodingSpanProcessor(createSignedOtlpExporter(signedPost, direct), batch);
  return () => collectorOtlpProcessor(config.otlpProtocol, batch, load);
}

function exportTarget(config: PreloadConfig, env: PreloadStartOptions['env']): string {
  if (config.direct) return `direct ${config.direct.endpoint}${OTLP_TRACES_PATH} (SigV4, ${config.direct.region})`;
  return `otlp=${config.otlpProtocol} ${env[Env.otlpEndpoint] ?? 'http://localhost:4318'}`;
}

function describe(config: PreloadConfig, options: PreloadStartOptions, esm: EsmHookState, resource: Attributes): string {
  const sampler = config.sampler.kind === 'xray'
    ? `xray(${config.sampler.endpoint}, every ${config.sampler.pollingIntervalSeconds ?? 300}s)`
    : config.sampler.name;
  return `Tracing started: service=${String(resource['service.name'])} namespace=${String(resource['k8s.namespace.name'])} ` +
    `node=${process.versions.node} line=${options.line} sampler=${sampler} propagators=${config.propagators.join(',')} ` +
    `exporters=${config.traceExporters.join(',') || 'none'} ${exportTarget(config, options.env)} esm-hook=${esm}`;
}

export const start: PreloadStart = (options) => {
  const config = readPreloadConfig(options.env);
  setUpDiagnostics(config, options.env[Env.logLevel]);
  const instrumentations = createInstrumentations(config, options.lineDir);
  const signedPost = config.direct ? loadSignedPost(options.lineDir, config.direct) : undefined;
  const load = optionalModules(options.lineDir);
  const tracing = startTracing({
    instrumentations,
    resourceDetectors: resourceDetectors(config.resourceDetectors, load),
    propagator: createPropagator(config.propagators, load),
    sampler: createSampler(config, signedPost),
    idGenerator: config.traceIds === 'xray' ? new AWSXRayIdGenerator() : undefined,
    spanProcessors: createSpanProcessors(config.traceExporters, otlpProcessorFactory(config, signedPost, load)),
  });
  const esm = registerEsmHook(config.esmHook, options.mainPath, options.lineDir, tracing.instrumentations.moduleNames);
  installShutdownHandlers(tracing, (error) => diag.error('Flushing spans at shutdown failed', error));
  if (config.debug) writeLine(describe(config, options, esm, envResource().attributes));
};
