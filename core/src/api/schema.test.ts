import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluate } from '@marcbachmann/cel-js';
import { describe, expect, it } from 'vitest';
import { CRD_FILE, renderCrdYaml } from './crd-yaml.js';
import { crossFieldErrors } from './cross-field.js';
import { DEFAULTS } from './defaults.js';
import type { JSONSchema } from './schema-builders.js';
import { ResourceAttributeLimits, SamplingLimits, openAPIV3Schema, specSchema, xrayTracingCrd } from './schema.js';
import type { XRayTracingSpec } from './types.js';

/** Every (path, node) of a schema; `[]` marks list items, `{}` map values. */
function* walk(schema: JSONSchema, path = ''): Generator<[string, JSONSchema]> {
  yield [path, schema];
  for (const [key, child] of Object.entries(schema.properties ?? {})) yield* walk(child, path ? `${path}.${key}` : key);
  if (schema.items) yield* walk(schema.items, `${path}[]`);
  if (typeof schema.additionalProperties === 'object') yield* walk(schema.additionalProperties, `${path}{}`);
}

/** Evaluates the schema's CEL rules over an object like the API server does; returns the failing field paths. */
function celFailures(schema: JSONSchema, value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  const own = (schema['x-kubernetes-validations'] ?? [])
    .filter((rule) => evaluate(rule.rule, { self: value }) !== true)
    .map((rule) => path + (rule.fieldPath ?? ''));
  const children: string[] = [];
  if (schema.properties && typeof value === 'object') {
    for (const [key, child] of Object.entries(schema.properties)) {
      children.push(...celFailures(child, (value as Record<string, unknown>)[key], `${path}.${key}`));
    }
  }
  if (schema.items && Array.isArray(value)) value.forEach((item, i) => children.push(...celFailures(schema.items!, item, `${path}[${i}]`)));
  return [...own, ...children];
}

describe('XRayTracing CRD schema', () => {
  it('matches the committed CRD file (run `npm run gen:crd` after changing schema.ts)', () => {
    const committed = readFileSync(fileURLToPath(new URL(`../../../${CRD_FILE}`, import.meta.url)), 'utf8');
    expect(committed).toBe(renderCrdYaml());
  });

  it('names the resource as the architecture fixes it', () => {
    const crd = xrayTracingCrd() as { metadata: { name: string }; spec: Record<string, unknown> & { names: object; versions: Record<string, unknown>[] } };
    expect(crd.metadata.name).toBe('xraytracings.tracing.xray-operator.dev');
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names).toMatchObject({ kind: 'XRayTracing', plural: 'xraytracings', shortNames: ['xrt'] });
    expect((crd.spec.names as { categories: string[] }).categories).not.toContain('all');
    const [version] = crd.spec.versions;
    expect(version).toMatchObject({ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } });
    expect((version!.additionalPrinterColumns as { name: string }[]).map((c) => c.name)).toEqual(['Ready', 'Sampling', 'Injected', 'Pods', 'Outdated', 'Skipped', 'Uninjected', 'Queued', 'RolledBack', 'Export', 'Age']);
  });

  it('describes every field for kubectl explain', () => {
    const undocumented = [...walk(openAPIV3Schema)].filter(([path, node]) => path !== 'metadata' && !node.description).map(([path]) => path);
    expect(undocumented).toEqual([]);
  });

  it('bounds every string, list and map of the spec so CEL stays within the cost budget', () => {
    const unbounded = [...walk(specSchema, 'spec')]
      .filter(([, n]) =>
        n.type === 'string' ? n.maxLength === undefined && n.enum === undefined
        : n.type === 'array' ? n.maxItems === undefined
        : n.type === 'object' && n.additionalProperties ? n.maxProperties === undefined
        : false,
      )
      .map(([path]) => path);
    expect(unbounded).toEqual([]);
  });

  it('declares only defaults equal to the built-in DEFAULTS', () => {
    const defaulted = [...walk(specSchema)].filter(([path, n]) => path !== '' && n.default !== undefined);
    expect(defaulted.length).toBeGreaterThan(10);
    for (const [path, node] of defaulted) {
      const builtIn = path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown>)[key], DEFAULTS);
      expect({ path, default: node.default }).toEqual({ path, default: builtIn });
    }
  });

  it('caps resource attribute values at the OpenTelemetry SDK limit of 255 characters', () => {
    const values = specSchema.properties?.resourceAttributes?.additionalProperties as JSONSchema;
    expect(values.maxLength).toBe(255);
    expect(ResourceAttributeLimits.maxKeyLength).toBe(255);
  });

  it('describes where collector.endpoint is used in sidecar mode and what happens without samplingEndpoint', () => {
    const collector = specSchema.properties?.collector?.properties;
    expect(collector?.endpoint?.description).toMatch(/Sidecar mode: where pods without a sidecar export/);
    expect(collector?.endpoint?.description).not.toMatch(/gateway mode only/i);
    expect(collector?.samplingEndpoint?.description).toMatch(/sample locally at sampling.fixedRate/);
  });

  it('keeps derived X-Ray rule names within 32 characters', () => {
    expect(SamplingLimits.ruleNameMaxLength + '-'.length + 8).toBeLessThanOrEqual(32);
    expect(SamplingLimits.maxRulePriority).toBeLessThan(SamplingLimits.catchAllPriority);
  });
});

describe('CEL rules and their TypeScript mirror', () => {
  const rule = { name: 'checkout', priority: 10, fixedRate: 0.5, reservoirSize: 1 };
  const cases: { name: string; spec: XRayTracingSpec; failing: string[] }[] = [
    { name: 'empty spec', spec: {}, failing: [] },
    { name: 'gateway without endpoint', spec: { collector: { mode: 'gateway', samplingEndpoint: 'http://gw:2000' } }, failing: ['spec.collector.endpoint'] },
    {
      name: 'gateway with centralized sampling needs the sampling proxy',
      spec: { collector: { mode: 'gateway', endpoint: 'http://gw:4318' } },
      failing: ['spec.collector.samplingEndpoint'],
    },
    { name: 'gateway with local sampling', spec: { collector: { mode: 'gateway', endpoint: 'http://gw:4318' }, sampling: { mode: 'local' } }, failing: [] },
    { name: 'sidecar without endpoint', spec: { collector: { mode: 'sidecar' } }, failing: [] },
    {
      name: 'overlapping instrumentations',
      spec: { instrumentation: { enabledInstrumentations: ['http', 'fs'], disabledInstrumentations: ['fs'] } },
      failing: ['spec.instrumentation.disabledInstrumentations'],
    },
    { name: 'disjoint instrumentations', spec: { instrumentation: { enabledInstrumentations: ['http'], disabledInstrumentations: ['fs'] } }, failing: [] },
    { name: 'rules in local mode', spec: { sampling: { mode: 'local', rules: [rule] } }, failing: ['spec.sampling.rules'] },
    { name: 'rules in centralized mode', spec: { sampling: { mode: 'centralized', rules: [rule] } }, failing: [] },
    { name: 'reserved rule name', spec: { sampling: { rules: [{ ...rule, name: 'default' }] } }, failing: ['spec.sampling.rules[0].name'] },
    {
      name: 'namespace attribute taken by the operator',
      spec: { sampling: { rules: [{ ...rule, attributes: { 'k8s.namespace.name': 'other' } }] } },
      failing: ['spec.sampling.rules[0].attributes'],
    },
    {
      name: 'attribute key longer than 32',
      spec: { sampling: { rules: [{ ...rule, attributes: { ['k'.repeat(33)]: 'v' } }] } },
      failing: ['spec.sampling.rules[0].attributes'],
    },
    { name: 'resource attribute key too long', spec: { resourceAttributes: { ['k'.repeat(256)]: 'v' } }, failing: ['spec.resourceAttributes'] },
    { name: 'non-ASCII resource attribute key', spec: { resourceAttributes: { 'équipe': 'v' } }, failing: ['spec.resourceAttributes'] },
    {
      name: 'resource attribute keys the OTel env format and kubelet take as is',
      spec: { resourceAttributes: { 'deployment.environment': 'prod', 'k8s.pod.label.app.kubernetes.io/name': 'shop', "a!#&'*+^_`|~-": 'x' } },
      failing: [],
    },
    { name: 'w3c trace IDs with the otlp export', spec: { instrumentation: { traceIds: 'w3c' }, collector: { exporter: 'otlp' } }, failing: [] },
    { name: 'w3c trace IDs without a collector (the preload exports OTLP)', spec: { instrumentation: { traceIds: 'w3c' }, collector: { mode: 'none' } }, failing: [] },
    { name: 'no collector with the awsxray exporter', spec: { collector: { mode: 'none', exporter: 'xray' } }, failing: ['spec.collector.exporter'] },
    { name: 'no collector with auto or otlp', spec: { collector: { mode: 'none', exporter: 'otlp' } }, failing: [] },
    { name: 'w3c trace IDs where auto may pick awsxray', spec: { instrumentation: { traceIds: 'w3c' } }, failing: ['spec.instrumentation.traceIds'] },
    { name: 'resource attribute claiming another namespace', spec: { resourceAttributes: { 'k8s.namespace.name': 'payments' } }, failing: ['spec.resourceAttributes'] },
    { name: 'resource attribute the operator sets (cloud.*)', spec: { resourceAttributes: { 'cloud.platform': 'gcp' } }, failing: ['spec.resourceAttributes'] },
    { name: 'resource attribute service.name', spec: { resourceAttributes: { 'service.name': 'other' } }, failing: ['spec.resourceAttributes'] },
    { name: 'pod label and annotation attributes, which the operator never sets', spec: { resourceAttributes: { 'k8s.pod.annotation.owner': 'a', 'service.version': '1' } }, failing: [] },
    { name: 'resource attribute key with =', spec: { resourceAttributes: { 'a=b': 'v' } }, failing: ['spec.resourceAttributes'] },
    { name: 'resource attribute key with a comma', spec: { resourceAttributes: { 'a,b': 'v' } }, failing: ['spec.resourceAttributes'] },
    { name: 'resource attribute key with %', spec: { resourceAttributes: { 'a%20b': 'v' } }, failing: ['spec.resourceAttributes'] },
    { name: 'resource attribute key with a kubelet reference', spec: { resourceAttributes: { '$(POD)': 'v' } }, failing: ['spec.resourceAttributes'] },
    { name: 'resource attribute key with a space', spec: { resourceAttributes: { 'team name': 'v' } }, failing: ['spec.resourceAttributes'] },
    { name: 'empty resource attribute key', spec: { resourceAttributes: { '': 'v' } }, failing: ['spec.resourceAttributes', 'spec.resourceAttributes'] },
    {
      name: 'monitoring with every option in range',
      spec: {
        monitoring: {
          defaultGroup: { insights: { enabled: true, notifications: true }, faultAlarm: { threshold: 0.1, periodSeconds: 300, evaluationPeriods: 288, datapointsToAlarm: 3 } },
          groups: [{ name: 'checkout', filterExpression: 'fault', insights: { enabled: false } }],
        },
      },
      failing: [],
    },
    { name: 'insights notifications without insights', spec: { monitoring: { defaultGroup: { insights: { notifications: true } } } }, failing: ['spec.monitoring.defaultGroup.insights.notifications'] },
    { name: 'group named default', spec: { monitoring: { groups: [{ name: 'default', filterExpression: 'fault' }] } }, failing: ['spec.monitoring.groups[0].name'] },
    { name: 'alarm period not a whole minute', spec: { monitoring: { groups: [{ name: 'a', filterExpression: 'fault', faultAlarm: { threshold: 0.1, periodSeconds: 90 } }] } }, failing: ['spec.monitoring.groups[0].faultAlarm.periodSeconds'] },
    { name: 'alarm looking back more than a day', spec: { monitoring: { defaultGroup: { faultAlarm: { threshold: 0.1, periodSeconds: 3600, evaluationPeriods: 25 } } } }, failing: ['spec.monitoring.defaultGroup.faultAlarm.evaluationPeriods'] },
    { name: 'more datapoints than periods', spec: { monitoring: { defaultGroup: { faultAlarm: { threshold: 0.1, datapointsToAlarm: 6 } } } }, failing: ['spec.monitoring.defaultGroup.faultAlarm.datapointsToAlarm'] },
  ];

  it.each(cases)('$name: the API server (CEL) and validate.ts reject the same fields', ({ spec, failing }) => {
    expect(celFailures(specSchema, spec, 'spec').sort()).toEqual([...failing].sort());
    expect(crossFieldErrors(spec).map((e) => e.path).sort()).toEqual([...failing].sort());
  });
});
