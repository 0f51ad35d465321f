// Scenario 2: the API server judges XRayTracing objects by the CRD's structural schema and CEL
// rules, with messages that say what to fix.
import { describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import type { XRayTracingSpec } from '../core/src/api/types.js';
import { apiRejection as rejection, createNamespace } from './harness/kube.js';
import { useInstalledOperator } from './harness/suite.js';
import { createXRayTracing, waitForCondition } from './harness/workloads.js';

describe('XRayTracing validation by the API server', () => {
  const bed = useInstalledOperator();
  let namespaceReady: Promise<void> | undefined;
  const namespace = async (): Promise<string> => {
    namespaceReady ??= createNamespace(bed().controlPlane.kc, 'catalog');
    await namespaceReady;
    return 'catalog';
  };

  it('accepts an empty spec and the controller reports it Ready, with its collector config in a ConfigMap', async () => {
    const { kc } = bed().controlPlane;
    await createXRayTracing(kc, await namespace(), 'default', {});
    const tracing = await waitForCondition(kc, 'catalog', 'default');
    for (const type of ['CollectorConfigReady', 'SamplingRulesSynced']) {
      expect(tracing.status?.conditions?.find((condition) => condition.type === type)?.status).toBe('True');
    }
    const configMap = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: 'catalog', name: 'xray-collector-default' });
    expect(configMap.data?.['collector.yaml']).toContain('awsxray');
    expect(configMap.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'XRayTracing', name: 'default', controller: true });
  });

  it('rejects gateway mode without an endpoint, naming the missing field', async () => {
    const spec = { collector: { mode: 'gateway' } } as XRayTracingSpec;
    const { code, message } = await rejection(async () => createXRayTracing(bed().controlPlane.kc, await namespace(), 'gateway', spec));
    expect(code).toBe(422);
    expect(message).toContain('spec.collector.endpoint');
    expect(message).toContain('collector.endpoint is required when collector.mode is gateway');
  });

  it('rejects a sampling rule named "default" and says why', async () => {
    const spec: XRayTracingSpec = { sampling: { rules: [{ name: 'default', priority: 10, fixedRate: 0.1, reservoirSize: 1 }] } };
    const { code, message } = await rejection(async () => createXRayTracing(bed().controlPlane.kc, await namespace(), 'reserved', spec));
    expect(code).toBe(422);
    expect(message).toContain('rule name "default" is reserved');
  });

  it('rejects a value of the wrong type through the structural schema', async () => {
    const spec = { collector: { indexAllAttributes: 'yes' } } as unknown as XRayTracingSpec;
    const { code, message } = await rejection(async () => createXRayTracing(bed().controlPlane.kc, await namespace(), 'typed', spec));
    expect(code).toBe(422);
    expect(message).toContain('spec.collector.indexAllAttributes');
  });
});
