// Kubernetes label selectors (metav1.LabelSelector) as the API server evaluates a webhook's namespaceSelector and
// objectSelector: matchLabels and matchExpressions ANDed; an empty selector matches everything. Pure, so the
// controller can tell which workloads the webhook can see without asking the API server.

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
export const LABEL_SELECTOR_OPERATORS: readonly LabelSelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values?: readonly string[];
}

export interface LabelSelector {
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly LabelSelectorRequirement[];
}

type Labels = Readonly<Record<string, string>> | undefined;

function matchesRequirement(requirement: LabelSelectorRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case 'In':
      return has && (requirement.values ?? []).includes(value ?? '');
    // As in Kubernetes: a missing key satisfies NotIn.
    case 'NotIn':
      return !has || !(requirement.values ?? []).includes(value ?? '');
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

export function matchesLabelSelector(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels?.[key] === value);
  return byLabels && (selector.matchExpressions ?? []).every((requirement) => matchesRequirement(requirement, labels));
}

/** Whether `value` is a well-formed LabelSelector; the problems found, each naming the field and what is allowed. */
export function labelSelectorProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['must be an object with matchLabels and/or matchExpressions'];
  const problems: string[] = [];
  const { matchLabels, matchExpressions, ...rest } = value as Record<string, unknown>;
  for (const field of Object.keys(rest)) problems.push(`${field}: unknown field (allowed: matchLabels, matchExpressions)`);
  if (matchLabels !== undefined && (typeof matchLabels !== 'object' || matchLabels === null || Array.isArray(matchLabels) || Object.values(matchLabels).some((v) => typeof v !== 'string'))) {
    problems.push('matchLabels: must map label keys to string values');
  }
  if (matchExpressions !== undefined && !Array.isArray(matchExpressions)) problems.push('matchExpressions: must be a list');
  for (const [index, requirement] of (Array.isArray(matchExpressions) ? matchExpressions : []).entries()) {
    const { key, operator, values } = (requirement ?? {}) as Record<string, unknown>;
    const at = `matchExpressions[${index}]`;
    if (typeof key !== 'string' || key === '') problems.push(`${at}.key: must be a non-empty string`);
    if (!LABEL_SELECTOR_OPERATORS.includes(operator as LabelSelectorOperator)) problems.push(`${at}.operator: must be one of ${LABEL_SELECTOR_OPERATORS.join(', ')}`);
    if (values !== undefined && (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))) problems.push(`${at}.values: must be a list of strings`);
    const needsValues = operator === 'In' || operator === 'NotIn';
    const count = Array.isArray(values) ? values.length : 0;
    if (needsValues && count === 0) problems.push(`${at}.values: must be non-empty for ${String(operator)}`);
    if (!needsValues && count > 0) problems.push(`${at}.values: must be empty for ${String(operator)}`);
  }
  return problems;
}
