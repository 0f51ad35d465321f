// The controller when things break: the API server restarts under its watches, the X-Ray API is unreachable while
// an XRayTracing is deleted, and the leader goes away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, FINALIZER, RuleTags, XRAY_TRACING_PLURAL } from '../core/src/constants.js';
import type { RunningController } from '../operator/src/controller/start.js';
import { FakeXRay } from '../operator/src/test-support/fake-xray.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { applyObjects, createNamespace, waitFor } from './harness/kube.js';
import {
  E2E_REGION, LEASE_NAME, OPERATOR_NAMESPACE, eventsFor, installCrd, readTracing, startInProcessController, switchableForwarder, tracing, waitForCondition,
  type SwitchableForwarder,
} from './controller-support.js';

/** Short, so the drift test sees a periodic resync without waiting minutes. */
const DRIFT_RESYNC_MS = 3_000;

describe('controller e2e: recovery', () => {
  let controlPlane: ControlPlane;
  let fakeXRay: FakeXRay;
  let xray: SwitchableForwarder;
  let first: RunningController | undefined;
  let second: RunningController | undefined;
  const ownedRules = (namespace: string) => fakeXRay.store.all().filter((record) => record.tags.get(RuleTags.namespace) === namespace);

  beforeAll(async () => {
    controlPlane = await startControlPlane();
    await installCrd(controlPlane.kc);
    fakeXRay = await FakeXRay.start({ region: E2E_REGION });
    xray = await switchableForwarder(fakeXRay.endpoint);
    await controlPlane.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: OPERATOR_NAMESPACE } } });
    ({ controller: first } = await startInProcessController(controlPlane, xray, 'controller-first.log', { identity: 'first', resyncPeriodMs: DRIFT_RESYNC_MS }));
    await waitFor('the first replica to lead', () => Promise.resolve(first?.isLeader()));
  });

  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await xray?.close();
    await fakeXRay?.close();
    await controlPlane?.stop();
  });

  it('reconnects its informers after the API server restarts and reconciles objects created afterwards', async () => {
    await controlPlane.restartApiServer();
    await createNamespace(controlPlane.kc, 'after-restart');
    await applyObjects(controlPlane.kc, [tracing('after-restart', 'default', {})]);
    const ready = await waitForCondition(controlPlane.kc, 'after-restart', 'default', 'Ready', 'True');
    expect(ready.metadata.finalizers).toContain(FINALIZER);
    const states = Object.values(first?.informers() ?? {});
    expect(states.every((state) => state.connected && state.synced)).toBe(true);
  });

  it('repairs a sampling rule someone changed in X-Ray on the next periodic resync', async () => {
    await createNamespace(controlPlane.kc, 'drift');
    await applyObjects(controlPlane.kc, [tracing('drift', 'default', { sampling: { mode: 'centralized', fixedRate: 0.2 } })]);
    const ready = await waitForCondition(controlPlane.kc, 'drift', 'default', 'Ready', 'True');
    const ruleName = ready.status?.samplingRules?.[0]?.ruleName ?? '';
    expect(ownedRules('drift').find((record) => record.rule.RuleName === ruleName)?.rule.FixedRate).toBe(0.2);
    fakeXRay.store.edit(ruleName, { FixedRate: 1 });
    await waitFor('the resync to restore the rule', () =>
      Promise.resolve(ownedRules('drift').find((record) => record.rule.RuleName === ruleName)?.rule.FixedRate === 0.2),
    );
  });

  it('reports an unreachable X-Ray API, keeps the finalizer until the owned rules are deleted, then lets go', async () => {
    await createNamespace(controlPlane.kc, 'outage');
    await applyObjects(controlPlane.kc, [tracing('outage', 'default', {})]);
    await waitForCondition(controlPlane.kc, 'outage', 'default', 'Ready', 'True');
    expect(ownedRules('outage')).toHaveLength(1);

    await xray.cut();
    try {
      await controlPlane.kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL, namespace: 'outage', name: 'default' });
      const stuck = await waitFor('the cleanup failure in status', async () => {
        const current = await readTracing(controlPlane.kc, 'outage', 'default');
        return current?.status?.lastError?.includes('Could not delete the owned X-Ray sampling rules') && current;
      });
      expect(stuck.metadata.finalizers).toContain(FINALIZER);
      expect(stuck.status?.lastError).toMatch(/Could not reach the X-Ray API/);
      expect((await eventsFor(controlPlane.kc, 'outage', 'default')).find((event) => event.reason === 'SamplingRuleCleanupFailed')?.type).toBe('Warning');
      expect(ownedRules('outage')).toHaveLength(1);
    } finally {
      await xray.restore();
    }
    await waitFor('the XRayTracing to be gone', async () => (await readTracing(controlPlane.kc, 'outage', 'default')) === undefined, { timeoutMs: 120_000 });
    expect(ownedRules('outage')).toEqual([]);
  });

  it('hands the controllers to the other replica when the leader stops, through the Lease', async () => {
    ({ controller: second } = await startInProcessController(controlPlane, xray, 'controller-second.log', { identity: 'second' }));
    expect(second.isLeader()).toBe(false);
    await first?.stop();
    first = undefined;
    await waitFor('the second replica to lead', () => Promise.resolve(second?.isLeader()));
    const lease = await controlPlane.kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name: LEASE_NAME });
    expect(lease.spec?.holderIdentity).toBe('second');
    expect(lease.spec?.leaseTransitions).toBeGreaterThanOrEqual(1);

    await createNamespace(controlPlane.kc, 'new-leader');
    await applyObjects(controlPlane.kc, [tracing('new-leader', 'default', {})]);
    await waitForCondition(controlPlane.kc, 'new-leader', 'default', 'Ready', 'True');
  });
});
