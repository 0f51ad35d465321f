// The per-line bundle (<line>/sdk.js): starts OpenTelemetry tracing for X-Ray.
import { diag, DiagConsoleLogger, DiagLogLevel, type Attributes } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import type { Sampler } from '@opentelemetry/sdk-trace';
import { Env } from '../../../core/src/constants.js';
import { writeLine } from '../log.js';
import type { OtelLine } from '../runtime.js';
import { readPreloadConfig, type PreloadConfig } from './config.js';
import { registerEsmHook, type EsmHookState } from './esm.js';
import { createSpanProcessors } from './exporters.js';
import { createInstrumentations, instrumentedModuleNames } from './instrumentations.js';
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

function createSampler(config: PreloadConfig): Sampler {
  if (config.sampler.kind === 'standard') return createStandardSampler(config.sampler.name, config.sampler.ratio);
  return createXRaySampler({
    resource: envResource(),
    endpoint: config.sampler.endpoint,
    pollingIntervalSeconds: config.sampler.pollingIntervalSeconds,
  });
}

function describe(config: PreloadConfig, options: PreloadStartOptions, esm: EsmHookState, resource: Attributes): string {
  const sampler = config.sampler.kind === 'xray'
    ? `xray(${config.sampler.endpoint}, every ${config.sampler.pollingIntervalSeconds ?? 300}s)`
    : config.sampler.name;
  return `Tracing started: service=${String(resource['service.name'])} namespace=${String(resource['k8s.namespace.name'])} ` +
    `node=${process.versions.node} line=${options.line} sampler=${sampler} propagators=${config.propagators.join(',')} ` +
    `exporters=${config.traceExporters.join(',') || 'none'} otlp=${config.otlpProtocol} ` +
    `${options.env[Env.otlpEndpoint] ?? 'http://localhost:4318'} esm-hook=${esm}`;
}

export const start: PreloadStart = (options) => {
  const config = readPreloadConfig(options.env);
  setUpDiagnostics(config, options.env[Env.logLevel]);
  const instrumentations = createInstrumentations(config);
  const tracing = startTracing({
    instrumentations,
    resourceDetectors: resourceDetectors(config.resourceDetectorsFromEnv),
    propagator: createPropagator(config.propagators),
    sampler: createSampler(config),
    idGenerator: config.traceIds === 'xray' ? new AWSXRayIdGenerator() : undefined,
    spanProcessors: createSpanProcessors(config.traceExporters, config.otlpProtocol, config.batch),
  });
  const esm = registerEsmHook(config.esmHook, options.mainPath, options.lineDir, instrumentedModuleNames(instrumentations));
  installShutdownHandlers(tracing, (error) => diag.error('Flushing spans at shutdown failed', error));
  if (config.debug) writeLine(describe(config, options, esm, envResource().attributes));
};
