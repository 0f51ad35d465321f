// The per-workload record (`xray-operator.dev/tracing-state` on the workload): what `kubectl get deploy -L` shows
// about one selected workload, from the same selection and pod states as the XRayTracing's fleet status. Pure.
import type { PodState } from '../api/types.js';
import type { TracingSelection } from '../selection/tracing-selection.js';
import { isLessAdvanced, podState, type FleetPod, type PodStateFound } from './fleet-status.js';

/** Why a selected workload gets no injection that is not a pod's: codes next to the webhook's SkipReasons. */
export type WorkloadSkipReason = 'NoXRayTracing' | 'AmbiguousXRayTracing' | 'NotServedByWebhook' | 'InvalidXRayTracing';

export interface WorkloadRecordInput {
  /** The selection of the workload's pod template (selectTracing with templateSubject). */
  selection: TracingSelection;
  /** Whether the webhook configuration's selectors let the workload's pods reach the webhook. */
  served: boolean;
  /** The selected XRayTracing's current config hash; undefined when its spec is invalid. */
  configHash: string | undefined;
  /** The workload's live pods. */
  pods: readonly FleetPod[];
}

const RECORDED: Record<Exclude<PodState, 'skipped'>, string> = { current: 'injected', outdated: 'outdated', uninjected: 'uninjected' };

const skipped = (reason: string): string => `skipped:${reason}`;

/**
 * The annotation's value: undefined for a workload nothing selects (the annotation is removed). A pod injected by
 * another XRayTracing than the one selecting the workload now counts as outdated: a roll moves it over.
 */
export function workloadTracingState(input: WorkloadRecordInput): string | undefined {
  const { selection } = input;
  if (selection.kind === 'notOptedIn' || selection.kind === 'optedOut') return undefined;
  if (selection.kind === 'missing') return skipped('NoXRayTracing' satisfies WorkloadSkipReason);
  if (selection.kind === 'ambiguous') return skipped('AmbiguousXRayTracing' satisfies WorkloadSkipReason);
  if (!input.served) return skipped('NotServedByWebhook' satisfies WorkloadSkipReason);
  if (input.configHash === undefined) return skipped('InvalidXRayTracing' satisfies WorkloadSkipReason);
  const name = selection.tracing.metadata.name ?? '';
  let least: PodStateFound | undefined;
  for (const pod of input.pods) {
    const found = podState(pod, name, input.configHash, true) ?? { state: 'outdated' };
    if (!least || isLessAdvanced(found.state, least.state)) least = found;
  }
  if (!least) return 'no-pods';
  return least.state === 'skipped' ? skipped(least.reason ?? 'Unknown') : RECORDED[least.state];
}
