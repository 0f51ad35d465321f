import { describe, expect, it } from 'vitest';
import { validateXRayTracing } from './validate.js';

const errorsOf = (spec: unknown) => {
  const result = validateXRayTracing({ apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name: 'default' }, spec });
  return result.ok ? [] : result.errors;
};

describe('selector, selectAll and exclude in the spec', () => {
  it.each([
    ['a selector', { selector: { matchLabels: { app: 'web' } } }],
    ['selectAll with exclude', { selectAll: true, exclude: { selector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, workloads: [{ name: 'legacy', kind: 'Deployment' }, { name: 'cron' }] } }],
    ['exclude alone (narrows the namespace\'s opt-in)', { exclude: { workloads: [{ name: 'legacy' }] } }],
  ])('accepts %s', (_name, spec) => {
    expect(errorsOf(spec)).toEqual([]);
  });

  it.each([
    ['selector with selectAll', { selectAll: true, selector: { matchLabels: { app: 'web' } } }, 'spec.selectAll', 'selector and selectAll are exclusive'],
    ['an empty selector', { selector: {} }, 'spec.selector', 'a selector needs matchLabels or matchExpressions; to select every pod of the namespace set selectAll: true'],
    ['an empty exclude selector', { exclude: { selector: { matchLabels: {} } } }, 'spec.exclude.selector', 'a selector needs matchLabels or matchExpressions'],
    ['In without values', { selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }, 'spec.selector.matchExpressions[0].values', 'values must be non-empty for In and NotIn'],
    ['Exists with values', { selector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } }, 'spec.selector.matchExpressions[0].values', 'and empty for Exists and DoesNotExist'],
    ['an unknown operator', { selector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] } }, 'spec.selector.matchExpressions[0].operator', 'must be one of "In", "NotIn", "Exists", "DoesNotExist"'],
    ['an unknown workload kind', { exclude: { workloads: [{ name: 'x', kind: 'Pod' }] } }, 'spec.exclude.workloads[0].kind', 'must be one of "Deployment"'],
    ['a workload without a name', { exclude: { workloads: [{ kind: 'Deployment' }] } }, 'spec.exclude.workloads[0].name', 'is required'],
  ])('rejects %s, saying where and why', (_name, spec, path, message) => {
    const errors = errorsOf(spec);
    expect(errors).toContainEqual({ path, message: expect.stringContaining(message) as string });
  });
});
