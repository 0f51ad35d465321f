import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import { StaticClusterView } from '../cluster-view/static-view.js';
import { Annotations, InjectedNames } from '../constants.js';
import { injectionConfigHash } from './config-hash.js';
import { injectPod } from './inject-pod.js';
import { injectWithView } from './inject-with-view.js';
import type { InjectionContext, V1PodLike } from './types.js';

const view = new StaticClusterView({ builtInDefaults: true });
const resolve = () => resolveSpec({});
const optedIn = { annotations: { [Annotations.injectNodejs]: 'true' } };

describe('injectWithView on unusual input', () => {
  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['no spec', { metadata: optedIn }],
    ['no containers', { metadata: optedIn, spec: {} }],
    ['an empty container list', { metadata: optedIn, spec: { containers: [] } }],
    ['env entries without values', { metadata: optedIn, spec: { containers: [{ name: 'a', env: [{ name: 'NODE_OPTIONS' }, { name: 'X' }] }] } }],
    ['envFrom without a source', { metadata: optedIn, spec: { containers: [{ name: 'a', envFrom: [{}, { prefix: 'P_' }] }] } }],
  ])('does not throw for %s', (_, pod) => {
    expect(() => injectWithView(pod as V1PodLike, 'shop', view, resolve)).not.toThrow();
  });

  it('treats an explicit NODE_OPTIONS without a value as empty and sets only the preload', () => {
    const pod: V1PodLike = { metadata: optedIn, spec: { containers: [{ name: 'a', env: [{ name: 'NODE_OPTIONS' }] }] } };
    const outcome = injectWithView(pod, 'shop', view, resolve);
    expect(outcome.pod.spec?.containers[0]?.env?.[0]).toEqual({ name: 'NODE_OPTIONS', value: '--require /xray-operator/nodejs/autoinstrumentation.js' });
  });
});

describe('injectPod', () => {
  const ctx: InjectionContext = { namespace: 'shop', tracingName: 'default', nativeSidecarsSupported: true, getConfigMap: () => undefined };

  it('takes the workload from the context when given (pod templates have no ownerReferences)', () => {
    const pod: V1PodLike = { spec: { containers: [{ name: 'app' }] } };
    const outcome = injectPod(pod, resolveSpec({}), { ...ctx, workload: { kind: 'DaemonSet', name: 'agent' } });
    const env = outcome.pod.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === 'OTEL_SERVICE_NAME')?.value).toBe('agent');
    expect(env.find((e) => e.name === 'OTEL_RESOURCE_ATTRIBUTES')?.value).toContain('k8s.daemonset.name=agent');
  });

  it("lets the XRayTracing's env replace entries in place, the pod's own (service name) as well as derived ones", () => {
    const spec = resolveSpec({
      instrumentation: {
        env: [
          { name: 'OTEL_SERVICE_NAME', value: 'from-cr' },
          { name: 'OTEL_PROPAGATORS', value: 'xray' },
          { name: 'EXTRA', value: '1' },
        ],
      },
    });
    const envOf = (pod: V1PodLike, from = spec) => injectPod(pod, from, ctx).pod.spec?.containers[0]?.env ?? [];
    const plain = envOf({ spec: { containers: [{ name: 'app' }] } }, resolveSpec({}));
    const env = envOf({ spec: { containers: [{ name: 'app' }] } });
    expect(env.map((e) => e.name)).toEqual([...plain.map((e) => e.name), 'EXTRA']);
    expect(env.find((e) => e.name === 'OTEL_SERVICE_NAME')?.value).toBe('from-cr');
    expect(env.find((e) => e.name === 'OTEL_PROPAGATORS')?.value).toBe('xray');
    expect(env.at(-1)).toEqual({ name: 'EXTRA', value: '1' });
  });

  it("shares the spec's env entries, frozen, between pods, and tells sidecar pods from those without one", () => {
    const spec = resolveSpec({});
    const env = (pod: V1PodLike) => injectPod(pod, spec, ctx).pod.spec?.containers[0]?.env ?? [];
    const first = env({ spec: { containers: [{ name: 'a' }] } });
    const second = env({ metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'b', env: [{ name: 'OTEL_TRACES_SAMPLER', value: 'always_on' }] }] } });
    const third = env({ metadata: { labels: { app: 'third' } }, spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '1' }] }] } });
    const propagators = (list: typeof first) => list.find((e) => e.name === 'OTEL_PROPAGATORS');
    expect(propagators(third)).toBe(propagators(first));
    expect(Object.isFrozen(propagators(first)) && Object.isFrozen(propagators(second))).toBe(true);
    // A user's own sampler keeps ours out; a pod without a sidecar has no daemon address on loopback.
    expect(second.filter((e) => e.name === 'OTEL_TRACES_SAMPLER')).toEqual([{ name: 'OTEL_TRACES_SAMPLER', value: 'always_on' }]);
    expect(first.find((e) => e.name === 'OTEL_TRACES_SAMPLER')?.value).toBe('xray');
    const noSidecar = env({ metadata: { annotations: { [Annotations.injectSidecar]: 'false' } }, spec: { containers: [{ name: 'c' }] } });
    expect(noSidecar.find((e) => e.name === 'AWS_XRAY_DAEMON_ADDRESS')).toBeUndefined();
    expect(first.find((e) => e.name === 'AWS_XRAY_DAEMON_ADDRESS')?.value).toBe('127.0.0.1:2000');
  });

  it('shares the parts it leaves alone with the input and copies the ones it changes', () => {
    const pod: V1PodLike = {
      metadata: { annotations: { [Annotations.containerNames]: 'app' }, labels: { app: 'shop' } },
      spec: { containers: [{ name: 'app', env: [{ name: 'A', value: '1' }] }, { name: 'other', ports: [{ containerPort: 80 }] }], tolerations: [{ key: 'k' }] },
      status: { phase: 'Pending' },
    };
    const outcome = injectPod(pod, resolveSpec({}), ctx);
    expect(outcome.action).toBe('injected');
    const [app, other] = outcome.pod.spec?.containers ?? [];
    expect(other).toBe(pod.spec?.containers[1]);
    expect(outcome.pod.spec?.tolerations).toBe(pod.spec?.tolerations);
    expect(outcome.pod.metadata?.labels).toBe(pod.metadata?.labels);
    expect(outcome.pod.status).toBe(pod.status);
    expect(app).not.toBe(pod.spec?.containers[0]);
    expect(app?.env).not.toBe(pod.spec?.containers[0]?.env);
    expect(pod.spec?.containers[0]?.env).toEqual([{ name: 'A', value: '1' }]);
  });

  it.each([
    ['leaves a pod of a workload rolled back from this config uninjected, with the RolledBack code', (hash: string) => `default/${hash}`, 'unchanged'],
    ['injects again once the config hash changed since the rollback', () => 'default/0123456789abcdef', 'injected'],
    ['injects a pod rolled back from another XRayTracing', (hash: string) => `other/${hash}`, 'injected'],
  ])('%s', (_name, value, action) => {
    const spec = resolveSpec({});
    const hash = injectionConfigHash(spec, ctx);
    const pod: V1PodLike = { metadata: { annotations: { [Annotations.rolledBack]: value(hash) } }, spec: { containers: [{ name: 'app' }] } };
    const outcome = injectPod(pod, spec, ctx);
    expect(outcome.action).toBe(action);
    if (action === 'unchanged') {
      expect(outcome).toMatchObject({ skipped: 'RolledBack', warnings: [] });
      expect(outcome.pod).toBe(pod);
    }
  });

  it('recognises a pod injected before the annotation existed by its init container', () => {
    const pod: V1PodLike = { spec: { initContainers: [{ name: InjectedNames.initContainer }], containers: [{ name: 'app' }] } };
    const outcome = injectPod(pod, resolveSpec({}), ctx);
    expect(outcome).toMatchObject({ action: 'unchanged', reason: 'Already injected' });
    expect(outcome.pod).toBe(pod);
  });
});

describe('the trace ID format', () => {
  const pod: V1PodLike = { metadata: optedIn, spec: { containers: [{ name: 'app' }] } };
  const envOf = (spec: Parameters<typeof resolveSpec>[0]) => {
    const outcome = injectWithView(pod, 'shop', view, () => resolveSpec(spec));
    return outcome.pod.spec?.containers[0]?.env ?? [];
  };

  it('tells the preload to make W3C IDs only when the XRayTracing asks for them, so default pods are unchanged', () => {
    expect(envOf({ instrumentation: { traceIds: 'w3c' }, collector: { exporter: 'otlp' } })).toContainEqual({ name: 'XRAY_OPERATOR_TRACE_IDS', value: 'w3c' });
    expect(envOf({}).map((e) => e.name)).not.toContain('XRAY_OPERATOR_TRACE_IDS');
  });

  it('tells the preload to make middleware spans only when the XRayTracing asks for them', () => {
    expect(envOf({ instrumentation: { middlewareSpans: true } })).toContainEqual({ name: 'XRAY_OPERATOR_MIDDLEWARE_SPANS', value: 'true' });
    expect(envOf({ instrumentation: { middlewareSpans: false } }).map((e) => e.name)).not.toContain('XRAY_OPERATOR_MIDDLEWARE_SPANS');
  });
});
