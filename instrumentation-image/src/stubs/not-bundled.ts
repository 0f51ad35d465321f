// Stand-ins for the resource detectors upstream has but the preload leaves out of its bundles: GCP, Azure and
// Alibaba Cloud (they bring HTTP clients, polyfills and metadata probes; pods here run on EKS).
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
