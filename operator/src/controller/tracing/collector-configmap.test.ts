import { describe, expect, it } from 'vitest';
import type { XRayTracing } from '../../../../core/src/api/types.js';
import { stripConfigMap } from '../../k8s/strip.js';
import { COLLECTOR_CONFIG_KEY, CONFIG_HASH_KEY, collectorConfigMapUpToDate, desiredCollectorConfigMap } from './collector-configmap.js';

const tracing: XRayTracing = {
  apiVersion: 'tracing.xray-operator.dev/v1alpha1',
  kind: 'XRayTracing',
  metadata: { name: 'default', namespace: 'shop', uid: 'uid-1' },
  spec: {},
};
const desired = desiredCollectorConfigMap(tracing, 'receivers: {}\n', 'abc123');
/** What the informer cache holds after the API server stored `desired`. */
const cachedAs = (stored: typeof desired) => stripConfigMap({ ...stored, metadata: { ...stored.metadata, resourceVersion: '7' } });

describe('collectorConfigMapUpToDate', () => {
  it('skips the write when the cached ConfigMap already holds the same config for the same owner', () => {
    expect(collectorConfigMapUpToDate(cachedAs(desired), desired)).toBe(true);
  });

  it('writes when the ConfigMap is missing, the config changed, or someone edited it', () => {
    expect(collectorConfigMapUpToDate(undefined, desired)).toBe(false);
    expect(collectorConfigMapUpToDate(cachedAs(desiredCollectorConfigMap(tracing, 'receivers: {}\n', 'other')), desired)).toBe(false);
    const edited = cachedAs({ ...desired, data: { ...desired.data, [COLLECTOR_CONFIG_KEY]: 'hand: edit\n' } });
    expect(collectorConfigMapUpToDate(edited, desired)).toBe(false);
  });

  it('writes when the owner is another XRayTracing of the same name (recreated) or our labels were removed', () => {
    const recreated = desiredCollectorConfigMap({ ...tracing, metadata: { ...tracing.metadata, uid: 'uid-2' } }, 'receivers: {}\n', 'abc123');
    expect(collectorConfigMapUpToDate(cachedAs(recreated), desired)).toBe(false);
    const unlabelled = cachedAs({ ...desired, metadata: { ...desired.metadata, labels: {} } });
    expect(collectorConfigMapUpToDate(unlabelled, desired)).toBe(false);
  });

  it('trusts the hash when the cache dropped a long collector config', () => {
    const long = desiredCollectorConfigMap(tracing, `# ${'x'.repeat(5000)}\n`, 'abc123');
    const cached = cachedAs(long);
    expect(cached.data?.[COLLECTOR_CONFIG_KEY]).toBe('');
    expect(cached.data?.[CONFIG_HASH_KEY]).toBe('abc123');
    expect(collectorConfigMapUpToDate(cached, long)).toBe(true);
  });
});
