// The controller against a real API server (etcd + kube-apiserver + kube-controller-manager) and the fake X-Ray
// API: finalizer, owned ConfigMap, status conditions, sampling rules, deletion, workload propagation and rolls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiextensionsV1Api, AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { API_GROUP, API_VERSION, Annotations, FINALIZER, RuleTags, XRAY_TRACING_PLURAL } from '../core/src/constants.js';
import { resolveSpec } from '../core/src/api/defaults.js';
import { renderCollectorConfigYaml } from '../core/src/collector/render.js';
import { injectionConfigHash } from '../core/src/injection/index.js';
import type { Registry } from 'prom-client';
import type { RunningController } from '../operator/src/controller/start.js';
import { FakeXRay } from '../operator/src/test-support/fake-xray.js';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';
import { applyObjects, createNamespace, readOrUndefined, waitFor } from './harness/kube.js';
import {
  CLUSTER_NAME, E2E_REGION, LEASE_NAME, OPERATOR_NAMESPACE, eventsFor, installCrd, readTracing, startInProcessController, tracing, waitForCondition,
} from './controller-support.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** Default + 2 (shop) + room for 2 more: the `limits` namespace asks for more than that. */
const RULE_LIMIT = 5;

function deployment(namespace: string, name: string, annotations: Record<string, string>, templateAnnotations: Record<string, string>): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, annotations },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: templateAnnotations },
        spec: { containers: [{ name: 'app', image: 'example.invalid/app:1' }] },
      },
    },
  };
}

describe('controller e2e: XRayTracing and workload reconcilers', () => {
  let controlPlane: ControlPlane;
  let fakeXRay: FakeXRay;
  let controller: RunningController;
  let registry: Registry;
  const apps = () => controlPlane.kc.makeApiClient(AppsV1Api);
  const core = () => controlPlane.kc.makeApiClient(CoreV1Api);
  const custom = () => controlPlane.kc.makeApiClient(CustomObjectsApi);
  const readDeployment = (namespace: string, name: string) => apps().readNamespacedDeployment({ namespace, name });
  const ownedRules = (namespace: string) =>
    fakeXRay.store.all().filter((record) => record.tags.get(RuleTags.namespace) === namespace && record.tags.get(RuleTags.cluster) === CLUSTER_NAME);

  beforeAll(async () => {
    controlPlane = await startControlPlane();
    await installCrd(controlPlane.kc);
    fakeXRay = await FakeXRay.start({ region: E2E_REGION, ruleLimit: RULE_LIMIT });
    await core().createNamespace({ body: { metadata: { name: OPERATOR_NAMESPACE } } });
    ({ controller, registry } = await startInProcessController(controlPlane, fakeXRay, 'controller-reconcile.log'));
  });

  afterAll(async () => {
    await controller?.stop();
    await fakeXRay?.close();
    await controlPlane?.stop();
  });

  it('holds the leader Lease in its namespace while it runs the controllers', async () => {
    const lease = await waitFor('the Lease', () =>
      readOrUndefined(() => controlPlane.kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name: LEASE_NAME })),
    );
    expect(lease.spec?.holderIdentity).toBe('controller-e2e');
    expect(controller.isLeader()).toBe(true);
  });

  it('adds its finalizer, owns the collector ConfigMap, syncs the sampling rules and reports Ready', async () => {
    await createNamespace(controlPlane.kc, 'shop');
    const spec = { sampling: { mode: 'centralized' as const, rules: [{ name: 'checkout', priority: 10, fixedRate: 0.5, reservoirSize: 2, serviceName: 'checkout' }] } };
    await applyObjects(controlPlane.kc, [tracing('shop', 'default', spec)]);

    const ready = await waitForCondition(controlPlane.kc, 'shop', 'default', 'Ready', 'True');
    expect(ready.metadata.finalizers).toContain(FINALIZER);
    const resolved = resolveSpec(spec);
    expect(ready.status).toMatchObject({
      observedGeneration: ready.metadata.generation,
      sampling: 'centralized (2 rules)',
      configHash: injectionConfigHash(resolved, { clusterName: CLUSTER_NAME, nativeSidecarsSupported: true }),
      injectedWorkloads: 0,
    });
    expect(ready.status?.lastError).toBeUndefined();
    expect(ready.status?.samplingRules?.map((rule) => rule.name).sort()).toEqual(['checkout', 'default']);
    expect(ready.status?.conditions?.map((c) => [c.type, c.status])).toEqual(expect.arrayContaining([['CollectorConfigReady', 'True'], ['SamplingRulesSynced', 'True']]));

    const configMap = await core().readNamespacedConfigMap({ namespace: 'shop', name: 'xray-collector-default' });
    expect(configMap.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'XRayTracing', name: 'default', uid: ready.metadata.uid, controller: true })]);
    expect(configMap.data?.['collector.yaml']).toBe(renderCollectorConfigYaml(resolved));
    expect(yaml.load(configMap.data?.['collector.yaml'] ?? '')).toHaveProperty('service');

    const inXRay = ownedRules('shop');
    expect(inXRay.map((record) => record.rule.RuleName).sort()).toEqual(ready.status?.samplingRules?.map((rule) => rule.ruleName).sort());
    expect(inXRay.find((record) => record.rule.ServiceName === 'checkout')?.rule.FixedRate).toBe(0.5);
    const events = await eventsFor(controlPlane.kc, 'shop', 'default');
    expect(events.some((event) => event.reason === 'Ready' && event.type === 'Normal')).toBe(true);
  });

  it('follows a changed sampling rule to X-Ray and reports the new generation as observed', async () => {
    await custom().patchNamespacedCustomObject(
      {
        group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL, namespace: 'shop', name: 'default',
        body: { spec: { sampling: { mode: 'centralized', rules: [{ name: 'checkout', priority: 10, fixedRate: 0.25, reservoirSize: 2, serviceName: 'checkout' }] } } },
      },
      mergePatch,
    );
    await waitFor('the rule to reach X-Ray', () => Promise.resolve(ownedRules('shop').find((record) => record.rule.ServiceName === 'checkout')?.rule.FixedRate === 0.25));
    const current = await waitFor('observedGeneration to follow', async () => {
      const object = await readTracing(controlPlane.kc, 'shop', 'default');
      return object?.status?.observedGeneration === object?.metadata.generation && object;
    });
    expect(current.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('does not write status again when a reconcile finds nothing changed', async () => {
    const successfulReconciles = async (): Promise<number> => {
      const metric = await registry.getSingleMetric('xray_operator_reconciles_total')?.get();
      return metric?.values.find((v) => v.labels.controller === 'xraytracing' && v.labels.result === 'success')?.value ?? 0;
    };
    const before = await successfulReconciles();
    // A label change is an update event without a spec change: one more reconcile, same observations.
    const labelled = (await custom().patchNamespacedCustomObject(
      { group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL, namespace: 'shop', name: 'default', body: { metadata: { labels: { touched: 'yes' } } } },
      mergePatch,
    )) as { metadata: { resourceVersion: string } };
    await waitFor('another reconcile', async () => (await successfulReconciles()) > before);
    expect((await readTracing(controlPlane.kc, 'shop', 'default'))?.metadata.resourceVersion).toBe(labelled.metadata.resourceVersion);
  });

  it('reports the X-Ray rule limit as SamplingRulesSynced=False RuleLimitExceeded and recovers when the rules fit', async () => {
    await createNamespace(controlPlane.kc, 'limits');
    const rules = ['a', 'b', 'c'].map((name, i) => ({ name, priority: 20 + i, fixedRate: 0.1, reservoirSize: 1 }));
    await applyObjects(controlPlane.kc, [tracing('limits', 'default', { sampling: { mode: 'centralized', rules } })]);
    const failing = await waitForCondition(controlPlane.kc, 'limits', 'default', 'SamplingRulesSynced', 'False', 'RuleLimitExceeded');
    expect(failing.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'RuleLimitExceeded' });
    expect(failing.status?.lastError).toMatch(/maximum number of sampling rules/);
    expect((await eventsFor(controlPlane.kc, 'limits', 'default')).some((event) => event.type === 'Warning' && event.reason === 'RuleLimitExceeded')).toBe(true);

    await applyObjects(controlPlane.kc, [tracing('limits', 'default', { sampling: { mode: 'local', fixedRate: 0.1 } })]);
    const recovered = await waitForCondition(controlPlane.kc, 'limits', 'default', 'Ready', 'True');
    expect(recovered.status?.sampling).toBe('local 10%');
    expect(recovered.status?.lastError).toBeUndefined();
    expect(ownedRules('limits')).toEqual([]);
  });

  it('reports X-Ray throttling as Throttled and recovers by itself with backoff', async () => {
    await createNamespace(controlPlane.kc, 'throttle');
    // Two syncs' worth of throttled attempts: the sync's own retries give up once, the queue's backoff retries.
    fakeXRay.throttleNext(8);
    await applyObjects(controlPlane.kc, [tracing('throttle', 'default', {})]);
    const warning = await waitFor('the Throttled Event', async () =>
      (await eventsFor(controlPlane.kc, 'throttle', 'default')).find((event) => event.reason === 'Throttled'),
    );
    expect(warning.type).toBe('Warning');
    expect(warning.message).toMatch(/throttled/i);
    const recovered = await waitForCondition(controlPlane.kc, 'throttle', 'default', 'Ready', 'True');
    expect(recovered.status?.samplingRules).toHaveLength(1);
  });

  it('reports an XRayTracing that a stricter CRD no longer accepts as Ready=False InvalidSpec, with an Event', async () => {
    await createNamespace(controlPlane.kc, 'legacy');
    // An object stored under an older, laxer schema: the API server keeps it, the controller must explain it.
    const crds = controlPlane.kc.makeApiClient(ApiextensionsV1Api);
    const crdName = `${XRAY_TRACING_PLURAL}.${API_GROUP}`;
    const strict = await crds.readCustomResourceDefinition({ name: crdName });
    const lax = structuredClone(strict);
    // client-node's typed models spell the extension x_kubernetes_preserve_unknown_fields.
    const anything = { type: 'object', x_kubernetes_preserve_unknown_fields: true };
    for (const version of lax.spec.versions) version.schema = { openAPIV3Schema: { type: 'object', properties: { spec: anything, status: anything } } };
    await crds.replaceCustomResourceDefinition({ name: crdName, body: lax });
    try {
      await waitFor('the lax schema to take effect', async () => {
        const body = tracing('legacy', 'default', { sampling: { mode: 'local', fixedRate: 7 } });
        await custom().createNamespacedCustomObject({ group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL, namespace: 'legacy', body });
        return true;
      });
    } finally {
      const current = await crds.readCustomResourceDefinition({ name: crdName });
      await crds.replaceCustomResourceDefinition({ name: crdName, body: { ...strict, metadata: { ...strict.metadata, resourceVersion: current.metadata?.resourceVersion } } });
    }

    const invalid = await waitForCondition(controlPlane.kc, 'legacy', 'default', 'Ready', 'False', 'InvalidSpec');
    expect(invalid.status?.lastError).toMatch(/^The spec is invalid: spec\.sampling\.fixedRate/);
    const events = await eventsFor(controlPlane.kc, 'legacy', 'default');
    expect(events.find((event) => event.reason === 'InvalidSpec')).toMatchObject({ type: 'Warning' });
    expect(await readOrUndefined(() => core().readNamespacedConfigMap({ namespace: 'legacy', name: 'xray-collector-default' }))).toBeUndefined();
  });

  it('propagates the opt-in from the Deployment to its pod template, and removes only what it propagated', async () => {
    await createNamespace(controlPlane.kc, 'propagate');
    await apps().createNamespacedDeployment({ namespace: 'propagate', body: deployment('propagate', 'web', { [Annotations.injectNodejs]: 'true' }, {}) });
    const propagated = await waitFor('the opt-in on the pod template', async () => {
      const current = await readDeployment('propagate', 'web');
      return current.spec?.template.metadata?.annotations?.[Annotations.injectNodejs] === 'true' && current;
    });
    expect(propagated.spec?.template.metadata?.annotations?.[Annotations.propagatedFromWorkload]).toBe('true');

    await apps().patchNamespacedDeployment({ namespace: 'propagate', name: 'web', body: { metadata: { annotations: { [Annotations.injectNodejs]: null } } } }, mergePatch);
    const removed = await waitFor('the propagated opt-in to go', async () => {
      const current = await readDeployment('propagate', 'web');
      return current.spec?.template.metadata?.annotations?.[Annotations.propagatedFromWorkload] === undefined && current;
    });
    expect(removed.spec?.template.metadata?.annotations?.[Annotations.injectNodejs]).toBeUndefined();
  });

  it('rolls a workload once when its pods run an outdated injection config', async () => {
    await createNamespace(controlPlane.kc, 'rollout');
    await applyObjects(controlPlane.kc, [tracing('rollout', 'default', { sampling: { mode: 'local' } })]);
    const ready = await waitForCondition(controlPlane.kc, 'rollout', 'default', 'Ready', 'True');
    // No webhook here: the template carries what an injected pod of an older config would.
    await apps().createNamespacedDeployment({ namespace: 'rollout', body: deployment('rollout', 'api', {}, { [Annotations.injected]: 'default/0123456789abcdef' }) });
    const rolled = await waitFor('the roll', async () => {
      const current = await readDeployment('rollout', 'api');
      return current.spec?.template.metadata?.annotations?.[Annotations.restartedAt] !== undefined && current;
    });
    expect(rolled.metadata?.annotations?.[Annotations.rolledForConfig]).toBe(`default/${ready.status?.configHash}`);
    expect(rolled.spec?.template.metadata?.annotations?.[Annotations.restartReason]).toContain('default/0123456789abcdef');
    const restartedAt = rolled.spec?.template.metadata?.annotations?.[Annotations.restartedAt];

    // The new pods still carry the old hash (the template says so): a second roll would be a loop.
    await waitFor('pods of the rolled template', async () => {
      const pods = await core().listNamespacedPod({ namespace: 'rollout' });
      return pods.items.filter((pod) => pod.metadata?.annotations?.[Annotations.restartedAt] === restartedAt).length > 0;
    });
    const status = await waitFor('the injected workload count', async () => {
      const current = await readTracing(controlPlane.kc, 'rollout', 'default');
      return current?.status?.injectedWorkloads === 1 && current;
    });
    expect(status.status?.injectedWorkloads).toBe(1);
    expect((await readDeployment('rollout', 'api')).spec?.template.metadata?.annotations?.[Annotations.restartedAt]).toBe(restartedAt);
    expect((await eventsFor(controlPlane.kc, 'rollout', 'api')).filter((event) => event.reason === 'RolledForConfigChange')).toHaveLength(1);
  });

  it('rolls a workload once when its opted-in pods were admitted without injection, then warns instead of looping', async () => {
    await createNamespace(controlPlane.kc, 'missed');
    await applyObjects(controlPlane.kc, [tracing('missed', 'default', { sampling: { mode: 'local' } })]);
    await waitForCondition(controlPlane.kc, 'missed', 'default', 'Ready', 'True');
    // No webhook is registered: every pod is admitted without injection, as while the webhook was down.
    await apps().createNamespacedDeployment({ namespace: 'missed', body: deployment('missed', 'worker', {}, { [Annotations.injectNodejs]: 'true' }) });
    const rolled = await waitFor('the roll for missed injection', async () => {
      const current = await readDeployment('missed', 'worker');
      return current.metadata?.annotations?.[Annotations.missedInjectionRolledAt] !== undefined && current;
    });
    const restartedAt = rolled.spec?.template.metadata?.annotations?.[Annotations.restartedAt];
    expect(restartedAt).toBeDefined();
    const rolledEvent = await waitFor('the RolledForMissedInjection Event', async () =>
      (await eventsFor(controlPlane.kc, 'missed', 'worker')).find((event) => event.reason === 'RolledForMissedInjection'),
    );
    expect(rolledEvent.type).toBe('Warning');
    expect(rolledEvent.message).toMatch(/admitted without injection/);

    const persists = await waitFor('the MissedInjectionPersists warning', async () =>
      (await eventsFor(controlPlane.kc, 'missed', 'worker')).find((event) => event.reason === 'MissedInjectionPersists'),
    );
    expect(persists.message).toMatch(/webhook/);
    expect((await readDeployment('missed', 'worker')).spec?.template.metadata?.annotations?.[Annotations.restartedAt]).toBe(restartedAt);
  });

  it('deletes the owned sampling rules before letting the XRayTracing go', async () => {
    expect(ownedRules('shop').length).toBeGreaterThan(0);
    await custom().deleteNamespacedCustomObject({ group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL, namespace: 'shop', name: 'default' });
    await waitFor('the XRayTracing to be gone', async () => (await readTracing(controlPlane.kc, 'shop', 'default')) === undefined);
    expect(ownedRules('shop')).toEqual([]);
    expect(fakeXRay.store.all().some((record) => record.rule.RuleName === 'Default')).toBe(true);
  });
});
