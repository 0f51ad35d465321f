// The X-Ray sampling rules an XRayTracing wants: its own rules plus the namespace's catch-all, each scoped to the
// namespace through a span attribute the preload's sampler adds (SAMPLING_NAMESPACE_ATTRIBUTE).
import { SAMPLING_NAMESPACE_ATTRIBUTE } from '../constants.js';
import { SamplingLimits } from '../api/schema.js';
import type { ResolvedSpec, SamplingRuleSpec, XRayTracing } from '../api/types.js';
import { ATTRIBUTE_VALUE_MAX_LENGTH, fitWildcard, ownerNameSuffix, ownerTags, xrayRuleName } from './naming.js';
import type { DesiredSamplingRule, DesiredSamplingRules, SamplingRuleOwner, XRaySamplingRule } from './types.js';

const ANY = '*';
const SERVICE_NAME_MAX_LENGTH = 64;
/** The only SamplingRule format version X-Ray has. */
export const RULE_VERSION = 1;

function serviceNamePattern(rule: SamplingRuleSpec, spec: ResolvedSpec, namespace: string): string {
  const name = rule.serviceName ?? ANY;
  // Pods' service names carry the namespace prefix in that mode; the rule's short form must still match them.
  if (name === ANY || !spec.serviceNaming.prefixWithNamespace) return name;
  return fitWildcard(`${namespace}.${name}`, SERVICE_NAME_MAX_LENGTH);
}

function toXRayRule(owner: SamplingRuleOwner, rule: SamplingRuleSpec, serviceName: string): XRaySamplingRule {
  return {
    RuleName: xrayRuleName(owner, rule.name),
    ResourceARN: ANY,
    Priority: rule.priority,
    FixedRate: rule.fixedRate,
    ReservoirSize: rule.reservoirSize,
    ServiceName: serviceName,
    // Scoping is done by the namespace attribute; matching cloud.platform too would only add a way to miss.
    ServiceType: ANY,
    Host: rule.host ?? ANY,
    HTTPMethod: rule.httpMethod ?? ANY,
    URLPath: rule.urlPath ?? ANY,
    Version: RULE_VERSION,
    Attributes: { ...rule.attributes, [SAMPLING_NAMESPACE_ATTRIBUTE]: fitWildcard(owner.namespace, ATTRIBUTE_VALUE_MAX_LENGTH) },
    ...(rule.samplingRateBoost
      ? { SamplingRateBoost: { MaxRate: rule.samplingRateBoost.maxRate, CooldownWindowMinutes: rule.samplingRateBoost.cooldownWindowMinutes } }
      : {}),
  };
}

/** The owner identity of an XRayTracing's rules. */
export function samplingRuleOwner(tracing: XRayTracing, clusterName: string): SamplingRuleOwner {
  return { clusterName, namespace: tracing.metadata.namespace ?? '', name: tracing.metadata.name ?? '' };
}

/**
 * The rules an XRayTracing wants in X-Ray. Centralized mode: its rules plus a catch-all (priority 9999, all `*`,
 * sampling.fixedRate / reservoirSize) that gives the namespace its own default; local mode: none (so a sync removes
 * what centralized mode created). Pure: same inputs, same rules.
 */
export function desiredSamplingRules(tracing: XRayTracing, spec: ResolvedSpec, clusterName: string): DesiredSamplingRules {
  const owner = samplingRuleOwner(tracing, clusterName);
  const base = { owner, tags: ownerTags(owner), nameSuffix: ownerNameSuffix(owner) };
  if (spec.sampling.mode !== 'centralized') return { ...base, rules: [] };
  const catchAll: SamplingRuleSpec = {
    name: SamplingLimits.catchAllRuleName,
    priority: SamplingLimits.catchAllPriority,
    fixedRate: spec.sampling.fixedRate,
    reservoirSize: spec.sampling.reservoirSize,
  };
  const rules: DesiredSamplingRule[] = [...spec.sampling.rules, catchAll].map((rule) => ({
    specName: rule.name,
    rule: toXRayRule(owner, rule, serviceNamePattern(rule, spec, owner.namespace)),
  }));
  return { ...base, rules };
}
