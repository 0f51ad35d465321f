// What the controller owns in X-Ray when people change things under it: a renamed cluster (the README suggests
// setting clusterName after a default install), an XRayTracing deleted while X-Ray cannot be reached, and a tenant
// that asks for more rules than its share of the account's quota.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, Annotations, RuleTags, XRAY_TRACING_PLURAL } from '../core/src/constants.js';
import type { RunningController } from '../operator/src/controller/start.js';
import type { FakeXRay } from '../operator/src/test-support/fake-xray.js';
import type { ControlPlane } from './harness/control-plane.js';
import { applyObjects, createNamespace, mergePatch, waitFor } from './harness/kube.js';
import {
  eventsFor, readTracing, startControllerBed, startLeadingController, switchableForwarder, tracing, waitForCondition,
  type ControllerBed, type SwitchableForwarder,
} from './controller-support.js';

describe('controller e2e: ownership of X-Ray rules across a cluster rename and a forced delete', () => {
  let bed: ControllerBed;
  let controlPlane: ControlPlane;
  let fakeXRay: FakeXRay;
  let xray: SwitchableForwarder;
  let controller: RunningController | undefined;
  const rulesOf = (namespace: string, clusterName: string) =>
    fakeXRay.store.all().filter((record) => record.tags.get(RuleTags.namespace) === namespace && record.tags.get(RuleTags.cluster) === clusterName);
  const custom = () => controlPlane.kc.makeApiClient(CustomObjectsApi);
  const target = (namespace: string) => ({ group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL, namespace, name: 'default' });
  const annotate = (namespace: string, annotations: Record<string, string>) =>
    custom().patchNamespacedCustomObject({ ...target(namespace), body: { metadata: { annotations } } }, mergePatch);
  async function runAs(clusterName: string): Promise<void> {
    await controller?.stop();
    controller = await startLeadingController(controlPlane, xray, `controller-${clusterName}.log`, { identity: clusterName, clusterName });
  }

  beforeAll(async () => {
    bed = await startControllerBed();
    ({ controlPlane, fakeXRay } = bed);
    xray = await switchableForwarder(fakeXRay.endpoint);
    await runAs('before');
    for (const namespace of ['renamed', 'deleted-after-rename']) {
      await createNamespace(controlPlane.kc, namespace);
      await applyObjects(controlPlane.kc, [tracing(namespace, 'default', {})]);
      const ready = await waitForCondition(controlPlane.kc, namespace, 'default', 'Ready', 'True');
      expect(ready.status?.clusterName).toBe('before');
      expect(rulesOf(namespace, 'before')).toHaveLength(1);
    }
    await runAs('after');
  });

  afterAll(async () => {
    await controller?.stop();
    await xray?.close();
    await bed?.stop();
  });

  it('refuses a silent clusterName change, leaving the rules as they are, and migrates them once a person confirms', async () => {
    const refused = await waitForCondition(controlPlane.kc, 'renamed', 'default', 'SamplingRulesSynced', 'False', 'ClusterNameChanged');
    expect(refused.status?.conditions?.find((c) => c.type === 'SamplingRulesSynced')?.message).toContain(`${Annotations.migrateFromCluster}=before`);
    expect(rulesOf('renamed', 'before')).toHaveLength(1);
    expect(rulesOf('renamed', 'after')).toHaveLength(0);

    await annotate('renamed', { [Annotations.migrateFromCluster]: 'before' });
    const migrated = await waitForCondition(controlPlane.kc, 'renamed', 'default', 'Ready', 'True');
    expect(migrated.status?.clusterName).toBe('after');
    expect(rulesOf('renamed', 'before')).toHaveLength(0);
    expect(rulesOf('renamed', 'after')).toHaveLength(1);
  });

  it('deletes the rules of the cluster name status recorded when the XRayTracing goes after a rename', async () => {
    await custom().deleteNamespacedCustomObject(target('deleted-after-rename'));
    await waitFor('the XRayTracing to be gone', async () => (await readTracing(controlPlane.kc, 'deleted-after-rename', 'default')) === undefined);
    expect(rulesOf('deleted-after-rename', 'before')).toEqual([]);
    expect(rulesOf('deleted-after-rename', 'after')).toEqual([]);
  });

  it('lets an XRayTracing go while X-Ray is unreachable once annotated skip-cleanup, saying which rules stay', async () => {
    await createNamespace(controlPlane.kc, 'forced');
    await applyObjects(controlPlane.kc, [tracing('forced', 'default', {})]);
    const ready = await waitForCondition(controlPlane.kc, 'forced', 'default', 'Ready', 'True');
    const arn = ready.status?.samplingRules?.[0]?.ruleARN ?? '';
    await xray.cut();
    try {
      await custom().deleteNamespacedCustomObject(target('forced'));
      await waitFor('the cleanup failure to name the escape hatch', async () => {
        const current = await readTracing(controlPlane.kc, 'forced', 'default');
        return current?.status?.lastError?.includes(`${Annotations.skipCleanup}=true`);
      });
      await annotate('forced', { [Annotations.skipCleanup]: 'true' });
      await waitFor('the XRayTracing to be gone', async () => (await readTracing(controlPlane.kc, 'forced', 'default')) === undefined, { timeoutMs: 60_000 });
    } finally {
      await xray.restore();
    }
    expect(rulesOf('forced', 'after')).toHaveLength(1);
    const skipped = (await eventsFor(controlPlane.kc, 'forced', 'default')).find((event) => event.reason === 'SamplingRuleCleanupSkipped');
    expect(skipped?.type).toBe('Warning');
    expect(skipped?.message).toContain(arn);
  });

  it('refuses the XRayTracing that would take its namespace over the rule budget, and a neighbour still gets its rules', async () => {
    await createNamespace(controlPlane.kc, 'greedy');
    const rules = Array.from({ length: 10 }, (_, i) => ({ name: `r${i}`, priority: 10 + i, fixedRate: 0.1, reservoirSize: 1 }));
    await applyObjects(controlPlane.kc, [tracing('greedy', 'default', { sampling: { mode: 'centralized', rules } })]);
    await waitForCondition(controlPlane.kc, 'greedy', 'default', 'Ready', 'True');
    await applyObjects(controlPlane.kc, [tracing('greedy', 'more', {})]);
    const refused = await waitForCondition(controlPlane.kc, 'greedy', 'more', 'SamplingRulesSynced', 'False', 'RuleBudgetExceeded');
    expect(refused.status?.lastError).toContain('namespace greedy may own at most 11 and older XRayTracings there own 11');
    expect(rulesOf('greedy', 'after')).toHaveLength(11);

    await createNamespace(controlPlane.kc, 'neighbour');
    await applyObjects(controlPlane.kc, [tracing('neighbour', 'default', {})]);
    await waitForCondition(controlPlane.kc, 'neighbour', 'default', 'Ready', 'True');
    expect(rulesOf('neighbour', 'after')).toHaveLength(1);
  });

  it('does not call CreateSamplingRule again for every pod event after X-Ray refused it', async () => {
    for (let i = 0; fakeXRay.store.all().length < 25; i++) {
      fakeXRay.store.put({ RuleName: `foreign-${i}`, ResourceARN: '*', Priority: 5000 + i, FixedRate: 0.05, ReservoirSize: 1, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1 });
    }
    await createNamespace(controlPlane.kc, 'full');
    await applyObjects(controlPlane.kc, [tracing('full', 'default', {})]);
    await waitForCondition(controlPlane.kc, 'full', 'default', 'SamplingRulesSynced', 'False', 'RuleLimitExceeded');
    const creates = () => fakeXRay.calls.filter((call) => call.operation === 'CreateSamplingRule').length;
    const before = creates();
    const core = controlPlane.kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < 5; i++) {
      await core.createNamespacedPod({
        namespace: 'full',
        body: { metadata: { name: `injected-${i}`, annotations: { [Annotations.injected]: 'default/0123456789abcdef' } }, spec: { containers: [{ name: 'app', image: 'app' }] } },
      });
    }
    // Each pod event reconciled the XRayTracing (it counts them) without asking X-Ray again.
    await waitFor('the pods to be counted', async () => (await readTracing(controlPlane.kc, 'full', 'default'))?.status?.injectedWorkloads === 5);
    expect(creates()).toBe(before);
  });
});
