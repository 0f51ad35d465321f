// The JSON Patch that points every webhook of our configuration at the current CA bundle. Each replace is guarded
// by a `test` of the webhook's name, so a concurrent reorder (helm upgrade) fails the patch instead of
// writing the bundle into the wrong webhook.
import type { V1MutatingWebhookConfiguration } from '@kubernetes/client-node';

export type JsonPatchOperation =
  | { op: 'test'; path: string; value: unknown }
  | { op: 'add'; path: string; value: unknown };

/** Empty when every webhook already carries `caBundleBase64`. */
export function caBundlePatch(config: V1MutatingWebhookConfiguration, caBundleBase64: string): JsonPatchOperation[] {
  const operations: JsonPatchOperation[] = [];
  (config.webhooks ?? []).forEach((webhook, index) => {
    if (webhook.clientConfig.caBundle === caBundleBase64) return;
    operations.push(
      { op: 'test', path: `/webhooks/${index}/name`, value: webhook.name },
      // `add` sets the member whether or not it exists (RFC 6902 §4.1).
      { op: 'add', path: `/webhooks/${index}/clientConfig/caBundle`, value: caBundleBase64 },
    );
  });
  return operations;
}
