import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { awsClientSettings, type XRayClientConfig } from '../xray/client.js';

/** Region, endpoint override, credentials and timeouts: the same as the X-Ray client's, and the same policy. */
export type CloudWatchClientConfig = XRayClientConfig;

/** A CloudWatch client for the groups' fault alarms: one attempt per send (the sync retries itself), bounded waits. */
export function createCloudWatchClient(config: CloudWatchClientConfig): CloudWatchClient {
  return new CloudWatchClient(awsClientSettings(config));
}
