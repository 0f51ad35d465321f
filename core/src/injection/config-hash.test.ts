import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import type { XRayTracingSpec } from '../api/types.js';
import { injectionConfigHash, type ClusterFacts } from './config-hash.js';

const facts: ClusterFacts = { nativeSidecarsSupported: true };
const hash = (spec: XRayTracingSpec, f = facts) => injectionConfigHash(resolveSpec(spec), f);
const rule = { name: 'checkout', priority: 10, fixedRate: 0.5, reservoirSize: 2, serviceName: 'checkout' };

describe('injectionConfigHash', () => {
  it('is 16 hex characters and the same for equal specs', () => {
    expect(hash({})).toMatch(/^[0-9a-f]{16}$/);
    expect(hash({})).toBe(hash({}));
  });

  it('does not depend on key order', () => {
    const a = hash({ resourceAttributes: { a: '1', b: '2' }, collector: { region: 'eu-west-1', debug: true } });
    const b = hash({ collector: { debug: true, region: 'eu-west-1' }, resourceAttributes: { b: '2', a: '1' } });
    expect(a).toBe(b);
  });

  it('ignores sampling rules, the catch-all rate and rollout settings in centralized mode (pods fetch rules live)', () => {
    const base = hash({ sampling: { mode: 'centralized' } });
    expect(hash({ sampling: { mode: 'centralized', rules: [rule], fixedRate: 0.9, reservoirSize: 7 } })).toBe(base);
    expect(hash({ rollout: { restartOnChange: false } })).toBe(base);
  });

  it('changes with what reaches the pod: polling interval, local ratio, mode, images, env, middleware spans', () => {
    const base = hash({});
    const variants = [
      hash({ instrumentation: { middlewareSpans: true } }),
      hash({ sampling: { pollingIntervalSeconds: 30 } }),
      hash({ sampling: { mode: 'local' } }),
      hash({ collector: { image: 'example.com/adot:1' } }),
      hash({ instrumentation: { env: [{ name: 'A', value: '1' }] } }),
      hash({ propagators: ['tracecontext'] }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    expect(hash({ sampling: { mode: 'local', fixedRate: 0.1 } })).not.toBe(hash({ sampling: { mode: 'local', fixedRate: 0.2 } }));
  });

  it('changes with the catch-all rate in centralized mode only when sidecar-less pods sample locally at it', () => {
    const fallback = { endpoint: 'http://gw:4318' };
    expect(hash({ collector: fallback, sampling: { fixedRate: 0.1 } })).not.toBe(hash({ collector: fallback, sampling: { fixedRate: 0.2 } }));
    const proxied = { ...fallback, samplingEndpoint: 'http://gw:2000' };
    expect(hash({ collector: proxied, sampling: { fixedRate: 0.1 } })).toBe(hash({ collector: proxied, sampling: { fixedRate: 0.2 } }));
  });

  it('keeps the hash of pods injected before middlewareSpans existed when it is left at its default', () => {
    expect(hash({ instrumentation: { middlewareSpans: false } })).toBe(hash({}));
  });

  it('gives each cluster-facts variant of one spec object its own hash (results are cached per spec)', () => {
    const spec = resolveSpec({});
    const native = injectionConfigHash(spec, facts);
    expect(injectionConfigHash(spec, { nativeSidecarsSupported: false })).not.toBe(native);
    expect(injectionConfigHash(spec, facts)).toBe(native);
    expect(injectionConfigHash(resolveSpec({}), facts)).toBe(native);
  });

  it('changes with the cluster facts that shape the pod', () => {
    expect(hash({}, { nativeSidecarsSupported: false })).not.toBe(hash({}));
    expect(hash({}, { nativeSidecarsSupported: true, clusterName: 'prod' })).not.toBe(hash({}));
  });
});
