// How many X-Ray sampling rules each XRayTracing may own. X-Ray's rule quota (25 by default) is per account and
// region, and every rule slows GetSamplingTargets for every sampler in it, so one namespace must not be able to take
// what other namespaces (and other clusters in the account) need. XRayTracings are served oldest first: one that
// would go over a cap is refused, and nobody that already fits loses rules because of it.
import { compareText } from '../compare-text.js';

export interface RuleBudget {
  /** Rules all XRayTracings of one namespace may own together. */
  perNamespace: number;
  /** Rules all XRayTracings of this cluster may own together; undefined: only X-Ray's own quota. */
  perCluster?: number;
}

/** One full XRayTracing per namespace (10 rules and its catch-all); no cluster cap beyond X-Ray's own quota. */
export const DEFAULT_RULE_BUDGET: RuleBudget = Object.freeze({ perNamespace: 11 });

export interface RuleDemand {
  uid: string;
  namespace: string;
  name: string;
  /** RFC 3339, as metadata.creationTimestamp; the order in which budget is handed out. */
  createdAt: string;
  /** Rules it wants in X-Ray (0 in local sampling mode or when its spec is invalid). */
  rules: number;
}

export type BudgetDecision = { allowed: true } | { allowed: false; message: string };

/** A demand of any counted AWS object (sampling rules, X-Ray groups). */
export type Demand = Omit<RuleDemand, 'rules'> & { count: number };

/** The refusal texts of one kind of object: over the namespace's cap, over the cluster's. */
export interface BudgetWording {
  overNamespace(demand: Demand, cap: number, usedByOlder: number): string;
  overCluster(demand: Demand, cap: number, usedByOlder: number): string;
}

const byAge = (a: Demand, b: Demand): number =>
  compareText(a.createdAt, b.createdAt) || compareText(a.namespace, b.namespace) || compareText(a.name, b.name);

/** The decision for every demand, by uid, oldest served first. Pure and order-independent in its input. */
export function allocateBudget(demands: readonly Demand[], budget: RuleBudget, wording: BudgetWording): Map<string, BudgetDecision> {
  const decisions = new Map<string, BudgetDecision>();
  const usedByNamespace = new Map<string, number>();
  let usedInCluster = 0;
  for (const demand of [...demands].sort(byAge)) {
    const inNamespace = usedByNamespace.get(demand.namespace) ?? 0;
    let decision: BudgetDecision = { allowed: true };
    if (demand.count > 0 && inNamespace + demand.count > budget.perNamespace) {
      decision = { allowed: false, message: wording.overNamespace(demand, budget.perNamespace, inNamespace) };
    } else if (demand.count > 0 && budget.perCluster !== undefined && usedInCluster + demand.count > budget.perCluster) {
      decision = { allowed: false, message: wording.overCluster(demand, budget.perCluster, usedInCluster) };
    } else {
      usedByNamespace.set(demand.namespace, inNamespace + demand.count);
      usedInCluster += demand.count;
    }
    decisions.set(demand.uid, decision);
  }
  return decisions;
}

const RULE_WORDING: BudgetWording = {
  overNamespace: (demand, cap, used) =>
    `This XRayTracing needs ${demand.count} X-Ray sampling rules, but namespace ${demand.namespace} may own at most ${cap} ` +
    `and older XRayTracings there own ${used}; use one XRayTracing per namespace for sampling, fewer rules, or sampling.mode local`,
  overCluster: (demand, cap, used) =>
    `This XRayTracing needs ${demand.count} X-Ray sampling rules, but this cluster may own at most ${cap} ` +
    `and older XRayTracings own ${used}; ask the platform team to raise the cluster's rule budget (and the account's X-Ray quota)`,
};

/** The sampling rule decision for every demand, by uid. */
export function allocateRuleBudget(demands: readonly RuleDemand[], budget: RuleBudget): Map<string, BudgetDecision> {
  return allocateBudget(demands.map(({ rules, ...rest }) => ({ ...rest, count: rules })), budget, RULE_WORDING);
}
