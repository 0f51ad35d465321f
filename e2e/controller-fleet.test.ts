// "Which of my pods are instrumented, and why not the others": the XRayTracing's status and `kubectl get xrt -o wide`
// on a real API server, from pods as the webhook leaves them (injected with the current or an earlier config,
// skipped with a reason, or admitted without any record).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { Annotations } from '../core/src/constants.js';
import type { RunningController } from '../operator/src/controller/start.js';
import type { ControlPlane } from './harness/control-plane.js';
import { applyObjects, createNamespace, waitFor } from './harness/kube.js';
import { cliTools, runWithKubeconfig } from './harness/tools.js';
import { readTracing, startControllerBed, startInProcessController, tracing, waitForCondition, type ControllerBed } from './controller-support.js';

const NAMESPACE = 'fleet';

function podOf(workload: string, index: number, annotations: Record<string, string>): V1Pod {
  return {
    metadata: {
      name: `${workload}-${index}`,
      labels: { app: workload },
      annotations: { [Annotations.injectNodejs]: 'true', ...annotations },
    },
    spec: { containers: [{ name: 'app', image: 'app' }] },
  };
}

describe('controller e2e: the fleet in status', () => {
  let bed: ControllerBed;
  let controlPlane: ControlPlane;
  let controller: RunningController | undefined;
  let registry: Registry;

  beforeAll(async () => {
    bed = await startControllerBed();
    controlPlane = bed.controlPlane;
    ({ controller, registry } = await startInProcessController(controlPlane, bed.fakeXRay, 'controller-fleet.log'));
    await waitFor('the controller to lead', () => Promise.resolve(controller?.isLeader()));
  });

  afterAll(async () => {
    await controller?.stop();
    await bed?.stop();
  });

  it('counts pods by state and skip reason, lists the workloads needing attention first, and shows it in kubectl get -o wide', async () => {
    await createNamespace(controlPlane.kc, NAMESPACE);
    await applyObjects(controlPlane.kc, [tracing(NAMESPACE, 'default', {})]);
    const ready = await waitForCondition(controlPlane.kc, NAMESPACE, 'default', 'Ready', 'True');
    const hash = ready.status?.configHash ?? '';
    const core = controlPlane.kc.makeApiClient(CoreV1Api);
    const pods = [
      podOf('checkout', 1, { [Annotations.injected]: `default/${hash}` }),
      podOf('checkout', 2, { [Annotations.injected]: `default/${hash}` }),
      podOf('cart', 1, { [Annotations.injected]: 'default/0000000000000000' }),
      podOf('legacy', 1, { [Annotations.injectionSkipped]: 'WindowsPod' }),
      podOf('late', 1, {}),
    ];
    for (const body of pods) await core.createNamespacedPod({ namespace: NAMESPACE, body });

    const counted = await waitFor('the pods to be counted', async () => {
      const current = await readTracing(controlPlane.kc, NAMESPACE, 'default');
      return current?.status?.fleet?.pods.selected === 5 && current;
    });
    expect(counted.status?.fleet?.pods).toEqual({ selected: 5, current: 2, outdated: 1, skipped: 1, uninjected: 1 });
    expect(counted.status?.fleet?.skippedReasons).toEqual({ WindowsPod: 1 });
    expect(counted.status?.pods).toBe('2/5');
    expect(counted.status?.fleet?.workloadList?.map((w) => `${w.name}:${w.state}`)).toEqual(['late-1:uninjected', 'legacy-1:skipped', 'cart-1:outdated', 'checkout-1:current', 'checkout-2:current']);

    const gauge = await registry.getSingleMetric('xray_operator_pods')!.get();
    const byState = Object.fromEntries(gauge.values.filter((v) => v.labels.namespace === NAMESPACE).map((v) => [v.labels.state, v.value]));
    expect(byState).toEqual({ current: 2, outdated: 1, skipped: 1, uninjected: 1 });

    const { stdout } = await runWithKubeconfig(cliTools().kubectl, ['get', 'xrt', '-n', NAMESPACE, '-o', 'wide'], controlPlane.kubeconfigPath);
    console.log(`kubectl get xrt -n ${NAMESPACE} -o wide\n${stdout}`);
    const [header = '', row = ''] = stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'READY', 'SAMPLING', 'INJECTED', 'PODS', 'OUTDATED', 'SKIPPED', 'UNINJECTED', 'QUEUED', 'ROLLEDBACK', 'EXPORT', 'AGE']);
    // Injected counts workloads running pods with this XRayTracing's injection, current or not (checkout, cart-1… are
    // bare pods here, each its own workload): 3.
    expect(row).toMatch(/^default\s+True\s+centralized \(1 rule\)\s+3\s+2\/5\s+1\s+1\s+1\s+0\s+0\s+xray\s/);
  });
});
