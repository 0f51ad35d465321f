// Which pods the chart's MutatingWebhookConfiguration sends to the webhook: its namespaceSelector (which carries the
// excluded namespaces as a NotIn on kubernetes.io/metadata.name) and its objectSelector. The controller applies the
// same selection to workloads, so it never rolls a workload whose pods the webhook cannot see.
import { matchesLabelSelector, type LabelSelector } from './label-selector.js';

/** The label the API server puts on every Namespace, holding its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface WebhookSelection {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

/**
 * Whether the webhook sees pods made from a template with `templateLabels` in `namespace`. The namespace's own
 * name label is added, so an excluded namespace stays excluded even when its labels are not known yet.
 */
export function webhookServes(
  selection: WebhookSelection,
  namespace: string,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
  templateLabels: Readonly<Record<string, string>> | undefined,
): boolean {
  const labels = { ...namespaceLabels, [NAMESPACE_NAME_LABEL]: namespace };
  return matchesLabelSelector(selection.namespaceSelector, labels) && matchesLabelSelector(selection.objectSelector, templateLabels);
}
