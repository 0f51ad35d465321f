// How many X-Ray groups each namespace's XRayTracings may own. X-Ray's group quota is per account and region and
// shared with every other cluster and tool there; as with sampling rules, the oldest XRayTracings are served first.
import { allocateBudget, type BudgetDecision, type BudgetWording, type Demand, type RuleBudget } from '../sampling/budget.js';

/** One XRayTracing's default group and its declared ones; no cluster cap beyond X-Ray's own quota. */
export const DEFAULT_GROUP_BUDGET: RuleBudget = Object.freeze({ perNamespace: 6 });

const GROUP_WORDING: BudgetWording = {
  overNamespace: (demand, cap, used) =>
    `This XRayTracing needs ${demand.count} X-Ray groups, but namespace ${demand.namespace} may own at most ${cap} ` +
    `and older XRayTracings there own ${used}; declare fewer groups or ask the platform team to raise groupBudget.perNamespace`,
  overCluster: (demand, cap, used) =>
    `This XRayTracing needs ${demand.count} X-Ray groups, but this cluster may own at most ${cap} ` +
    `and older XRayTracings own ${used}; ask the platform team to raise groupBudget.perCluster (and the account's X-Ray group quota)`,
};

/** The group decision for every demand (`count`: groups it wants), by uid. */
export function allocateGroupBudget(demands: readonly Demand[], budget: RuleBudget): Map<string, BudgetDecision> {
  return allocateBudget(demands, budget, GROUP_WORDING);
}
