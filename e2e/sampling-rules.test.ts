// Scenario 7: sampling rules in an XRayTracing become X-Ray sampling rules (in the fake X-Ray API)
// tagged as owned; edits follow; another tool's rule is never touched; deleting the CR deletes
// exactly its rules.
import { beforeAll, describe, expect, it } from 'vitest';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, XRAY_TRACING_PLURAL } from '../core/src/constants.js';
import { ownerTags, xrayRuleName } from '../core/src/sampling/naming.js';
import type { XRayTracingSpec } from '../core/src/api/types.js';
import { createNamespace, readOrUndefined, waitFor } from './harness/kube.js';
import { useInstalledOperator } from './harness/suite.js';
import { createXRayTracing, patchXRayTracingSpec, readXRayTracing, waitForCondition } from './harness/workloads.js';

const NAMESPACE = 'shop';
const OWNER = { clusterName: 'e2e', namespace: NAMESPACE, name: 'default' };
const CHECKOUT_RULE = xrayRuleName(OWNER, 'checkout-api');
const FOREIGN_RULE = 'team-payments-manual';

function specWithRate(fixedRate: number): XRayTracingSpec {
  return {
    sampling: {
      mode: 'centralized',
      rules: [{ name: 'checkout-api', priority: 100, fixedRate, reservoirSize: 2, serviceName: 'checkout', httpMethod: 'GET', urlPath: '/api/*' }],
    },
  };
}

describe('X-Ray sampling rules from an XRayTracing', () => {
  const bed = useInstalledOperator();

  beforeAll(async () => {
    const { controlPlane, fakeXRay } = bed();
    fakeXRay.store.put({
      RuleName: FOREIGN_RULE, ResourceARN: '*', Priority: 50, FixedRate: 0.3, ReservoirSize: 1, ServiceName: 'payments',
      ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1,
    }, { team: 'payments' });
    await createNamespace(controlPlane.kc, NAMESPACE);
    await createXRayTracing(controlPlane.kc, NAMESPACE, 'default', specWithRate(0.5));
    await waitForCondition(controlPlane.kc, NAMESPACE, 'default', 'SamplingRulesSynced');
  });

  const ownedRules = () => bed().fakeXRay.store.all().filter((record) => record.tags.get('xray-operator.dev/managed-by') !== undefined);

  it('creates the rule with the CR\'s match and rates, tagged with its cluster, namespace and name', () => {
    const record = bed().fakeXRay.store.all().find((candidate) => candidate.rule.RuleName === CHECKOUT_RULE);
    expect(record?.rule).toMatchObject({ FixedRate: 0.5, ReservoirSize: 2, Priority: 100, ServiceName: 'checkout', HTTPMethod: 'GET', URLPath: '/api/*' });
    expect(Object.fromEntries(record!.tags)).toEqual(ownerTags(OWNER));
    for (const owned of ownedRules()) expect(Object.fromEntries(owned.tags)).toEqual(ownerTags(OWNER));
  });

  it('updates the rule when the CR changes', async () => {
    const { controlPlane, fakeXRay } = bed();
    await patchXRayTracingSpec(controlPlane.kc, NAMESPACE, 'default', specWithRate(0.25));
    await waitFor('the rule to carry the new rate', () =>
      Promise.resolve(fakeXRay.store.all().find((record) => record.rule.RuleName === CHECKOUT_RULE)?.rule.FixedRate === 0.25));
  });

  it('leaves a rule it does not own untouched', () => {
    const foreign = bed().fakeXRay.store.all().find((record) => record.rule.RuleName === FOREIGN_RULE);
    expect(foreign?.rule).toMatchObject({ FixedRate: 0.3, Priority: 50, Version: 1 });
    expect(Object.fromEntries(foreign!.tags)).toEqual({ team: 'payments' });
  });

  it('deletes its own rules, and only those, when the CR is deleted', async () => {
    const { controlPlane, fakeXRay } = bed();
    await controlPlane.kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
      group: API_GROUP, version: API_VERSION, namespace: NAMESPACE, plural: XRAY_TRACING_PLURAL, name: 'default',
    });
    await waitFor('the XRayTracing to be gone', async () =>
      (await readOrUndefined(() => readXRayTracing(controlPlane.kc, NAMESPACE, 'default'))) === undefined);
    expect(ownedRules()).toEqual([]);
    expect(fakeXRay.store.all().map((record) => record.rule.RuleName).sort()).toEqual(['Default', FOREIGN_RULE].sort());
  });
});
