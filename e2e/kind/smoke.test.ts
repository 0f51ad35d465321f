// Runs only under E2E_CLUSTER=kind (e2e/kind/run.sh): the chart installed with real images on a kind cluster, and an
// annotated Deployment whose pods really start — init container copy, native sidecar, preload loaded by Node.js.
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Annotations, InjectedNames } from '../../core/src/constants.js';
import { createNamespace, waitFor } from '../harness/kube.js';
import { createDeployment, createXRayTracing, deployment, restrictedPodSpec } from '../harness/workloads.js';

const onKind = process.env.E2E_CLUSTER === 'kind';
const NAMESPACE = 'kind-smoke';

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

function appPodSpec() {
  const spec = restrictedPodSpec();
  spec.containers[0] = {
    ...spec.containers[0]!,
    image: 'node:22-alpine',
    command: ['node', '-e', "require('http').createServer((q, s) => s.end('ok')).listen(3000)"],
  };
  return spec;
}

describe.skipIf(!onKind)('kind cluster smoke test', () => {
  it('starts an annotated Deployment with the preload loaded and the collector sidecar running', async () => {
    const kc = kubeConfig();
    await createNamespace(kc, NAMESPACE, { 'pod-security.kubernetes.io/enforce': 'restricted' });
    await createXRayTracing(kc, NAMESPACE, 'default', { sampling: { mode: 'local', fixedRate: 1 }, collector: { region: 'us-east-1', debug: true } });
    await createDeployment(kc, deployment(NAMESPACE, 'web', { podSpec: appPodSpec() }));
    const core = kc.makeApiClient(CoreV1Api);
    const pod = await waitFor<V1Pod>(
      'a Running, injected pod of web',
      async () => (await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'app=web' })).items.find((p) => p.status?.phase === 'Running'),
      { timeoutMs: 300_000 },
    );
    expect(pod.metadata?.annotations?.[Annotations.injected]).toMatch(/^default\//);
    const statuses = pod.status?.initContainerStatuses ?? [];
    expect(statuses.find((s) => s.name === InjectedNames.initContainer)?.state?.terminated?.exitCode).toBe(0);
    expect(statuses.find((s) => s.name === InjectedNames.sidecarContainer)?.started).toBe(true);
    const log = await waitFor('the preload startup line', async () => {
      const text = await core.readNamespacedPodLog({ namespace: NAMESPACE, name: pod.metadata!.name!, container: 'app' });
      return text.includes('Tracing started') ? text : undefined;
    });
    expect(log).toContain('namespace=kind-smoke');
  });
});
