// Names, tags and scoping values of operator-owned X-Ray sampling rules. X-Ray rules are global to an account and
// region, so a rule's name and tags must say which cluster, namespace and XRayTracing it belongs to.
import { createHash } from 'node:crypto';
import { MANAGED_BY_VALUE, RuleTags } from '../constants.js';
import type { SamplingRuleOwner } from './types.js';

/** X-Ray's limits on rule names and attribute values. */
export const RULE_NAME_MAX_LENGTH = 32;
export const ATTRIBUTE_VALUE_MAX_LENGTH = 32;

/** `-` + 8 hex characters of sha256(cluster/namespace/name): the same for every rule of one XRayTracing. */
export function ownerNameSuffix(owner: SamplingRuleOwner): string {
  const hash = createHash('sha256').update(`${owner.clusterName}/${owner.namespace}/${owner.name}`).digest('hex');
  return `-${hash.slice(0, 8)}`;
}

/** The X-Ray RuleName of a rule: `<short name>-<hash8>`, at most 32 characters for a schema-valid short name. */
export function xrayRuleName(owner: SamplingRuleOwner, shortName: string): string {
  return `${shortName}${ownerNameSuffix(owner)}`;
}

/** Whether a rule name has the shape of an operator-owned one (the cheap pre-filter before reading tags). */
export const OPERATOR_RULE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?-[0-9a-f]{8}$/;

export function ownerTags(owner: SamplingRuleOwner): Record<string, string> {
  return {
    [RuleTags.managedBy]: MANAGED_BY_VALUE,
    [RuleTags.cluster]: owner.clusterName,
    [RuleTags.namespace]: owner.namespace,
    [RuleTags.name]: owner.name,
  };
}

/** Whether tags mark a rule as owned by exactly this XRayTracing (all four tags must match). */
export function isOwnedBy(tags: Readonly<Record<string, string>>, owner: SamplingRuleOwner): boolean {
  return Object.entries(ownerTags(owner)).every(([key, value]) => tags[key] === value);
}

/**
 * A value that fits X-Ray's length limit and still matches the full value: a longer one becomes its prefix + `*`.
 * Two long values with the same prefix then match each other's requests (documented in docs/sampling.md).
 */
export function fitWildcard(value: string, maxLength: number): string {
  return value.length <= maxLength ? value : `${value.slice(0, maxLength - 1)}*`;
}
