// Renders the ADOT collector sidecar config (ADOT v0.49.0 / collector-contrib v0.156.0 keys) from a resolved spec.
// Two exports: `awsxray` (PutTraceSegments), or `otlphttp` to X-Ray's OTLP traces endpoint signed by `sigv4auth`
// (service xray; the endpoint takes OTLP over HTTP only, gzip or uncompressed).
// Everything listens on the pod's loopback only: the sidecar shares the app's network namespace and nothing outside
// the pod needs to reach it.
import yaml from 'js-yaml';
import { CollectorPorts } from '../constants.js';
import type { ResolvedSpec } from '../api/types.js';

/**
 * TCP port of the `awsxray` receiver's built-in sampling proxy. The receiver always starts that proxy (default TCP
 * 2000), which would clash with the `awsproxy` extension; we move it aside and keep `awsproxy` on 2000.
 */
export const LEGACY_RECEIVER_PROXY_PORT = 2001;

/** Region of the exporter and proxies when the XRayTracing names none: the sidecar's own AWS_REGION (from EKS). */
export const REGION_FROM_ENV = '${env:AWS_REGION}';

export interface EndpointConfig {
  endpoint: string;
}

/** Keys shared by the `awsproxy` extension and the `awsxray` receiver's `proxy_server`. */
export interface AwsProxyConfig extends EndpointConfig {
  region: string;
  aws_endpoint?: string;
  local_mode?: boolean;
}

export interface AwsXRayReceiverConfig extends EndpointConfig {
  transport: 'udp';
  proxy_server: AwsProxyConfig;
}

export interface AwsXRayExporterConfig {
  region: string;
  indexed_attributes: string[];
  index_all_attributes: boolean;
  endpoint?: string;
  local_mode?: boolean;
}

export interface SigV4AuthConfig {
  region: string;
  service: 'xray';
}

export interface OtlpHttpExporterConfig {
  traces_endpoint: string;
  compression: 'gzip';
  auth: { authenticator: 'sigv4auth' };
}

export interface TracesPipeline {
  receivers: string[];
  processors: string[];
  exporters: string[];
}

export interface CollectorConfig {
  extensions: { health_check: EndpointConfig; awsproxy: AwsProxyConfig; sigv4auth?: SigV4AuthConfig };
  receivers: { otlp: { protocols: { grpc: EndpointConfig; http: EndpointConfig } }; awsxray?: AwsXRayReceiverConfig };
  processors: { 'batch/traces': { timeout: string; send_batch_size: number } };
  exporters: { awsxray?: AwsXRayExporterConfig; otlphttp?: OtlpHttpExporterConfig; debug?: { verbosity: 'detailed' } };
  service: {
    extensions: string[];
    pipelines: { traces: TracesPipeline };
    telemetry: { logs: { level: 'info' | 'debug' }; metrics: { level: 'none' } };
  };
}

const loopback = (port: number): string => `localhost:${port}`;

/**
 * A user's string as a literal in the collector config: the collector expands `${…}` (env, file, http providers) in
 * every value and reads `$$` as `$`. Only the operator's own values (REGION_FROM_ENV) may expand.
 */
export const literalConfigText = (text: string): string => text.replaceAll('$', '$$$$');

/** Proxy settings for the X-Ray API: region, and the endpoint override (an emulator or VPC endpoint skips IMDS). */
function awsProxyConfig(spec: ResolvedSpec, port: number): AwsProxyConfig {
  const { region, awsEndpoint } = spec.collector;
  const proxy: AwsProxyConfig = { endpoint: loopback(port), region: region ?? REGION_FROM_ENV };
  if (awsEndpoint) {
    proxy.aws_endpoint = literalConfigText(awsEndpoint);
    proxy.local_mode = true;
  }
  return proxy;
}

function awsXRayExporterConfig(spec: ResolvedSpec): AwsXRayExporterConfig {
  const { region, awsEndpoint, indexedAttributes, indexAllAttributes } = spec.collector;
  const exporter: AwsXRayExporterConfig = {
    region: region ?? REGION_FROM_ENV,
    indexed_attributes: indexedAttributes.map(literalConfigText),
    index_all_attributes: indexAllAttributes,
  };
  if (awsEndpoint) {
    exporter.endpoint = literalConfigText(awsEndpoint);
    exporter.local_mode = true;
  }
  return exporter;
}

/** X-Ray's OTLP traces endpoint for the region (or under the XRayTracing's endpoint override). */
export function otlpTracesEndpoint(spec: ResolvedSpec): string {
  const { region, awsEndpoint } = spec.collector;
  if (awsEndpoint) return `${literalConfigText(awsEndpoint.replace(/\/+$/, ''))}/v1/traces`;
  return `https://xray.${region ?? REGION_FROM_ENV}.amazonaws.com/v1/traces`;
}

function otlpHttpExporterConfig(spec: ResolvedSpec): OtlpHttpExporterConfig {
  return { traces_endpoint: otlpTracesEndpoint(spec), compression: 'gzip', auth: { authenticator: 'sigv4auth' } };
}

/** The collector config as a typed object. Pure and deterministic: equal specs give deep-equal configs. */
export function renderCollectorConfig(spec: ResolvedSpec): CollectorConfig {
  const { legacyXRayReceiver, debug, batch } = spec.collector;
  const receivers: CollectorConfig['receivers'] = {
    otlp: {
      protocols: { grpc: { endpoint: loopback(CollectorPorts.otlpGrpc) }, http: { endpoint: loopback(CollectorPorts.otlpHttp) } },
    },
  };
  if (legacyXRayReceiver) {
    receivers.awsxray = {
      endpoint: loopback(CollectorPorts.xray),
      transport: 'udp',
      proxy_server: awsProxyConfig(spec, LEGACY_RECEIVER_PROXY_PORT),
    };
  }
  const otlp = spec.collector.export === 'otlp';
  const exporters: CollectorConfig['exporters'] = otlp ? { otlphttp: otlpHttpExporterConfig(spec) } : { awsxray: awsXRayExporterConfig(spec) };
  if (debug) exporters.debug = { verbosity: 'detailed' };
  const extensions: CollectorConfig['extensions'] = {
    health_check: { endpoint: loopback(CollectorPorts.health) },
    awsproxy: awsProxyConfig(spec, CollectorPorts.xray),
  };
  if (otlp) extensions.sigv4auth = { region: spec.collector.region ?? REGION_FROM_ENV, service: 'xray' };
  return {
    extensions,
    receivers,
    processors: { 'batch/traces': { timeout: batch.timeout, send_batch_size: batch.sendBatchSize } },
    exporters,
    service: {
      extensions: Object.keys(extensions),
      pipelines: { traces: { receivers: Object.keys(receivers), processors: ['batch/traces'], exporters: Object.keys(exporters) } },
      // Internal metrics off: their default listener (8888) would sit in the app's network namespace.
      telemetry: { logs: { level: debug ? 'debug' : 'info' }, metrics: { level: 'none' } },
    },
  };
}

/** The collector config as YAML (what the sidecar reads); key order is the render order, so output is stable. */
export function renderCollectorConfigYaml(spec: ResolvedSpec): string {
  return yaml.dump(renderCollectorConfig(spec), { lineWidth: -1, noRefs: true });
}
