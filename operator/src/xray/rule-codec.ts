// Converts between the SDK's optional-everywhere shapes and the core's XRaySamplingRule.
import type { SamplingRule, SamplingRuleUpdate, Tag } from '@aws-sdk/client-xray';
import type { XRaySamplingRule } from '../../../core/src/sampling/types.js';

/** The core shape of a rule read from X-Ray; undefined for a record missing fields X-Ray always returns. */
export function fromSdkRule(rule: SamplingRule | undefined): XRaySamplingRule | undefined {
  if (!rule?.RuleName) return undefined;
  const { ResourceARN, Priority, FixedRate, ReservoirSize, ServiceName, ServiceType, Host, HTTPMethod, URLPath, Version } = rule;
  if (
    ResourceARN === undefined || Priority === undefined || FixedRate === undefined || ReservoirSize === undefined || ServiceName === undefined ||
    ServiceType === undefined || Host === undefined || HTTPMethod === undefined || URLPath === undefined || Version === undefined
  ) {
    return undefined;
  }
  const out: XRaySamplingRule = { RuleName: rule.RuleName, ResourceARN, Priority, FixedRate, ReservoirSize, ServiceName, ServiceType, Host, HTTPMethod, URLPath, Version };
  if (rule.RuleARN) out.RuleARN = rule.RuleARN;
  if (rule.Attributes) out.Attributes = { ...rule.Attributes };
  const boost = rule.SamplingRateBoost;
  if (boost?.MaxRate !== undefined && boost.CooldownWindowMinutes !== undefined) {
    out.SamplingRateBoost = { MaxRate: boost.MaxRate, CooldownWindowMinutes: boost.CooldownWindowMinutes };
  }
  return out;
}

/** CreateSamplingRule's SamplingRule: everything but the ARN X-Ray assigns. */
export function toSdkRule(rule: XRaySamplingRule): SamplingRule {
  const { RuleARN: _arn, ...fields } = rule;
  return { ...fields, Attributes: { ...rule.Attributes } };
}

/** UpdateSamplingRule's SamplingRuleUpdate: every updatable field, so any drift is put back (Version is create-only). */
export function toSdkUpdate(rule: XRaySamplingRule): SamplingRuleUpdate {
  const { RuleARN: _arn, Version: _version, ...fields } = rule;
  return { ...fields, Attributes: { ...rule.Attributes } };
}

export const toSdkTags = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export const fromSdkTags = (tags: Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((tags ?? []).flatMap((t) => (t.Key !== undefined ? [[t.Key, t.Value ?? '']] : [])));
