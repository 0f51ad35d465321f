import { XRayClient, type XRayClientConfig as SdkClientConfig } from '@aws-sdk/client-xray';

export interface XRayClientConfig {
  /** Default: the SDK's chain (AWS_REGION from IRSA or Pod Identity). */
  region?: string;
  /** Override of the X-Ray API endpoint (VPC endpoint, FIPS, an emulator in tests). */
  endpoint?: string;
  /** Fixed credentials (emulators, tests). Default: the SDK's provider chain (IRSA, Pod Identity, env, profile). */
  credentials?: SdkClientConfig['credentials'];
  /** Milliseconds; default XRAY_REQUEST_TIMEOUTS. */
  timeouts?: { connectionTimeout: number; requestTimeout: number };
}

/**
 * Each X-Ray request ends: the SDK's default handler has no request timeout and a 300 s socket timeout, so an endpoint
 * that accepts and never answers would hold a reconcile (and the CR's finalizer) for minutes per call.
 */
export const XRAY_REQUEST_TIMEOUTS = Object.freeze({ connectionTimeout: 3_000, requestTimeout: 10_000 });

/**
 * An X-Ray client for SamplingRuleSync. The SDK's own retries are off: the sync retries throttling itself, so every
 * attempt is counted and the total wait is bounded in one place.
 */
export function createXRayClient(config: XRayClientConfig): XRayClient {
  return new XRayClient(awsClientSettings(config));
}

/** The settings every AWS client of the operator shares (X-Ray, CloudWatch): one attempt per send, bounded waits. */
export function awsClientSettings(config: XRayClientConfig) {
  return {
    maxAttempts: 1,
    // throwOnRequestTimeout: without it the handler only logs a warning when requestTimeout passes, and waits on.
    requestHandler: { ...(config.timeouts ?? XRAY_REQUEST_TIMEOUTS), throwOnRequestTimeout: true },
    ...(config.region ? { region: config.region } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  };
}
