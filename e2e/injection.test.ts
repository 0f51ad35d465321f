// Scenario 3: a Deployment whose pod template opts in gets injected Pods through the real chain
// Deployment → ReplicaSet → Pod → webhook; a pod that does not opt in is stored unchanged.
import { beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { Annotations, COLLECTOR_CONFIG_ENV, Env, InjectedNames, NODE_OPTIONS_PRELOAD } from '../core/src/constants.js';
import { useInstalledOperator } from './harness/suite.js';
import {
  createDeployment, createTracedNamespace, deployment, isInjectedPod, restrictedPodSpec, waitForPods,
} from './harness/workloads.js';

const NAMESPACE = 'shop';

function appContainer(pod: V1Pod) {
  return pod.spec!.containers.find((container) => container.name === 'app')!;
}

describe('pod injection through a Deployment', () => {
  const bed = useInstalledOperator();

  beforeAll(async () => {
    const { kc } = bed().controlPlane;
    await createTracedNamespace(kc, NAMESPACE);
  });

  it('stores the pods of an opted-in pod template with the preload, its env and the collector sidecar', async () => {
    const { kc } = bed().controlPlane;
    await createDeployment(kc, deployment(NAMESPACE, 'checkout', { optIn: 'template', replicas: 2 }));
    const pods = await waitForPods(kc, NAMESPACE, 'checkout', 2);
    for (const pod of pods) {
      expect(isInjectedPod(pod)).toBe(true);
      expect(pod.metadata?.annotations?.[Annotations.injected]).toMatch(/^default\//);
      const init = pod.spec!.initContainers!.find((container) => container.name === InjectedNames.initContainer)!;
      expect(init.volumeMounts).toContainEqual(expect.objectContaining({ name: InjectedNames.volume, mountPath: InjectedNames.mountPath }));
      const env = new Map((appContainer(pod).env ?? []).map((variable) => [variable.name, variable]));
      expect(env.get(Env.nodeOptions)?.value).toContain(NODE_OPTIONS_PRELOAD);
      expect(env.get(Env.serviceName)?.value).toBe('checkout');
      expect(appContainer(pod).volumeMounts).toContainEqual(expect.objectContaining({ name: InjectedNames.volume }));
      const sidecar = [...pod.spec!.initContainers!, ...pod.spec!.containers].find((container) => container.name === InjectedNames.sidecarContainer);
      expect(sidecar?.env?.find((variable) => variable.name === COLLECTOR_CONFIG_ENV)?.value).toContain('awsxray');
    }
  });

  it('keeps the ServiceAccount token volume the API server added next to the injected volume', async () => {
    const { kc } = bed().controlPlane;
    const [pod] = await waitForPods(kc, NAMESPACE, 'checkout', 2);
    const volumes = pod!.spec!.volumes!.map((volume) => volume.name);
    expect(volumes).toContain(InjectedNames.volume);
    expect(volumes.some((name) => name.startsWith('kube-api-access-'))).toBe(true);
  });

  it('stores a pod that does not opt in exactly as submitted', async () => {
    const { kc } = bed().controlPlane;
    await createDeployment(kc, deployment(NAMESPACE, 'inventory', { optIn: 'none' }));
    const [pod] = await waitForPods(kc, NAMESPACE, 'inventory', 1);
    expect(isInjectedPod(pod!)).toBe(false);
    expect(pod!.spec!.initContainers ?? []).toEqual([]);
    expect(pod!.spec!.containers.map((container) => container.name)).toEqual(['app']);
    expect(appContainer(pod!).env ?? []).toEqual([]);
  });

  it('stores a directly created opted-in pod injected too', async () => {
    const { kc } = bed().controlPlane;
    const pod = await kc.makeApiClient(CoreV1Api).createNamespacedPod({
      namespace: NAMESPACE,
      body: { metadata: { name: 'direct', labels: { app: 'direct' }, annotations: { [Annotations.injectNodejs]: 'true' } }, spec: restrictedPodSpec() },
    });
    expect(isInjectedPod(pod)).toBe(true);
  });
});
