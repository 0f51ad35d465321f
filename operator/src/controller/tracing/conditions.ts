// Kubernetes condition bookkeeping: lastTransitionTime moves only when a condition's status changes, so writing
// the same observations twice yields an identical status (no status-update hot loop).
import type { Condition } from '../../../../core/src/api/types.js';

export const ConditionTypes = {
  ready: 'Ready',
  collectorConfigReady: 'CollectorConfigReady',
  samplingRulesSynced: 'SamplingRulesSynced',
  exportReady: 'ExportReady',
  /** True while workloads injected from this XRayTracing are rolled back after their pods crashed (not part of Ready). */
  rolledBack: 'RolledBack',
} as const;

export type ConditionInput = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

/** The new conditions, each keeping its previous lastTransitionTime when its status did not change. */
export function mergeConditions(previous: readonly Condition[] | undefined, next: readonly ConditionInput[], generation: number | undefined, now: Date): Condition[] {
  return next.map((condition) => {
    const before = previous?.find((c) => c.type === condition.type);
    const lastTransitionTime = before && before.status === condition.status ? before.lastTransitionTime : now.toISOString();
    return { ...condition, lastTransitionTime, ...(generation === undefined ? {} : { observedGeneration: generation }) };
  });
}

export interface ConditionTransition {
  type: string;
  from: Condition['status'] | undefined;
  to: Condition;
}

/** Conditions whose status or reason changed: what deserves an Event. */
export function conditionTransitions(previous: readonly Condition[] | undefined, next: readonly Condition[]): ConditionTransition[] {
  return next.flatMap((condition) => {
    const before = previous?.find((c) => c.type === condition.type);
    if (before && before.status === condition.status && before.reason === condition.reason) return [];
    return [{ type: condition.type, from: before?.status, to: condition }];
  });
}
