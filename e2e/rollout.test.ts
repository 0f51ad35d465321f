// Scenarios 4 and 6: the controller rolls workloads so that running pods match the opt-in.
// 4: the opt-in annotation on the Deployment itself is carried into its pod template, and the new
//    pods are injected. 6: with the webhook down, pods are still created (fail-open) but plain;
//    once it is back, the controller rolls those workloads, once.
import { AppsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '../core/src/constants.js';
import { waitFor } from './harness/kube.js';
import { useInstalledOperator } from './harness/suite.js';
import {
  annotateDeployment, createDeployment, createTracedNamespace, deployment, isInjectedPod, readDeployment, waitForPods,
} from './harness/workloads.js';

const NAMESPACE = 'shop';

describe('workload rollouts by the controller', () => {
  const bed = useInstalledOperator();

  beforeAll(async () => {
    const { kc } = bed().controlPlane;
    await createTracedNamespace(kc, NAMESPACE);
  });

  it('carries the opt-in from the Deployment into its pod template and rolls it to injected pods', async () => {
    const { kc } = bed().controlPlane;
    await createDeployment(kc, deployment(NAMESPACE, 'cart', { optIn: 'none', replicas: 2 }));
    const before = await waitForPods(kc, NAMESPACE, 'cart', 2);
    expect(before.some(isInjectedPod)).toBe(false);
    await annotateDeployment(kc, NAMESPACE, 'cart', { [Annotations.injectNodejs]: 'true' });
    const after = await waitForPods(kc, NAMESPACE, 'cart', 2, isInjectedPod);
    expect(after.map((pod) => pod.metadata?.name)).not.toEqual(expect.arrayContaining(before.map((pod) => pod.metadata?.name)));
    const template = (await readDeployment(kc, NAMESPACE, 'cart')).spec?.template.metadata?.annotations;
    expect(template).toMatchObject({ [Annotations.injectNodejs]: 'true', [Annotations.propagatedFromWorkload]: 'true' });
  });

  it('lets pods through uninstrumented while the webhook is down, then rolls them once it is back', async () => {
    const { controlPlane: { kc }, installed: { operator } } = bed();
    await operator.stop();
    await createDeployment(kc, deployment(NAMESPACE, 'orders', { optIn: 'template' }));
    const [missed] = await waitForPods(kc, NAMESPACE, 'orders', 1);
    expect(isInjectedPod(missed!)).toBe(false);

    await operator.start();
    const [rolled] = await waitForPods(kc, NAMESPACE, 'orders', 1, isInjectedPod);
    expect(rolled!.metadata?.name).not.toBe(missed!.metadata?.name);
    const rolledOut = await readDeployment(kc, NAMESPACE, 'orders');
    expect(rolledOut.spec?.template.metadata?.annotations?.[Annotations.restartReason]).toBeDefined();

    // Once: the injected pods satisfy the controller, so the template is not touched again. Not told by the
    // generation: a Deployment's generation also moves with its annotations, which the controller keeps writing
    // (its roll record, the tracing-state record). Every template change makes a ReplicaSet, which keeps the roll's
    // stamp: one created with the Deployment, one for the roll.
    const stamp = rolledOut.spec?.template.metadata?.annotations?.[Annotations.restartedAt];
    await waitFor('the roll record to settle', async () => (await readDeployment(kc, NAMESPACE, 'orders')).metadata?.annotations?.[Annotations.missedInjectionRolledAt] === undefined);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await readDeployment(kc, NAMESPACE, 'orders')).spec?.template.metadata?.annotations?.[Annotations.restartedAt]).toBe(stamp);
    expect(await rollHistory(kc, NAMESPACE, 'orders')).toEqual(['(created)', expect.stringContaining(`${stamp} 1 opted-in pod was admitted without injection`)]);
  });
});

/** Each ReplicaSet's template keeps the stamp and reason of the roll that made it: the controller's roll history. */
async function rollHistory(kc: KubeConfig, namespace: string, app: string): Promise<string[]> {
  const { items } = await kc.makeApiClient(AppsV1Api).listNamespacedReplicaSet({ namespace, labelSelector: `app=${app}` });
  return items
    .map((set) => set.spec?.template?.metadata?.annotations ?? {})
    .map((annotations) => `${annotations[Annotations.restartedAt] ?? '(created)'} ${annotations[Annotations.restartReason] ?? ''}`.trim())
    .sort();
}
