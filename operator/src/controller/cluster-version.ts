// Whether the cluster runs native sidecars decides the shape of every injected pod, and it is part of the config hash:
// a replica that guessed wrong (one 429 at start) would admit pods with regular sidecars and, once leader, roll every
// injected workload to its own hash. So the answer is waited for, with backoff, before admitting or reconciling.
import type { Logger } from 'pino';
import type { KubeClients } from '../k8s/clients.js';
import { supportsNativeSidecars } from '../../../core/src/cluster-view/kubernetes-version.js';
import { backoffDelayMs, type BackoffPolicy } from '../runtime/backoff.js';

export const VERSION_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 500, maxMs: 30_000, jitter: 0.2 });

export interface VersionCheckDeps {
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  policy?: BackoffPolicy;
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks the API server its version until it answers. */
export async function detectNativeSidecars(clients: Pick<KubeClients, 'version'>, deps: VersionCheckDeps): Promise<boolean> {
  const sleep = deps.sleep ?? sleepFor;
  for (let failures = 1; ; failures++) {
    try {
      return supportsNativeSidecars(await clients.version.getCode());
    } catch (error) {
      const retryInMs = backoffDelayMs(failures, deps.policy ?? VERSION_BACKOFF);
      deps.logger.warn(
        { operation: 'version', err: error, failures, retryInMs },
        'Failed to read the Kubernetes version; admission and reconciling wait for it',
      );
      await sleep(retryInMs);
    }
  }
}
