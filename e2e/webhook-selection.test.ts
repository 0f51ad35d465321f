// Issue 10 item 15: the controller leaves alone workloads the webhook never sees. The chart's excludedNamespaces and
// objectSelector reach the operator as flags (the harness runs it with the chart Deployment's args); a workload-level
// opt-in is copied into the pod template (a rollout) only where the webhook would then inject the new pods.
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '../core/src/constants.js';
import { createNamespace, waitFor } from './harness/kube.js';
import { useInstalledOperator } from './harness/suite.js';
import { createDeployment, createTracedNamespace, createXRayTracing, deployment, readDeployment } from './harness/workloads.js';

const SKIP_LABEL = 'xray-operator.dev/skip';

describe('the controller and the webhook\'s selectors', () => {
  const bed = useInstalledOperator({
    values: { 'webhook.excludedNamespaces': '{monitoring}', 'webhook.objectSelector.matchExpressions[0].key': SKIP_LABEL, 'webhook.objectSelector.matchExpressions[0].operator': 'DoesNotExist' },
  });

  beforeAll(async () => {
    const { kc } = bed().controlPlane;
    await createTracedNamespace(kc, 'shop');
    await createNamespace(kc, 'monitoring');
    await createXRayTracing(kc, 'monitoring', 'default', {});
  });

  const templateOptIn = async (namespace: string, name: string): Promise<string | undefined> =>
    (await readDeployment(bed().controlPlane.kc, namespace, name)).spec?.template.metadata?.annotations?.[Annotations.injectNodejs];

  it('leaves alone opted-in workloads in an excluded namespace or outside the objectSelector, and rolls the others', async () => {
    const { kc } = bed().controlPlane;
    const skipped = deployment('shop', 'skipped', { optIn: 'workload' });
    skipped.spec!.template.metadata!.labels![SKIP_LABEL] = 'true';
    await createDeployment(kc, skipped);
    await createDeployment(kc, deployment('monitoring', 'exporter', { optIn: 'workload' }));
    await createDeployment(kc, deployment('shop', 'checkout', { optIn: 'workload' }));
    // The served one is rolled: the controller is running and got to all three.
    await waitFor('the opt-in copied into shop/checkout', async () => (await templateOptIn('shop', 'checkout')) === 'true');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await templateOptIn('shop', 'skipped')).toBeUndefined();
    expect(await templateOptIn('monitoring', 'exporter')).toBeUndefined();
  });
});
