// Whether the API server can reach the admission webhook right now. A roll is only worth doing then: pods created
// while the webhook's Service has no ready endpoint are admitted plain (failurePolicy Ignore), and a workload rolled
// in that window would come back uninstrumented (a new leader rolls as soon as it leads, before its own pod is Ready).
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isNotFound } from './errors.js';
import { makeKubeClients } from './clients.js';

export interface WebhookReachability {
  /** true when the webhook configuration calls a URL, or its Service has a ready endpoint; false otherwise. */
  ready(): Promise<boolean>;
}

/** How long one answer is reused: rolls of many workloads at once ask once. */
const ANSWER_MAX_AGE_MS = 5_000;

export function webhookReachability(kubeConfig: KubeConfig, webhookConfigName: string, logger: Logger, now: () => number = Date.now): WebhookReachability {
  const { admission } = makeKubeClients(kubeConfig);
  let cached: { atMs: number; ready: boolean } | undefined;

  async function check(): Promise<boolean> {
    let service: { name: string; namespace: string } | undefined;
    try {
      const config = await admission.readMutatingWebhookConfiguration({ name: webhookConfigName });
      service = config.webhooks?.find((webhook) => webhook.clientConfig.service)?.clientConfig.service;
    } catch (error) {
      // No webhook configuration of ours (the controller runs without the chart's webhook): nothing to wait for.
      if (isNotFound(error)) return true;
      throw error;
    }
    if (!service) return true;
    const slices = await admission.listNamespacedEndpointSlice({ namespace: service.namespace, labelSelector: `kubernetes.io/service-name=${service.name}` });
    return slices.items.some((slice) => (slice.endpoints ?? []).some((endpoint) => endpoint.conditions?.ready !== false));
  }

  return {
    async ready() {
      if (cached && now() - cached.atMs < ANSWER_MAX_AGE_MS) return cached.ready;
      let ready: boolean;
      try {
        ready = await check();
      } catch (error) {
        logger.warn({ operation: 'webhook-reachability', err: error }, 'Failed to check whether the webhook is reachable; rolls wait');
        ready = false;
      }
      cached = { atMs: now(), ready };
      return ready;
    },
  };
}
