// How many X-Ray sampling rules each XRayTracing may own. X-Ray's rule quota (25 by default) is per account and
// region, and every rule slows GetSamplingTargets for every sampler in it, so one namespace must not be able to take
// what other namespaces (and other clusters in the account) need. XRayTracings are served oldest first: one that
// would go over a cap is refused, and nobody that already fits loses rules because of it.

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

const byAge = (a: RuleDemand, b: RuleDemand): number =>
  a.createdAt.localeCompare(b.createdAt) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);

/** The decision for every demand, by uid. Pure and order-independent in its input. */
export function allocateRuleBudget(demands: readonly RuleDemand[], budget: RuleBudget): Map<string, BudgetDecision> {
  const decisions = new Map<string, BudgetDecision>();
  const usedByNamespace = new Map<string, number>();
  let usedInCluster = 0;
  for (const demand of [...demands].sort(byAge)) {
    if (demand.rules === 0) {
      decisions.set(demand.uid, { allowed: true });
      continue;
    }
    const inNamespace = usedByNamespace.get(demand.namespace) ?? 0;
    if (inNamespace + demand.rules > budget.perNamespace) {
      decisions.set(demand.uid, {
        allowed: false,
        message:
          `This XRayTracing needs ${demand.rules} X-Ray sampling rules, but namespace ${demand.namespace} may own at most ${budget.perNamespace} ` +
          `and older XRayTracings there own ${inNamespace}; use one XRayTracing per namespace for sampling, fewer rules, or sampling.mode local`,
      });
      continue;
    }
    if (budget.perCluster !== undefined && usedInCluster + demand.rules > budget.perCluster) {
      decisions.set(demand.uid, {
        allowed: false,
        message:
          `This XRayTracing needs ${demand.rules} X-Ray sampling rules, but this cluster may own at most ${budget.perCluster} ` +
          `and older XRayTracings own ${usedInCluster}; ask the platform team to raise the cluster's rule budget (and the account's X-Ray quota)`,
      });
      continue;
    }
    usedByNamespace.set(demand.namespace, inNamespace + demand.rules);
    usedInCluster += demand.rules;
    decisions.set(demand.uid, { allowed: true });
  }
  return decisions;
}
