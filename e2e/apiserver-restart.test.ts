// Scenario 10: the API server restarts under a running operator; its watches recover and it keeps
// reconciling and injecting.
import { describe, expect, it } from 'vitest';
import { createNamespace } from './harness/kube.js';
import { useInstalledOperator } from './harness/suite.js';
import { createDeployment, createXRayTracing, deployment, isInjectedPod, waitForCondition, waitForPods, waitForWebhookToInject } from './harness/workloads.js';

describe('operator across an API server restart', () => {
  const bed = useInstalledOperator();

  it('reconciles an XRayTracing created after the restart and injects its pods', async () => {
    const { controlPlane } = bed();
    await createNamespace(controlPlane.kc, 'before');
    await createXRayTracing(controlPlane.kc, 'before', 'default', {});
    await waitForCondition(controlPlane.kc, 'before', 'default');

    await controlPlane.restartApiServer();

    await createNamespace(controlPlane.kc, 'after');
    await createXRayTracing(controlPlane.kc, 'after', 'default', {});
    const tracing = await waitForCondition(controlPlane.kc, 'after', 'default');
    expect(tracing.status?.conditions?.find((condition) => condition.type === 'Ready')?.status).toBe('True');
    await waitForWebhookToInject(controlPlane.kc, 'after');
    await createDeployment(controlPlane.kc, deployment('after', 'web', { optIn: 'template' }));
    const [pod] = await waitForPods(controlPlane.kc, 'after', 'web', 1);
    expect(isInjectedPod(pod!)).toBe(true);
  });
});
