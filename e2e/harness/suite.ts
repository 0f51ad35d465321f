// Per-file test bed: a control plane, a fake X-Ray API, and the operator installed by its chart
// and pointed at that fake; torn down after the file.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { FakeXRay, type FakeXRayOptions } from '../../operator/src/test-support/fake-xray.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { installOperator, type InstalledOperator } from './install.js';
import type { OperatorOptions } from './operator.js';
import { E2E_REGION } from './region.js';

export { E2E_REGION };

export interface TestBed {
  controlPlane: ControlPlane;
  installed: InstalledOperator;
  fakeXRay: FakeXRay;
}

export interface TestBedOptions {
  values?: Record<string, string>;
  operator?: OperatorOptions;
  /** Options of the fake X-Ray, made after the control plane is up (e.g. a moto trace backend). */
  fakeXRay?: () => Promise<FakeXRayOptions>;
}

/** Registers beforeAll/afterAll hooks; the returned getter is valid inside tests. */
export function useInstalledOperator(options: TestBedOptions = {}): () => TestBed {
  let bed: TestBed | undefined;
  let controlPlane: ControlPlane | undefined;
  let fakeXRay: FakeXRay | undefined;
  beforeAll(async () => {
    controlPlane = await startControlPlane();
    fakeXRay = await FakeXRay.start({ region: E2E_REGION, ...(await options.fakeXRay?.()) });
    const installed = await installOperator(controlPlane, {
      values: options.values,
      operator: { xrayEndpoint: fakeXRay.endpoint, region: E2E_REGION, ...options.operator },
    });
    bed = { controlPlane, installed, fakeXRay };
  });
  afterEach((context) => {
    // What the operator and the API server said is the first thing to read when a scenario fails.
    if (context.task.result?.state !== 'fail' || !bed) return;
    console.error(`xray-operator log tail:\n${bed.installed.operator.process.tail(60)}`);
  });
  afterAll(async () => {
    await bed?.installed.operator.stop();
    await fakeXRay?.close();
    await controlPlane?.stop();
  });
  return () => {
    if (!bed) throw new Error('Test bed is not up (beforeAll failed)');
    return bed;
  };
}
