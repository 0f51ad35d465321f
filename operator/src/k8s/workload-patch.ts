// A JSON merge patch of a Deployment, StatefulSet or DaemonSet, by kind.
import type { KubeClients } from './clients.js';
import type { WorkloadKind } from './caches.js';
import { mergePatch } from './patch.js';

export async function mergePatchWorkload(clients: KubeClients, kind: WorkloadKind, name: string, namespace: string, body: object): Promise<void> {
  const params = { name, namespace, body };
  if (kind === 'Deployment') await clients.apps.patchNamespacedDeployment(params, mergePatch);
  else if (kind === 'StatefulSet') await clients.apps.patchNamespacedStatefulSet(params, mergePatch);
  else await clients.apps.patchNamespacedDaemonSet(params, mergePatch);
}
