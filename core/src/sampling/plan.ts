// Plans how to bring X-Ray's rules to what an XRayTracing wants. Only rules tagged for this exact owner are ever
// changed; X-Ray's `Default` rule and every other rule are left alone.
import { diffOwned } from '../owned-diff.js';
import { isOwnedBy } from './naming.js';
import type { DesiredSamplingRule, DesiredSamplingRules, ObservedSamplingRule, SamplingSyncPlan, XRaySamplingRule } from './types.js';

/** X-Ray's own rule in every account and region: never created, updated or deleted by the operator. */
export const XRAY_DEFAULT_RULE_NAME = 'Default';

const UPDATABLE_FIELDS = ['Priority', 'FixedRate', 'ReservoirSize', 'ServiceName', 'ServiceType', 'Host', 'HTTPMethod', 'URLPath', 'ResourceARN'] as const;

function sameAttributes(a: Record<string, string> = {}, b: Record<string, string> = {}): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** Fields UpdateSamplingRule would have to change to turn `current` into `desired`. */
export function changedFields(desired: XRaySamplingRule, current: XRaySamplingRule): string[] {
  const changed: string[] = UPDATABLE_FIELDS.filter((field) => desired[field] !== current[field]);
  if (!sameAttributes(desired.Attributes, current.Attributes)) changed.push('Attributes');
  const [want, have] = [desired.SamplingRateBoost, current.SamplingRateBoost];
  if (want?.MaxRate !== have?.MaxRate || want?.CooldownWindowMinutes !== have?.CooldownWindowMinutes) changed.push('SamplingRateBoost');
  return changed;
}

/**
 * Creates, updates (any drift, including a console edit) and deletes that make X-Ray hold exactly the desired rules of
 * this owner. `observed` may hold any rules with their tags; those not tagged for this owner are never planned on,
 * and a desired name they already use is reported as a conflict. `Version` is create-only: a rule whose Version
 * differs is deleted and created again.
 */
export function planSamplingSync(desired: DesiredSamplingRules, observed: readonly ObservedSamplingRule[]): SamplingSyncPlan {
  const plan: SamplingSyncPlan = { deletes: [], updates: [], creates: [], conflicts: [], unchanged: [] };
  const candidates = observed.filter((o) => o.rule.RuleName !== XRAY_DEFAULT_RULE_NAME);
  const owned = new Map(candidates.filter((o) => isOwnedBy(o.tags, desired.owner)).map((o) => [o.rule.RuleName, o]));
  const foreignNames = new Set(candidates.filter((o) => !isOwnedBy(o.tags, desired.owner)).map((o) => o.rule.RuleName));
  const wanted = new Map<string, DesiredSamplingRule>(desired.rules.map((d) => [d.rule.RuleName, d]));

  const diff = diffOwned(wanted, owned, foreignNames, XRAY_DEFAULT_RULE_NAME);
  plan.deletes.push(...diff.unwanted);
  plan.creates.push(...diff.missing);
  plan.conflicts.push(...diff.conflicts);
  for (const { wanted: target, held: current } of diff.pairs) {
    if (target.rule.Version !== current.rule.Version) {
      plan.deletes.push(current);
      plan.creates.push(target);
      continue;
    }
    const changed = changedFields(target.rule, current.rule);
    if (changed.length > 0) plan.updates.push({ desired: target, current, changed });
    else plan.unchanged.push(current);
  }
  return plan;
}
