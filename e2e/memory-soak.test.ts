// Memory that must not grow with churn: thousands of XRayTracing and ConfigMap create/delete cycles through a real
// API server, with the controller reconciling and the webhook answering a pod for each XRayTracing, as `run` wires
// them (one shared, validated config per XRayTracing). Heap is compared after forced GCs, before and after the soak.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, Annotations, XRAY_TRACING_PLURAL } from '../core/src/constants.js';
import type { ResolvedSpec, XRayTracing, XRayTracingSpec } from '../core/src/api/types.js';
import type { RunningController } from '../operator/src/controller/start.js';
import { cachedAnswerer } from '../webhook/src/pod-answers.js';
import type { ControlPlane } from './harness/control-plane.js';
import { createNamespace, waitFor } from './harness/kube.js';
import { startControllerBed, startLeadingController, type ControllerBed } from './controller-support.js';

const CYCLES = 1400;
const WARMUP_CYCLES = 400;
/**
 * What 1,000 cycles after the warm-up may leave behind (measured here: 3.3 MiB, part of it the requeue timers of the
 * last minute's deleted objects). A config kept per deleted XRayTracing, as the webhook once did, costs ~0.14 MiB per
 * cycle of this spec: 140 MiB.
 */
const MAX_GROWTH_MIB = 10;
const NAMESPACE = 'soak';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A large spec: what made each forgotten config expensive. */
function bigSpec(i: number): XRayTracingSpec {
  const resourceAttributes = Object.fromEntries(Array.from({ length: 30 }, (_, k) => [`team.attribute.${k}`, `value-${i}-${'x'.repeat(200)}`]));
  // Local sampling: the soak is about the operator's memory, not X-Ray rule quotas.
  return {
    resourceAttributes,
    collector: { indexedAttributes: Array.from({ length: 40 }, (_, k) => `indexed.${k}.${'a'.repeat(100)}`) },
    sampling: { mode: 'local', fixedRate: 0.1 },
    instrumentation: { env: [{ name: 'OTEL_LOG_LEVEL', value: 'info' }] },
    rollout: { restartOnChange: false },
  };
}

function heapMiB(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

describe('memory under churn', () => {
  let bed: ControllerBed;
  let controlPlane: ControlPlane;
  let controller: RunningController | undefined;

  beforeAll(async () => {
    bed = await startControllerBed();
    controlPlane = bed.controlPlane;
    controller = await startLeadingController(controlPlane, bed.fakeXRay, 'controller-soak.log');
    await createNamespace(controlPlane.kc, NAMESPACE);
  });

  afterAll(async () => {
    await controller?.stop();
    await bed?.stop();
  });

  it(`stays within ${MAX_GROWTH_MIB} MiB of heap over ${CYCLES} XRayTracing and ConfigMap create/delete cycles`, { timeout: 30 * 60_000 }, async () => {
    const running = controller!;
    const configs = running.configs;
    const resolve = (tracing: XRayTracing): ResolvedSpec => {
      const config = configs.of(tracing);
      if (!config.ok) throw new Error('invalid');
      return config.spec;
    };
    const answer = cachedAnswerer({ view: running.view, resolve });
    const core = controlPlane.kc.makeApiClient(CoreV1Api);
    const custom = controlPlane.kc.makeApiClient(CustomObjectsApi);
    const crd = { group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL, namespace: NAMESPACE };
    const bigData = Object.fromEntries(Array.from({ length: 25 }, (_, k) => [`key-${k}`, 'v'.repeat(4000)]));

    async function cycle(i: number): Promise<void> {
      const name = `t-${i}`;
      await custom.createNamespacedCustomObject({ ...crd, body: { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: 'XRayTracing', metadata: { name }, spec: bigSpec(i) } });
      await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: `cm-${i}` }, data: { ...bigData, NODE_OPTIONS: `--max-old-space-size=${i}` } } });
      await waitFor(`${name} in the cache`, () => Promise.resolve(running.view.listXRayTracings(NAMESPACE).some((t) => t.metadata.name === name)), { timeoutMs: 30_000, intervalMs: 5 });
      const pod = { metadata: { annotations: { [Annotations.injectNodejs]: name } }, spec: { containers: [{ name: 'app', image: 'app', envFrom: [{ configMapRef: { name: `cm-${i}` } }] }] } };
      const outcome = answer(pod, NAMESPACE).outcome;
      if (outcome !== 'injected') throw new Error(`cycle ${i}: the pod was not injected (${outcome})`);
      await custom.deleteNamespacedCustomObject({ ...crd, name });
      await core.deleteNamespacedConfigMap({ namespace: NAMESPACE, name: `cm-${i}` });
    }

    for (let i = 0; i < WARMUP_CYCLES; i++) await cycle(i);
    await waitFor('the warm-up XRayTracings to be finalized', () => Promise.resolve(running.view.listXRayTracings(NAMESPACE).length === 0), { timeoutMs: 120_000 });
    const before = heapMiB();
    const middle = Math.floor((WARMUP_CYCLES + CYCLES) / 2);
    for (let i = WARMUP_CYCLES; i < middle; i++) await cycle(i);
    await waitFor('the XRayTracings so far to be finalized', () => Promise.resolve(running.view.listXRayTracings(NAMESPACE).length === 0), { timeoutMs: 120_000 });
    const halfway = heapMiB();
    for (let i = middle; i < CYCLES; i++) await cycle(i);
    await waitFor('every XRayTracing to be finalized', () => Promise.resolve(running.view.listXRayTracings(NAMESPACE).length === 0), { timeoutMs: 300_000 });
    const after = heapMiB();
    console.log(`memory soak: heap ${before.toFixed(1)} MiB after ${WARMUP_CYCLES} warm-up cycles, ${halfway.toFixed(1)} MiB after ${middle}, ${after.toFixed(1)} MiB after ${CYCLES} (growth ${(after - before).toFixed(1)} MiB)`);
    expect(after - before).toBeLessThan(MAX_GROWTH_MIB);
  });
});
