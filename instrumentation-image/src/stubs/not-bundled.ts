// Stands in for packages auto-instrumentations-node imports but the preload leaves out of its bundles: the GCP,
// Azure and Alibaba Cloud resource detectors (they bring HTTP clients, polyfills and metadata probes; pods here run
// on EKS) and the host-metrics instrumentation (metrics only; always off in the preload).
import { diag } from '@opentelemetry/api';

function notBundledDetector(name: string): { detect(): { attributes: Record<string, never> } } {
  return {
    detect() {
      diag.warn(`Resource detector "${name}" is not included in the xray-operator preload; it detects nothing`);
      return { attributes: {} };
    },
  };
}

export const gcpDetector = notBundledDetector('gcp');
export const alibabaCloudEcsDetector = notBundledDetector('alibaba');
export const azureAppServiceDetector = notBundledDetector('azure');
export const azureFunctionsDetector = notBundledDetector('azure');
export const azureVmDetector = notBundledDetector('azure');

export class HostMetricsInstrumentation {
  constructor() {
    throw new Error('The host-metrics instrumentation is not included in the xray-operator preload');
  }
}
