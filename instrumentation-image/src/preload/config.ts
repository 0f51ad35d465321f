// The preload's settings, read once from the env the injection engine writes (see docs/preload.md).
import { DIRECT_EXPORT, Env } from '../../../core/src/constants.js';

export const STANDARD_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type StandardSamplerName = (typeof STANDARD_SAMPLERS)[number];

export type SamplerConfig =
  /** `signed`: the endpoint is the X-Ray API itself (no collector), so requests carry SigV4 signatures. */
  | { readonly kind: 'xray'; readonly endpoint: string; readonly pollingIntervalSeconds: number | undefined; readonly signed: boolean }
  /** A standard OTEL_TRACES_SAMPLER; `ratio` is OTEL_TRACES_SAMPLER_ARG for the traceidratio ones. */
  | { readonly kind: 'standard'; readonly name: StandardSamplerName; readonly ratio: number };

export type EsmHookMode = 'auto' | 'always' | 'never';
export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type TraceExporterName = 'otlp' | 'console';

/** OTEL_BSP_* (the SDK classes take these as options; only NodeSDK's own env path reads the variables). */
export interface BatchSettings {
  readonly maxQueueSize?: number;
  readonly scheduledDelayMillis?: number;
  readonly exportTimeoutMillis?: number;
  readonly maxExportBatchSize?: number;
}

/** Pods without a collector (Env.exportMode "direct"): where X-Ray's API is, for the signed export and sampling. */
export interface DirectExportConfig {
  readonly region: string;
  /** Base URL: the OTLP traces path and the sampling operations hang off it. */
  readonly endpoint: string;
}

export interface PreloadConfig {
  readonly debug: boolean;
  /** Set when the preload exports to X-Ray itself; undefined with a collector (or when the region is unknown). */
  readonly direct: DirectExportConfig | undefined;
  readonly sampler: SamplerConfig;
  /** OTEL_PROPAGATORS entries, in order, lower-cased. */
  readonly propagators: readonly string[];
  readonly traceExporters: readonly TraceExporterName[];
  readonly otlpProtocol: OtlpProtocol;
  readonly batch: BatchSettings;
  readonly esmHook: EsmHookMode;
  /** Instrumentation suffixes (e.g. "express"); undefined = the upstream default set. */
  readonly enabledInstrumentations: readonly string[] | undefined;
  readonly disabledInstrumentations: readonly string[];
  /** OTEL_NODE_RESOURCE_DETECTORS as a list, when set. */
  readonly resourceDetectors: readonly string[] | undefined;
  /** xray: X-Ray's timestamped trace IDs (default); w3c: the SDK's random ones. */
  readonly traceIds: 'xray' | 'w3c';
  /** Spans for Express middleware/router layers and Fastify hooks (off unless the XRayTracing asks for them). */
  readonly middlewareSpans: boolean;
  /** Running as an AWS Lambda function (LAMBDA_TASK_ROOT and _HANDLER set), the only place aws-lambda's instrumentation works. */
  readonly lambda: boolean;
  /** Problems found while reading the env, reported once the diag logger is up. */
  readonly warnings: readonly string[];
}

export const DEFAULT_PROPAGATORS = ['baggage', 'xray', 'tracecontext'] as const;
export const DEFAULT_XRAY_SAMPLER_ENDPOINT = 'http://localhost:2000';

type EnvLike = Readonly<Record<string, string | undefined>>;

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item.length > 0);
}

/**
 * ADOT's OTEL_TRACES_SAMPLER_ARG format for `xray`: `endpoint=http://localhost:2000,polling_interval=60`. Without an
 * endpoint: the X-Ray API itself when the preload exports directly, else the sidecar's proxy on localhost:2000.
 */
export function parseXRaySamplerArg(arg: string | undefined, direct: DirectExportConfig | undefined, warnings: string[]): SamplerConfig {
  let endpoint: string | undefined;
  let pollingIntervalSeconds: number | undefined;
  for (const pair of (arg ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (key === 'endpoint' && value) endpoint = value.replace(/\/+$/, '');
    else if (key === 'polling_interval') {
      const seconds = Number(value);
      if (Number.isFinite(seconds) && seconds > 0) pollingIntervalSeconds = seconds;
      else warnings.push(`Ignored ${Env.tracesSamplerArg} polling_interval "${value}": not a positive number of seconds`);
    } else warnings.push(`Ignored unknown ${Env.tracesSamplerArg} key "${key}"`);
  }
  if (endpoint !== undefined) return { kind: 'xray', endpoint, pollingIntervalSeconds, signed: false };
  return direct
    ? { kind: 'xray', endpoint: direct.endpoint, pollingIntervalSeconds, signed: true }
    : { kind: 'xray', endpoint: DEFAULT_XRAY_SAMPLER_ENDPOINT, pollingIntervalSeconds, signed: false };
}

function otlpProtocol(env: EnvLike, warnings: string[]): OtlpProtocol {
  const value = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env[Env.otlpProtocol] ?? 'http/protobuf').trim();
  if (value === 'http/protobuf' || value === 'http/json') return value;
  // grpc would add a gRPC stack to every app for no gain: the sidecar serves OTLP/HTTP on the pod's loopback.
  warnings.push(`Unsupported ${Env.otlpProtocol} "${value}" (the preload exports http/protobuf or http/json); using http/protobuf`);
  return 'http/protobuf';
}

function traceExporters(env: EnvLike, debug: boolean, warnings: string[]): TraceExporterName[] {
  const names = list(env[Env.tracesExporter]);
  const chosen: TraceExporterName[] = [];
  for (const name of names.length > 0 ? names : ['otlp']) {
    if (name === 'otlp' || name === 'console') chosen.push(name);
    else if (name !== 'none') warnings.push(`Unsupported ${Env.tracesExporter} "${name}" ignored (use otlp, console or none)`);
  }
  if (debug && !chosen.includes('console')) chosen.push('console');
  return [...new Set(chosen)];
}

const BATCH_ENV: Record<keyof BatchSettings, string> = {
  maxQueueSize: 'OTEL_BSP_MAX_QUEUE_SIZE',
  scheduledDelayMillis: 'OTEL_BSP_SCHEDULE_DELAY',
  exportTimeoutMillis: 'OTEL_BSP_EXPORT_TIMEOUT',
  maxExportBatchSize: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
};

function batchSettings(env: EnvLike, warnings: string[]): BatchSettings {
  const settings: Partial<Record<keyof BatchSettings, number>> = {};
  for (const [key, name] of Object.entries(BATCH_ENV) as [keyof BatchSettings, string][]) {
    const text = env[name]?.trim();
    if (!text) continue;
    const value = Number(text);
    if (Number.isFinite(value) && value >= 0) settings[key] = value;
    else warnings.push(`Ignored ${name} "${text}": not a non-negative number`);
  }
  return settings;
}

function esmHookMode(env: EnvLike, warnings: string[]): EsmHookMode {
  const value = (env[Env.esmHook] ?? 'auto').trim().toLowerCase();
  if (value === 'auto' || value === 'always' || value === 'never') return value;
  warnings.push(`Unknown ${Env.esmHook} "${value}"; using auto`);
  return 'auto';
}

function standardSampler(name: string, arg: string | undefined, warnings: string[]): SamplerConfig {
  const known = (STANDARD_SAMPLERS as readonly string[]).includes(name);
  if (name && !known) warnings.push(`Unknown ${Env.tracesSampler} "${name}"; using parentbased_always_on`);
  let ratio = 1;
  if (arg !== undefined && arg.trim() !== '') {
    const value = Number(arg);
    if (Number.isFinite(value) && value >= 0 && value <= 1) ratio = value;
    else warnings.push(`Ignored ${Env.tracesSamplerArg} "${arg}": not a ratio between 0 and 1`);
  }
  return { kind: 'standard', name: known ? (name as StandardSamplerName) : 'parentbased_always_on', ratio };
}

function samplerConfig(env: EnvLike, direct: DirectExportConfig | undefined, warnings: string[]): SamplerConfig {
  const name = (env[Env.tracesSampler] ?? '').trim().toLowerCase();
  if (name === 'xray') return parseXRaySamplerArg(env[Env.tracesSamplerArg], direct, warnings);
  const isRatio = name.endsWith('traceidratio');
  return standardSampler(name, isRatio ? env[Env.tracesSamplerArg] : undefined, warnings);
}

function traceIdFormat(env: EnvLike, warnings: string[]): 'xray' | 'w3c' {
  const value = (env[Env.traceIds] ?? 'xray').trim().toLowerCase();
  if (value === 'xray' || value === 'w3c') return value;
  warnings.push(`Unknown ${Env.traceIds} "${value}"; using xray`);
  return 'xray';
}

/**
 * The X-Ray endpoint for the direct export: Env.xrayEndpoint, else the region's public one. The region is the
 * XRayTracing's, else the pod's (EKS sets AWS_REGION with IRSA). No region: nothing to sign for, nowhere to send.
 */
function directExport(env: EnvLike, warnings: string[]): DirectExportConfig | undefined {
  const mode = (env[Env.exportMode] ?? '').trim().toLowerCase();
  if (mode === '') return undefined;
  if (mode !== DIRECT_EXPORT) {
    warnings.push(`Unknown ${Env.exportMode} "${mode}"; exporting as configured by ${Env.otlpEndpoint}`);
    return undefined;
  }
  const region = [env[Env.xrayRegion], env.AWS_REGION, env.AWS_DEFAULT_REGION].map((value) => value?.trim()).find((value) => value);
  if (!region) {
    warnings.push(`Spans are not exported: ${Env.exportMode} is "${DIRECT_EXPORT}" but no region is set (${Env.xrayRegion}, AWS_REGION or AWS_DEFAULT_REGION)`);
    return undefined;
  }
  const endpoint = (env[Env.xrayEndpoint]?.trim() || `https://xray.${region}.amazonaws.com`).replace(/\/+$/, '');
  return { region, endpoint };
}

export function readPreloadConfig(env: EnvLike): PreloadConfig {
  const warnings: string[] = [];
  const debug = (env[Env.debug] ?? '').trim().toLowerCase() === 'true';
  const propagators = list(env[Env.propagators]);
  const enabled = list(env[Env.enabledInstrumentations]);
  const direct = directExport(env, warnings);
  const exporters = traceExporters(env, debug, warnings);
  // A direct export without a region has no destination; OTLP to localhost would fail on every batch.
  const unroutable = direct === undefined && (env[Env.exportMode] ?? '').trim().toLowerCase() === DIRECT_EXPORT;
  return Object.freeze({
    debug,
    direct,
    sampler: samplerConfig(env, direct, warnings),
    propagators: propagators.length > 0 ? propagators : [...DEFAULT_PROPAGATORS],
    traceExporters: unroutable ? exporters.filter((name) => name !== 'otlp') : exporters,
    otlpProtocol: otlpProtocol(env, warnings),
    batch: batchSettings(env, warnings),
    esmHook: esmHookMode(env, warnings),
    enabledInstrumentations: enabled.length > 0 ? enabled : undefined,
    disabledInstrumentations: list(env[Env.disabledInstrumentations]),
    resourceDetectors: env.OTEL_NODE_RESOURCE_DETECTORS === undefined ? undefined : env.OTEL_NODE_RESOURCE_DETECTORS.split(','),
    traceIds: traceIdFormat(env, warnings),
    middlewareSpans: (env[Env.middlewareSpans] ?? '').trim().toLowerCase() === 'true',
    lambda: Boolean(env.LAMBDA_TASK_ROOT) && Boolean(env._HANDLER),
    warnings,
  });
}
