import { describe, expect, it } from 'vitest';
import { DEFAULTS } from './defaults.js';
import { compileEndpointAllowPattern } from './endpoint-policy.js';
import { validateXRayTracing } from './validate.js';

const tracing = (spec: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'tracing.xray-operator.dev/v1alpha1',
  kind: 'XRayTracing',
  metadata: { name: 'default', namespace: 'shop' },
  spec,
  ...extra,
});

const errorsOf = (obj: unknown) => {
  const result = validateXRayTracing(obj);
  return result.ok ? [] : result.errors;
};

describe('validateXRayTracing', () => {
  it('accepts an empty spec and resolves it to the built-in defaults', () => {
    const result = validateXRayTracing(tracing({}));
    expect(result).toMatchObject({ ok: true, spec: DEFAULTS });
  });

  it('treats a missing spec as an empty one without mutating the input', () => {
    const input = { apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name: 'x' } };
    const result = validateXRayTracing(input);
    expect(result.ok).toBe(true);
    expect(input).not.toHaveProperty('spec');
  });

  it('ignores status, which the operator writes and the API server validates', () => {
    const status = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(0) }], extra: 1 };
    const result = validateXRayTracing(tracing({}, { status }));
    expect(result.ok && result.tracing.status).toEqual(status);
  });

  it('accepts a full spec and resolves what it leaves out', () => {
    const result = validateXRayTracing(
      tracing({
        serviceNaming: { labelKeys: ['app'], prefixWithNamespace: true },
        resourceAttributes: { 'deployment.environment': 'prod' },
        propagators: ['tracecontext', 'xray'],
        instrumentation: { enabledInstrumentations: ['http', 'express'], env: [{ name: 'OTEL_LOG_LEVEL', value: 'info' }], resources: { limits: { memory: '128Mi' } } },
        collector: { region: 'eu-west-1', indexedAttributes: ['tenant'], batch: { timeout: '500ms' } },
        sampling: {
          fixedRate: 0.1,
          rules: [{ name: 'health', priority: 1, fixedRate: 0, reservoirSize: 0, urlPath: '/healthz', attributes: { 'http.route': '/h*' } }],
        },
        rollout: { restartOnChange: false },
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.collector.batch).toEqual({ timeout: '500ms', sendBatchSize: 50 });
    expect(result.spec.sampling).toMatchObject({ mode: 'centralized', fixedRate: 0.1, reservoirSize: 1, pollingIntervalSeconds: 60 });
    expect(result.spec.sampling.rules).toHaveLength(1);
  });

  it('lets an explicitly enabled instrumentation through the default disabled list', () => {
    const result = validateXRayTracing(tracing({ instrumentation: { enabledInstrumentations: ['http', 'fs'] } }));
    expect(result.ok && result.spec.instrumentation.disabledInstrumentations).toEqual(['dns']);
  });

  const invalid: { name: string; obj: unknown; path: string; message: RegExp }[] = [
    { name: 'not an object', obj: 'spec: {}', path: '', message: /must be an XRayTracing object/ },
    { name: 'wrong kind', obj: tracing({}, { kind: 'Tracing' }), path: 'kind', message: /must be "XRayTracing"/ },
    { name: 'wrong apiVersion', obj: tracing({}, { apiVersion: 'v1' }), path: 'apiVersion', message: /tracing.xray-operator.dev\/v1alpha1/ },
    { name: 'no name', obj: tracing({}, { metadata: {} }), path: 'metadata.name', message: /is required/ },
    { name: 'unknown field (kubectl strict validation)', obj: tracing({ colector: {} }), path: 'spec.colector', message: /unknown field; allowed fields: .*collector/ },
    { name: 'unknown mode', obj: tracing({ collector: { mode: 'daemonset' } }), path: 'spec.collector.mode', message: /one of "sidecar", "gateway", "none"/ },
    { name: 'fixedRate above 1', obj: tracing({ sampling: { fixedRate: 1.5 } }), path: 'spec.sampling.fixedRate', message: /<= 1 \(got 1.5\)/ },
    { name: 'polling below 10 s', obj: tracing({ sampling: { pollingIntervalSeconds: 5 } }), path: 'spec.sampling.pollingIntervalSeconds', message: />= 10/ },
    {
      name: 'rule name too long for X-Ray',
      obj: tracing({ sampling: { rules: [{ name: 'a'.repeat(24), priority: 1, fixedRate: 0, reservoirSize: 0 }] } }),
      path: 'spec.sampling.rules[0].name',
      message: /more than 23 characters/,
    },
    {
      name: 'rule priority of the catch-all',
      obj: tracing({ sampling: { rules: [{ name: 'a', priority: 9999, fixedRate: 0, reservoirSize: 0 }] } }),
      path: 'spec.sampling.rules[0].priority',
      message: /<= 9998/,
    },
    {
      name: 'rule without reservoirSize',
      obj: tracing({ sampling: { rules: [{ name: 'a', priority: 1, fixedRate: 0 }] } }),
      path: 'spec.sampling.rules[0].reservoirSize',
      message: /is required/,
    },
    {
      name: 'five rule attributes',
      obj: tracing({ sampling: { rules: [{ name: 'a', priority: 1, fixedRate: 0, reservoirSize: 0, attributes: { a: '1', b: '2', c: '3', d: '4', e: '5' } }] } }),
      path: 'spec.sampling.rules[0].attributes',
      message: /more than 4 properties/,
    },
    {
      name: 'duplicate rule names',
      obj: tracing({ sampling: { rules: [1, 2].map((p) => ({ name: 'same', priority: p, fixedRate: 0, reservoirSize: 0 })) } }),
      path: 'spec.sampling.rules[1].name',
      message: /duplicate sampling rule name "same"/,
    },
    { name: 'httpMethod too long', obj: tracing({ sampling: { rules: [{ name: 'a', priority: 1, fixedRate: 0, reservoirSize: 0, httpMethod: 'X'.repeat(11) }] } }), path: 'spec.sampling.rules[0].httpMethod', message: /more than 10/ },
    { name: 'duplicate propagators', obj: tracing({ propagators: ['xray', 'xray'] }), path: 'spec.propagators', message: /duplicates/ },
    { name: 'bad quantity', obj: tracing({ collector: { resources: { limits: { memory: 'lots' } } } }), path: 'spec.collector.resources.limits.memory', message: /must match/ },
    { name: 'bad duration', obj: tracing({ collector: { batch: { timeout: '1 second' } } }), path: 'spec.collector.batch.timeout', message: /must match/ },
    { name: 'gateway without endpoint', obj: tracing({ collector: { mode: 'gateway' }, sampling: { mode: 'local' } }), path: 'spec.collector.endpoint', message: /required when collector.mode is gateway/ },
    { name: 'rules in local mode', obj: tracing({ sampling: { mode: 'local', rules: [{ name: 'a', priority: 1, fixedRate: 0, reservoirSize: 0 }] } }), path: 'spec.sampling.rules', message: /only used in centralized mode/ },
    { name: 'enabled and disabled', obj: tracing({ instrumentation: { enabledInstrumentations: ['fs'], disabledInstrumentations: ['fs', 'dns'] } }), path: 'spec.instrumentation.disabledInstrumentations', message: /both enabled and disabled: fs/ },
    {
      name: 'resource attribute value over 255 characters',
      obj: tracing({ resourceAttributes: { team: 'x'.repeat(256) } }),
      path: 'spec.resourceAttributes.team',
      message: /more than 255 characters \(got 256\): the OpenTelemetry SDK ignores every resource attribute \(k8s.namespace.name too\)/,
    },
    {
      name: 'resource attribute key with a character the OTel env format would need encoded',
      obj: tracing({ resourceAttributes: { 'team=a': 'x' } }),
      path: 'spec.resourceAttributes',
      message: /attribute keys may contain only letters, digits and/,
    },
    {
      name: 'resource attribute key over 255 characters',
      obj: tracing({ resourceAttributes: { ['k'.repeat(256)]: 'x' } }),
      path: 'spec.resourceAttributes',
      message: /1 to 255 characters: the OpenTelemetry SDK ignores/,
    },
    { name: 'duplicate env', obj: tracing({ instrumentation: { env: [{ name: 'A' }, { name: 'A', value: 'x' }] } }), path: 'spec.instrumentation.env[1].name', message: /duplicate env var "A"/ },
  ];

  it.each(invalid)('rejects $name with the field and what is allowed', ({ obj, path, message }) => {
    const errors = errorsOf(obj);
    expect(errors).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('reports every schema error at once', () => {
    const errors = errorsOf(tracing({ collector: { mode: 'x', debug: 'yes' }, sampling: { fixedRate: -1 } }));
    expect(errors.map((e) => e.path).sort()).toEqual(['spec.collector.debug', 'spec.collector.mode', 'spec.sampling.fixedRate']);
  });
});

describe('X-Ray endpoints an XRayTracing may name', () => {
  const withEndpoint = (awsEndpoint: string, awsEndpointAllowPattern?: RegExp) => {
    const result = validateXRayTracing(tracing({ collector: { awsEndpoint } }), awsEndpointAllowPattern ? { awsEndpointAllowPattern } : undefined);
    return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
  };

  it.each([
    'https://xray.eu-west-1.amazonaws.com',
    'https://vpce-0abc-xyz.xray.eu-west-1.vpce.amazonaws.com:443/',
    'http://127.0.0.1:4566',
    'http://localhost:5000',
    'http://[::1]:2000',
  ])('accepts %s without an installation pattern', (endpoint) => {
    expect(withEndpoint(endpoint)).toEqual([]);
  });

  it.each([
    ['a collector expansion in the path', 'https://xray.amazonaws.com/${file:/var/run/secrets/eks.amazonaws.com/serviceaccount/token}'],
    ['a kubelet expansion', 'https://xray.amazonaws.com/$(AWS_SECRET_ACCESS_KEY)'],
    ['userinfo', 'https://attacker.example@xray.eu-west-1.amazonaws.com'],
    ['a query', 'https://xray.eu-west-1.amazonaws.com/?x=1'],
    ['no host', 'https:///path'],
  ])('rejects %s in the URL', (_what, endpoint) => {
    expect(withEndpoint(endpoint)).toEqual([expect.stringMatching(/^spec\.collector\.awsEndpoint: must match/)]);
  });

  it('rejects clear-text http off the pod, and says how the installation can allow it', () => {
    expect(withEndpoint('http://collector-sink.other-ns:4566')).toEqual([
      expect.stringContaining('spec.collector.awsEndpoint: must be https, or http to a loopback address (got "http://collector-sink.other-ns:4566"); the installation can allow others with Helm aws.endpointAllowPattern'),
    ]);
  });

  it('lets the installation pattern decide, matching the whole URL', () => {
    const pattern = compileEndpointAllowPattern('https://xray\\.[a-z0-9-]+\\.amazonaws\\.com|http://10\\.44\\.0\\.1:[0-9]+');
    expect(withEndpoint('http://10.44.0.1:4566', pattern)).toEqual([]);
    expect(withEndpoint('https://xray.eu-west-1.amazonaws.com', pattern)).toEqual([]);
    expect(withEndpoint('https://xray.eu-west-1.amazonaws.com.evil.example', pattern)).toEqual([
      expect.stringContaining("must match the installation's allowed X-Ray endpoints"),
    ]);
    expect(withEndpoint('http://127.0.0.1:4566', pattern)).toHaveLength(1);
  });
});
