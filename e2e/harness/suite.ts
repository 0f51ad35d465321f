// Per-file test bed: a control plane with the operator installed by its chart, torn down after.
import { afterAll, beforeAll } from 'vitest';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { installOperator, type InstalledOperator } from './install.js';
import type { OperatorOptions } from './operator.js';

export interface TestBed {
  controlPlane: ControlPlane;
  installed: InstalledOperator;
}

export interface TestBedOptions {
  values?: Record<string, string>;
  operator?: OperatorOptions;
  /** Runs after the control plane is up, before the operator is installed (e.g. to start a fake X-Ray). */
  before?: (controlPlane: ControlPlane) => Promise<OperatorOptions | void>;
}

/** Registers beforeAll/afterAll hooks; the returned getter is valid inside tests. */
export function useInstalledOperator(options: TestBedOptions = {}): () => TestBed {
  let bed: TestBed | undefined;
  let controlPlane: ControlPlane | undefined;
  beforeAll(async () => {
    controlPlane = await startControlPlane();
    const extra = (await options.before?.(controlPlane)) ?? {};
    const installed = await installOperator(controlPlane, { values: options.values, operator: { ...options.operator, ...extra } });
    bed = { controlPlane, installed };
  });
  afterAll(async () => {
    await bed?.installed.operator.stop();
    await controlPlane?.stop();
  });
  return () => {
    if (!bed) throw new Error('Test bed is not up (beforeAll failed)');
    return bed;
  };
}
