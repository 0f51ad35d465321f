// The per-line bundle (<line>/sdk.js): builds and starts the OpenTelemetry SDK for X-Ray.
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { Env } from '../../../core/src/constants.js';
import { writeLine } from '../log.js';
import type { OtelLine } from '../runtime.js';
import { readPreloadConfig, type PreloadConfig } from './config.js';
import { registerEsmHook, type EsmHookState } from './esm.js';
import { createSpanProcessors } from './exporters.js';
import { createInstrumentations, instrumentedModuleNames } from './instrumentations.js';
import { createPropagator } from './propagators.js';
import { envResource, resourceDetectors } from './resource.js';
import { createXRaySampler } from './sampler.js';
import { installShutdownHandlers } from './shutdown.js';

export interface PreloadStartOptions {
  readonly line: OtelLine;
  /** The directory of this bundle: hook.mjs and lib/register.js sit next to it. */
  readonly lineDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** process.argv[1]: the app's main module, used to decide whether ESM hooks are needed. */
  readonly mainPath: string | undefined;
}

export type PreloadStart = (options: PreloadStartOptions) => void;

function describe(config: PreloadConfig, options: PreloadStartOptions, esm: EsmHookState, service: unknown): string {
  const sampler = config.sampler.kind === 'xray'
    ? `xray(${config.sampler.endpoint}, every ${config.sampler.pollingIntervalSeconds ?? 300}s)`
    : (options.env[Env.tracesSampler] ?? 'parentbased_always_on');
  return `Tracing started: service=${String(service)} node=${process.versions.node} line=${options.line} ` +
    `sampler=${sampler} propagators=${config.propagators.join(',')} exporters=${config.traceExporters.join(',') || 'none'} ` +
    `otlp=${config.otlpProtocol} ${options.env[Env.otlpEndpoint] ?? 'http://localhost:4318'} esm-hook=${esm}`;
}

export const start: PreloadStart = (options) => {
  const config = readPreloadConfig(options.env);
  if (config.debug && options.env[Env.logLevel] === undefined) {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: DiagLogLevel.INFO });
  }
  for (const warning of config.warnings) diag.warn(warning);

  const resource = envResource();
  const instrumentations = createInstrumentations(config);
  const sdk = new NodeSDK({
    instrumentations,
    resourceDetectors: resourceDetectors(config.resourceDetectorsFromEnv),
    textMapPropagator: createPropagator(config.propagators),
    idGenerator: new AWSXRayIdGenerator(),
    spanProcessors: createSpanProcessors(config.traceExporters, config.otlpProtocol, config.batch),
    ...(config.sampler.kind === 'xray'
      ? {
          sampler: createXRaySampler({
            resource,
            endpoint: config.sampler.endpoint,
            pollingIntervalSeconds: config.sampler.pollingIntervalSeconds,
          }),
        }
      : {}),
  });
  sdk.start();
  const esm = registerEsmHook(config.esmHook, options.mainPath, options.lineDir, instrumentedModuleNames(instrumentations));
  installShutdownHandlers(sdk, (error) => diag.error('Flushing spans at shutdown failed', error));
  if (config.debug) writeLine(describe(config, options, esm, resource.attributes['service.name']));
};
