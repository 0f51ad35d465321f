// Scenario 5: in a namespace that enforces the `restricted` Pod Security profile, a compliant
// opted-in pod is admitted by the API server's own PodSecurity admission after injection.
import { beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { Annotations } from '../core/src/constants.js';
import { apiRejection } from './harness/kube.js';
import { useInstalledOperator } from './harness/suite.js';
import { createDeployment, createTracedNamespace, deployment, isInjectedPod, restrictedPodSpec, waitForPods } from './harness/workloads.js';

const NAMESPACE = 'payments';

describe('injection under Pod Security restricted', () => {
  const bed = useInstalledOperator();

  beforeAll(async () => {
    const { kc } = bed().controlPlane;
    await createTracedNamespace(kc, NAMESPACE, { 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('admits and injects a compliant opted-in pod', async () => {
    const { kc } = bed().controlPlane;
    const pod = await kc.makeApiClient(CoreV1Api).createNamespacedPod({
      namespace: NAMESPACE,
      body: { metadata: { name: 'ledger', annotations: { [Annotations.injectNodejs]: 'true' } }, spec: restrictedPodSpec() },
    });
    expect(isInjectedPod(pod)).toBe(true);
  });

  it('admits and injects the pods of a compliant opted-in Deployment', async () => {
    const { kc } = bed().controlPlane;
    await createDeployment(kc, deployment(NAMESPACE, 'billing', { optIn: 'template' }));
    const [pod] = await waitForPods(kc, NAMESPACE, 'billing', 1);
    expect(isInjectedPod(pod!)).toBe(true);
  });

  it('still rejects a non-compliant pod: the enforcement is the API server\'s, not bypassed', async () => {
    const { kc } = bed().controlPlane;
    const spec = restrictedPodSpec();
    spec.containers[0]!.securityContext = { privileged: true };
    const { code, message } = await apiRejection(() => kc.makeApiClient(CoreV1Api).createNamespacedPod({
      namespace: NAMESPACE,
      body: { metadata: { name: 'root', annotations: { [Annotations.injectNodejs]: 'true' } }, spec },
    }));
    expect(code).toBe(403);
    expect(message).toContain('violates PodSecurity "restricted:latest"');
  });
});
