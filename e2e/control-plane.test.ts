// The test bed itself: a real API server and controller manager turn a Deployment into Pods,
// enforce RBAC on a ServiceAccount's token, and come back after an API server restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, type V1Deployment } from '@kubernetes/client-node';
import { adminGet, startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { apiRejection, createNamespace, serviceAccountKubeconfig, waitFor } from './harness/kube.js';

function deployment(namespace: string, name: string): V1Deployment {
  return {
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'example.invalid/app:1', command: ['node', 'server.js'] }] },
      },
    },
  };
}

async function podsOf(controlPlane: ControlPlane, namespace: string, app: string): Promise<number> {
  const pods = await controlPlane.kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: `app=${app}` });
  return pods.items.length;
}

describe('e2e control plane', () => {
  let controlPlane: ControlPlane;

  beforeAll(async () => {
    controlPlane = await startControlPlane();
  });

  afterAll(async () => {
    await controlPlane?.stop();
  });

  it('reports the Kubernetes version it was built as, which helm checks charts against', async () => {
    const answer = await adminGet(controlPlane.server, controlPlane.pki, '/version');
    expect(JSON.parse(answer.body)).toMatchObject({ major: '1', minor: '34', gitVersion: expect.stringMatching(/^v1\.34\.\d+$/) });
  });

  it('turns a Deployment into a ReplicaSet and Pods through the controller manager', async () => {
    await createNamespace(controlPlane.kc, 'smoke');
    await controlPlane.kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'smoke', body: deployment('smoke', 'web') });
    expect(await waitFor('two pods of web', async () => (await podsOf(controlPlane, 'smoke', 'web')) === 2)).toBe(true);
  });

  it('denies a ServiceAccount without RBAC grants and authenticates its TokenRequest token', async () => {
    const core = controlPlane.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace: 'smoke', body: { metadata: { name: 'nobody' } } });
    const { kc } = await serviceAccountKubeconfig(controlPlane, 'smoke', 'nobody');
    const { code, message } = await apiRejection(() => kc.makeApiClient(CoreV1Api).listSecretForAllNamespaces());
    expect(code).toBe(403);
    expect(message).toContain('system:serviceaccount:smoke:nobody');
  });

  it('serves again after an API server restart, and the controller manager keeps working', async () => {
    await controlPlane.restartApiServer();
    await controlPlane.kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'smoke', body: deployment('smoke', 'after-restart') });
    expect(await waitFor('two pods of after-restart', async () => (await podsOf(controlPlane, 'smoke', 'after-restart')) === 2)).toBe(true);
  });
});
