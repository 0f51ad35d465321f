import { describe, expect, it } from 'vitest';
import { RuleTags } from '../constants.js';
import { resolveSpec } from '../api/defaults.js';
import type { XRayTracingSpec } from '../api/types.js';
import { desiredSamplingRules } from './desired.js';
import { planSamplingSync, XRAY_DEFAULT_RULE_NAME } from './plan.js';
import type { DesiredSamplingRules, ObservedSamplingRule, XRaySamplingRule } from './types.js';

const want = (spec: XRayTracingSpec, name = 'default'): DesiredSamplingRules =>
  desiredSamplingRules({ apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name, namespace: 'shop' }, spec }, resolveSpec(spec), 'prod');

const rules = [
  { name: 'health', priority: 1, fixedRate: 0, reservoirSize: 0, urlPath: '/healthz' },
  { name: 'checkout', priority: 10, fixedRate: 0.5, reservoirSize: 2, serviceName: 'checkout' },
];
const desired = want({ sampling: { rules } });

/** What X-Ray would hold after creating the desired rules. */
const asObserved = (d: DesiredSamplingRules): ObservedSamplingRule[] =>
  d.rules.map((r) => ({ rule: { ...r.rule, RuleARN: `arn:aws:xray:us-east-1:123456789012:sampling-rule/${r.rule.RuleName}` }, tags: { ...d.tags } }));

const xrayDefault: ObservedSamplingRule = {
  rule: { RuleName: 'Default', ResourceARN: '*', Priority: 10000, FixedRate: 0.05, ReservoirSize: 1, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1 },
  tags: {},
};

const names = (list: { rule: XRaySamplingRule }[]) => list.map((x) => x.rule.RuleName);

describe('planSamplingSync', () => {
  it('creates every desired rule in an account holding only the Default rule', () => {
    const plan = planSamplingSync(desired, [xrayDefault]);
    expect(names(plan.creates)).toEqual(names(desired.rules));
    expect(plan).toMatchObject({ updates: [], deletes: [], conflicts: [] });
  });

  it('plans nothing when X-Ray already holds the desired rules', () => {
    const plan = planSamplingSync(desired, [xrayDefault, ...asObserved(desired)]);
    expect(plan).toMatchObject({ creates: [], updates: [], deletes: [], conflicts: [] });
    expect(plan.unchanged).toHaveLength(3);
  });

  const drifts: { field: keyof XRaySamplingRule; edit: (r: XRaySamplingRule) => XRaySamplingRule }[] = [
    { field: 'FixedRate', edit: (r) => ({ ...r, FixedRate: 1 }) },
    { field: 'Priority', edit: (r) => ({ ...r, Priority: 5000 }) },
    { field: 'ReservoirSize', edit: (r) => ({ ...r, ReservoirSize: 100 }) },
    { field: 'URLPath', edit: (r) => ({ ...r, URLPath: '*' }) },
    { field: 'ServiceName', edit: (r) => ({ ...r, ServiceName: 'other' }) },
    { field: 'ServiceType', edit: (r) => ({ ...r, ServiceType: 'AWS::EC2::Instance' }) },
    { field: 'HTTPMethod', edit: (r) => ({ ...r, HTTPMethod: 'POST' }) },
    { field: 'Host', edit: (r) => ({ ...r, Host: 'example.com' }) },
    { field: 'ResourceARN', edit: (r) => ({ ...r, ResourceARN: 'arn:aws:eks:*' }) },
    { field: 'Attributes', edit: (r) => ({ ...r, Attributes: { 'k8s.namespace.name': '*' } }) },
    { field: 'Attributes', edit: (r) => ({ ...r, Attributes: undefined }) },
  ];
  it.each(drifts)('updates a rule whose $field was edited outside the operator', ({ field, edit }) => {
    const observed = asObserved(desired);
    observed[0] = { ...observed[0]!, rule: edit(observed[0]!.rule) };
    const plan = planSamplingSync(desired, observed);
    expect(plan.updates).toHaveLength(1);
    expect(plan.updates[0]!.changed).toEqual([field]);
    expect(plan.updates[0]!.desired.rule).toEqual(desired.rules[0]!.rule);
    expect(plan).toMatchObject({ creates: [], deletes: [] });
  });

  it('deletes and creates again a rule whose Version differs (Version is create-only)', () => {
    const observed = asObserved(desired);
    observed[1] = { ...observed[1]!, rule: { ...observed[1]!.rule, Version: 2 } };
    const plan = planSamplingSync(desired, observed);
    expect(names(plan.deletes)).toEqual([observed[1].rule.RuleName]);
    expect(names(plan.creates)).toEqual([observed[1].rule.RuleName]);
    expect(plan.updates).toEqual([]);
  });

  it('deletes owned rules that left the spec, and everything owned in local mode', () => {
    const smaller = want({ sampling: { rules: rules.slice(1) } });
    expect(names(planSamplingSync(smaller, asObserved(desired)).deletes)).toEqual([desired.rules[0]!.rule.RuleName]);
    const local = want({ sampling: { mode: 'local' } });
    expect(names(planSamplingSync(local, asObserved(desired)).deletes)).toEqual(names(desired.rules));
  });

  const foreignTags: { what: string; tags: (t: Record<string, string>) => Record<string, string> }[] = [
    { what: 'no tags', tags: () => ({}) },
    { what: 'another cluster', tags: (t) => ({ ...t, [RuleTags.cluster]: 'staging' }) },
    { what: 'another namespace', tags: (t) => ({ ...t, [RuleTags.namespace]: 'cart' }) },
    { what: 'another XRayTracing', tags: (t) => ({ ...t, [RuleTags.name]: 'canary' }) },
    { what: 'another manager', tags: (t) => ({ ...t, [RuleTags.managedBy]: 'terraform' }) },
  ];
  it.each(foreignTags)('never deletes or updates a rule tagged for $what', ({ tags }) => {
    const foreign = asObserved(desired).map((o) => ({ ...o, tags: tags(o.tags), rule: { ...o.rule, FixedRate: 0.9 } }));
    expect(planSamplingSync(want({ sampling: { mode: 'local' } }), [xrayDefault, ...foreign])).toMatchObject({ deletes: [], updates: [], creates: [] });
    const plan = planSamplingSync(desired, [xrayDefault, ...foreign]);
    expect(plan).toMatchObject({ deletes: [], updates: [], creates: [] });
    expect(plan.conflicts).toEqual(names(desired.rules));
  });

  it('reports a desired name held by a rule it does not own instead of creating or touching it', () => {
    const observed = asObserved(desired);
    observed[0] = { ...observed[0]!, tags: {} };
    const plan = planSamplingSync(desired, observed);
    expect(plan.conflicts).toEqual([desired.rules[0]!.rule.RuleName]);
    expect(names(plan.creates)).toEqual([]);
    expect(plan.deletes).toEqual([]);
  });

  it('never plans on the Default rule, even if it carries our tags', () => {
    const taggedDefault = { ...xrayDefault, tags: { ...desired.tags } };
    const plan = planSamplingSync(want({ sampling: { mode: 'local' } }), [taggedDefault]);
    expect(plan).toMatchObject({ deletes: [], updates: [], creates: [], unchanged: [] });
    expect(XRAY_DEFAULT_RULE_NAME).toBe('Default');
  });
});
