// Resources: a synchronous one for the sampler (it needs service.name, cloud.platform and k8s.namespace.name at
// construction) and the detectors the SDK merges into the exported resource.
import { containerDetector } from '@opentelemetry/resource-detector-container';
import {
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  type Resource,
  type ResourceDetector,
} from '@opentelemetry/resources';

/** OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read synchronously. */
export function envResource(): Resource {
  return detectResources({ detectors: [envDetector] });
}

/**
 * OTEL_NODE_RESOURCE_DETECTORS when the user sets it (upstream names, e.g. `env,host,aws`). Otherwise only
 * detectors that read local state: the cloud ones probe metadata endpoints over the network at every start, and on
 * EKS the engine already puts what they would find (cloud.platform, the cluster ARN) in OTEL_RESOURCE_ATTRIBUTES.
 */
export function resourceDetectors(fromEnv: boolean): ResourceDetector[] {
  if (fromEnv) {
    // Required here, not imported: auto-instrumentations-node's module loads every instrumentation's code, which the
    // preload otherwise loads only for modules the app uses (lazy-instrumentations.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- bundled by esbuild, evaluated on this call only
    const upstream = require('@opentelemetry/auto-instrumentations-node') as typeof import('@opentelemetry/auto-instrumentations-node');
    return upstream.getResourceDetectors();
  }
  return [envDetector, processDetector, hostDetector, osDetector, containerDetector];
}
