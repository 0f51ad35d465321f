import { XRayClient, type XRayClientConfig as SdkClientConfig } from '@aws-sdk/client-xray';

export interface XRayClientConfig {
  region: string;
  /** Override of the X-Ray API endpoint (VPC endpoint, FIPS, an emulator in tests). */
  endpoint?: string;
  /** Fixed credentials (emulators, tests). Default: the SDK's provider chain (IRSA, Pod Identity, env, profile). */
  credentials?: SdkClientConfig['credentials'];
}

/**
 * An X-Ray client for SamplingRuleSync. The SDK's own retries are off: the sync retries throttling itself, so every
 * attempt is counted and the total wait is bounded in one place.
 */
export function createXRayClient(config: XRayClientConfig): XRayClient {
  return new XRayClient({
    region: config.region,
    maxAttempts: 1,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  });
}
