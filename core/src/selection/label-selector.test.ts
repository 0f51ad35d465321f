import { describe, expect, it } from 'vitest';
import { labelSelectorProblems, matchesLabelSelector, type LabelSelector } from './label-selector.js';
import { webhookServes } from './webhook-selection.js';

describe('matchesLabelSelector', () => {
  const cases: [string, LabelSelector | undefined, Record<string, string> | undefined, boolean][] = [
    ['no selector matches everything', undefined, { app: 'web' }, true],
    ['an empty selector matches everything', {}, undefined, true],
    ['matchLabels equal', { matchLabels: { app: 'web' } }, { app: 'web', team: 'a' }, true],
    ['matchLabels different value', { matchLabels: { app: 'web' } }, { app: 'api' }, false],
    ['matchLabels missing key', { matchLabels: { app: 'web' } }, {}, false],
    ['In with the value', { matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] }, { team: 'b' }, true],
    ['In without the key', { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] }, {}, false],
    ['NotIn with a listed value', { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }, { team: 'a' }, false],
    ['NotIn without the key (as Kubernetes)', { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] }, undefined, true],
    ['Exists', { matchExpressions: [{ key: 'skip', operator: 'Exists' }] }, { skip: '' }, true],
    ['DoesNotExist with the key', { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] }, { skip: 'yes' }, false],
    ['DoesNotExist without the key', { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] }, { app: 'web' }, true],
    ['labels and expressions are ANDed', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'team', operator: 'Exists' }] }, { app: 'web' }, false],
    ['inherited keys are not labels', { matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {}, false],
  ];
  it.each(cases)('%s', (_name, selector, labels, expected) => {
    expect(matchesLabelSelector(selector, labels)).toBe(expected);
  });
});

describe('labelSelectorProblems', () => {
  it('accepts what the chart renders', () => {
    expect(labelSelectorProblems({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] })).toEqual([]);
    expect(labelSelectorProblems({})).toEqual([]);
  });

  it('names each bad field and what is allowed', () => {
    expect(labelSelectorProblems({ matchLabel: {}, matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'In' }] })).toEqual([
      'matchLabel: unknown field (allowed: matchLabels, matchExpressions)',
      'matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist',
      'matchExpressions[0].values: must be empty for Equals',
      'matchExpressions[1].values: must be empty for Exists',
      'matchExpressions[2].values: must be non-empty for In',
    ]);
    expect(labelSelectorProblems([])).toEqual(['must be an object with matchLabels and/or matchExpressions']);
  });
});

describe('webhookServes', () => {
  const selection = {
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn' as const, values: ['kube-system', 'xray-system', 'monitoring'] }] },
    objectSelector: { matchExpressions: [{ key: 'xray-operator.dev/skip', operator: 'DoesNotExist' as const }] },
  };

  it.each([
    ['a workload in a served namespace', 'shop', { app: 'web' }, true],
    ['an excluded namespace, even without cached labels', 'monitoring', { app: 'web' }, false],
    ['kube-system', 'kube-system', {}, false],
    ['a template the objectSelector leaves out', 'shop', { 'xray-operator.dev/skip': 'true' }, false],
  ])('%s', (_name, namespace, templateLabels, expected) => {
    expect(webhookServes(selection, namespace, undefined, templateLabels)).toBe(expected);
  });

  it('matches namespace labels from the cache', () => {
    const byTeam = { namespaceSelector: { matchLabels: { tracing: 'enabled' } } };
    expect(webhookServes(byTeam, 'shop', { tracing: 'enabled' }, {})).toBe(true);
    expect(webhookServes(byTeam, 'shop', {}, {})).toBe(false);
  });
});
