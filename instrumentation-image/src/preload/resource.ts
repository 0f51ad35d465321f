// Resources: a synchronous one for the sampler (it needs service.name, cloud.platform and k8s.namespace.name at
// construction) and the detectors the SDK merges into the exported resource.
import { diag } from '@opentelemetry/api';
import { containerDetector } from '@opentelemetry/resource-detector-container';
import {
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  serviceInstanceIdDetector,
  type Resource,
  type ResourceDetector,
} from '@opentelemetry/resources';
import type { LoadOptional } from './optional-modules.js';
import {
  alibabaCloudEcsDetector,
  azureAppServiceDetector,
  azureFunctionsDetector,
  azureVmDetector,
  gcpDetector,
} from '../stubs/not-bundled.js';

/** OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read synchronously. */
export function envResource(): Resource {
  return detectResources({ detectors: [envDetector] });
}

/**
 * Upstream's detectors by OTEL_NODE_RESOURCE_DETECTORS name, in upstream's order (auto-instrumentations-node's
 * getResourceDetectors, which is not imported: its module loads every instrumentation's code). The AWS ones come
 * from an optional chunk, loaded only when asked for.
 */
const DETECTORS: ReadonlyMap<string, (load: LoadOptional) => readonly ResourceDetector[]> = new Map([
  ['container', () => [containerDetector]],
  ['host', () => [hostDetector]],
  ['os', () => [osDetector]],
  ['serviceinstance', () => [serviceInstanceIdDetector]],
  ['process', () => [processDetector]],
  ['alibaba', () => [alibabaCloudEcsDetector]],
  ['gcp', () => [gcpDetector]],
  ['aws', (load: LoadOptional) => {
    const aws = load('@opentelemetry/resource-detector-aws');
    return [aws.awsEc2Detector, aws.awsEcsDetector, aws.awsEksDetector, aws.awsBeanstalkDetector, aws.awsLambdaDetector];
  }],
  ['azure', () => [azureAppServiceDetector, azureFunctionsDetector, azureVmDetector]],
  ['env', () => [envDetector]],
]);

/**
 * OTEL_NODE_RESOURCE_DETECTORS when the user sets it (upstream's names and rules, e.g. `env,host,aws`, `all`, `none`).
 * Otherwise only detectors that read local state: the cloud ones probe metadata endpoints over the network at every
 * start, and on EKS the engine already puts what they would find (cloud.platform, the cluster ARN) in
 * OTEL_RESOURCE_ATTRIBUTES.
 */
export function resourceDetectors(fromEnv: readonly string[] | undefined, load: LoadOptional): ResourceDetector[] {
  if (fromEnv === undefined) return [envDetector, processDetector, hostDetector, osDetector, containerDetector];
  if (fromEnv.includes('all')) return [...DETECTORS.values()].flatMap((detectors) => detectors(load));
  if (fromEnv.includes('none')) return [];
  return fromEnv.flatMap((name) => {
    const detectors = DETECTORS.get(name);
    if (!detectors) diag.error(`Invalid resource detector "${name}" specified in the environment variable OTEL_NODE_RESOURCE_DETECTORS`);
    return detectors?.(load) ?? [];
  });
}
