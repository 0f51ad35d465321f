// Shapes of X-Ray sampling rules as the core plans them. Field names are X-Ray's (PascalCase) so the operator passes
// them to @aws-sdk/client-xray unchanged.

/** An X-Ray SamplingRule (the fields the operator sets; SamplingRateBoost is left alone). */
export interface XRaySamplingRule {
  RuleName: string;
  RuleARN?: string;
  ResourceARN: string;
  Priority: number;
  FixedRate: number;
  ReservoirSize: number;
  ServiceName: string;
  ServiceType: string;
  Host: string;
  HTTPMethod: string;
  URLPath: string;
  Version: number;
  Attributes?: Record<string, string>;
  SamplingRateBoost?: { MaxRate: number; CooldownWindowMinutes: number };
}

/** The XRayTracing a set of rules belongs to; rules carry it as tags. */
export interface SamplingRuleOwner {
  clusterName: string;
  namespace: string;
  name: string;
}

export interface DesiredSamplingRule {
  /** Name of the rule in the XRayTracing (`default` for the namespace's catch-all). */
  specName: string;
  rule: XRaySamplingRule;
}

export interface DesiredSamplingRules {
  owner: SamplingRuleOwner;
  /** Tags every rule of this owner carries (X-Ray Tag list form is built from it). */
  tags: Record<string, string>;
  /** Suffix of every X-Ray rule name of this owner: lets a sync skip tag lookups of other rules. */
  nameSuffix: string;
  rules: DesiredSamplingRule[];
}

/** A rule read from X-Ray, with its tags. */
export interface ObservedSamplingRule {
  rule: XRaySamplingRule;
  tags: Record<string, string>;
}

export interface SamplingRuleUpdate {
  desired: DesiredSamplingRule;
  current: ObservedSamplingRule;
  /** Fields that differ, for logs. */
  changed: string[];
}

export interface SamplingSyncPlan {
  /** Owned rules to delete first (gone from the spec, or recreated because Version changed). */
  deletes: ObservedSamplingRule[];
  updates: SamplingRuleUpdate[];
  creates: DesiredSamplingRule[];
  /** Desired names already taken by a rule this owner does not own: never touched, reported. */
  conflicts: string[];
  /** Owned rules that already match: nothing to do. */
  unchanged: ObservedSamplingRule[];
}
