// How many X-Ray groups each namespace's XRayTracings may own. X-Ray's group quota is per account and region and
// shared with every other cluster and tool there; as with sampling rules, the oldest XRayTracings are served first.
import type { ResolvedSpec } from '../api/types.js';
import { allocateBudget, type BudgetDecision, type BudgetWording, type Demand, type RuleBudget } from '../sampling/budget.js';

/**
 * One XRayTracing's default group and its 5 declared ones, each with a fault alarm (and so a fault companion); no
 * cluster cap beyond X-Ray's own quota.
 */
export const DEFAULT_GROUP_BUDGET: RuleBudget = Object.freeze({ perNamespace: 12 });

/** How many X-Ray groups the spec wants: a group with a fault alarm counts 2, itself and its fault companion. */
export function groupCount(spec: ResolvedSpec): number {
  const { defaultGroup, groups } = spec.monitoring;
  return [...(defaultGroup ? [defaultGroup] : []), ...groups].reduce((count, group) => count + (group.faultAlarm ? 2 : 1), 0);
}

const GROUP_WORDING: BudgetWording = {
  overNamespace: (demand, cap, used) =>
    `This XRayTracing needs ${demand.count} X-Ray groups (a group with a faultAlarm counts 2: it and its fault companion), but namespace ${demand.namespace} may own at most ${cap} ` +
    `and older XRayTracings there own ${used}; declare fewer groups or alarms, or ask the platform team to raise groupBudget.perNamespace`,
  overCluster: (demand, cap, used) =>
    `This XRayTracing needs ${demand.count} X-Ray groups (a group with a faultAlarm counts 2: it and its fault companion), but this cluster may own at most ${cap} ` +
    `and older XRayTracings own ${used}; ask the platform team to raise groupBudget.perCluster (and the account's X-Ray group quota)`,
};

/** The group decision for every demand (`count`: groups it wants), by uid. */
export function allocateGroupBudget(demands: readonly Demand[], budget: RuleBudget): Map<string, BudgetDecision> {
  return allocateBudget(demands, budget, GROUP_WORDING);
}
