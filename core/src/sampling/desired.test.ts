import { describe, expect, it } from 'vitest';
import { RuleTags } from '../constants.js';
import { resolveSpec } from '../api/defaults.js';
import type { XRayTracing, XRayTracingSpec } from '../api/types.js';
import { desiredSamplingRules } from './desired.js';
import { OPERATOR_RULE_NAME, ownerNameSuffix } from './naming.js';

const tracing = (spec: XRayTracingSpec, namespace = 'shop', name = 'default'): XRayTracing => ({
  apiVersion: 'tracing.xray-operator.dev/v1alpha1',
  kind: 'XRayTracing',
  metadata: { name, namespace },
  spec,
});
const desired = (spec: XRayTracingSpec, namespace = 'shop', name = 'default', cluster = 'prod') =>
  desiredSamplingRules(tracing(spec, namespace, name), resolveSpec(spec), cluster);

const healthRule = { name: 'health', priority: 1, fixedRate: 0, reservoirSize: 0, urlPath: '/healthz' };

describe('desiredSamplingRules', () => {
  it('gives an empty spec one catch-all rule scoped to the namespace, with the namespace default rate', () => {
    const { rules, tags } = desired({});
    expect(rules).toEqual([
      {
        specName: 'default',
        rule: {
          RuleName: `default${ownerNameSuffix({ clusterName: 'prod', namespace: 'shop', name: 'default' })}`,
          ResourceARN: '*',
          Priority: 9999,
          FixedRate: 0.05,
          ReservoirSize: 1,
          ServiceName: '*',
          ServiceType: '*',
          Host: '*',
          HTTPMethod: '*',
          URLPath: '*',
          Version: 1,
          Attributes: { 'k8s.namespace.name': 'shop' },
        },
      },
    ]);
    expect(tags).toEqual({ [RuleTags.managedBy]: 'xray-operator', [RuleTags.cluster]: 'prod', [RuleTags.namespace]: 'shop', [RuleTags.name]: 'default' });
  });

  it('turns spec rules into X-Ray rules, before the catch-all, keeping user attributes next to the namespace scope', () => {
    const { rules } = desired({ sampling: { rules: [{ ...healthRule, httpMethod: 'GET', attributes: { 'http.route': '/h*' } }] } });
    expect(rules.map((r) => r.specName)).toEqual(['health', 'default']);
    expect(rules[0]!.rule).toMatchObject({
      Priority: 1,
      FixedRate: 0,
      ReservoirSize: 0,
      URLPath: '/healthz',
      HTTPMethod: 'GET',
      Host: '*',
      Attributes: { 'http.route': '/h*', 'k8s.namespace.name': 'shop' },
    });
  });

  it('wants no rules in local mode, so a sync removes what centralized mode created', () => {
    expect(desired({ sampling: { mode: 'local' } }).rules).toEqual([]);
  });

  const nameCases = [
    { what: 'another cluster', a: ['prod', 'shop', 'default'], b: ['staging', 'shop', 'default'] },
    { what: 'another namespace', a: ['prod', 'shop', 'default'], b: ['prod', 'cart', 'default'] },
    { what: 'another XRayTracing', a: ['prod', 'shop', 'default'], b: ['prod', 'shop', 'canary'] },
  ];
  it.each(nameCases)('derives different rule names for $what', ({ a, b }) => {
    const [ca, na, ta] = a as [string, string, string];
    const [cb, nb, tb] = b as [string, string, string];
    expect(desired({}, na, ta, ca).rules[0]!.rule.RuleName).not.toBe(desired({}, nb, tb, cb).rules[0]!.rule.RuleName);
  });

  it('keeps every derived name within 32 characters and recognisable as operator-owned', () => {
    const longest = 'a'.repeat(23);
    const { rules } = desired({ sampling: { rules: [{ ...healthRule, name: longest }] } }, 'n'.repeat(63), 'x'.repeat(253));
    for (const { rule } of rules) {
      expect(rule.RuleName.length).toBeLessThanOrEqual(32);
      expect(rule.RuleName).toMatch(OPERATOR_RULE_NAME);
    }
  });

  it('shortens a namespace longer than 32 characters to a 31-character prefix and *', () => {
    const namespace = 'a-very-long-namespace-name-for-the-payments-team';
    const attributes = desired({}, namespace).rules[0]!.rule.Attributes!;
    expect(attributes['k8s.namespace.name']).toBe(`${namespace.slice(0, 31)}*`);
    expect(attributes['k8s.namespace.name']).toHaveLength(32);
  });

  it('prefixes service names with the namespace when pods are named that way', () => {
    const spec = { serviceNaming: { prefixWithNamespace: true }, sampling: { rules: [{ ...healthRule, serviceName: 'checkout' }] } };
    const { rules } = desired(spec);
    expect(rules[0]!.rule.ServiceName).toBe('shop.checkout');
    expect(rules[1]!.rule.ServiceName).toBe('*');
    expect(desired({ sampling: { rules: [{ ...healthRule, serviceName: 'checkout' }] } }).rules[0]!.rule.ServiceName).toBe('checkout');
  });

  it('is deterministic', () => {
    const spec = { sampling: { rules: [healthRule] } };
    expect(desired(spec)).toEqual(desired(spec));
  });
});
