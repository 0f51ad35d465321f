// Makes X-Ray hold exactly the sampling rules an XRayTracing wants: reads the account's rules, finds the ones tagged
// as this XRayTracing's, and applies the core's plan (deletes, then updates, then creates). Rules it does not own,
// and X-Ray's Default rule, are never touched.
import {
  CreateSamplingRuleCommand,
  DeleteSamplingRuleCommand,
  GetSamplingRulesCommand,
  ListTagsForResourceCommand,
  UpdateSamplingRuleCommand,
  type XRayClient,
} from '@aws-sdk/client-xray';
import type { Logger } from 'pino';
import type { OwnedSamplingRule } from '../../../core/src/api/types.js';
import { OPERATOR_RULE_NAME, ownerNameSuffix, ownerTags } from '../../../core/src/sampling/naming.js';
import { planSamplingSync } from '../../../core/src/sampling/plan.js';
import type { DesiredSamplingRules, ObservedSamplingRule, SamplingRuleOwner, SamplingSyncPlan, XRaySamplingRule } from '../../../core/src/sampling/types.js';
import { awsErrorName, InvalidSamplingRuleError, RuleLimitExceededError, RuleNameConflictError, SamplingSyncError, XRayApiError } from './errors.js';
import type { XRayApiCallCounter } from './metrics.js';
import { callWithRetry, DEFAULT_RETRY, type RetryDeps, type RetryPolicy } from './retry.js';
import { fromSdkRule, fromSdkTags, toSdkRule, toSdkTags, toSdkUpdate } from './rule-codec.js';
import { SharedRuleListing } from './rule-listing.js';

export interface SamplingRuleSyncOptions {
  client: XRayClient;
  /** `controllerMetrics(registry).xrayApiCalls`. */
  calls: XRayApiCallCounter;
  logger: Logger;
  retry?: RetryPolicy;
  /** How long one listing of the account's rules serves every sync. Default 5 s; drift is seen at most that late. */
  listingMaxAgeMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface SamplingSyncResult {
  /** The rules this XRayTracing owns in X-Ray now, for its status. */
  rules: OwnedSamplingRule[];
  created: string[];
  updated: string[];
  deleted: string[];
}

interface Observation {
  rules: ObservedSamplingRule[];
  /** ARNs whose tags were read from X-Ray in this sync (not from the cache). */
  freshTags: Set<string>;
}

const DEFAULT_LISTING_MAX_AGE_MS = 5000;
const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SamplingRuleSync {
  /** Tags by rule ARN. Ownership is re-read from X-Ray before any update or delete, so a stale entry is harmless. */
  private readonly tagCache = new Map<string, Record<string, string>>();
  private readonly retry: RetryDeps;
  private readonly listing: SharedRuleListing;

  constructor(private readonly options: SamplingRuleSyncOptions) {
    this.retry = { policy: options.retry ?? DEFAULT_RETRY, calls: options.calls, sleep: options.sleep ?? sleepMs, random: options.random ?? Math.random };
    this.listing = new SharedRuleListing(() => this.listRules(), options.listingMaxAgeMs ?? DEFAULT_LISTING_MAX_AGE_MS, options.now ?? Date.now);
  }

  /** Applies the desired rules. Throws a SamplingSyncError (with the condition reason) when X-Ray refuses. */
  async sync(desired: DesiredSamplingRules): Promise<SamplingSyncResult> {
    try {
      return await this.syncOnce(desired);
    } catch (err) {
      // What X-Ray holds after a failure is unknown (or the listing was what failed): list afresh next time.
      this.listing.invalidate();
      throw err;
    }
  }

  private async syncOnce(desired: DesiredSamplingRules): Promise<SamplingSyncResult> {
    const observation = await this.observe(desired.nameSuffix);
    const plan = await this.confirmedPlan(desired, observation);
    const arns = new Map(plan.unchanged.map((o) => [o.rule.RuleName, o.rule.RuleARN]));
    const result: SamplingSyncResult = { rules: [], created: [], updated: [], deleted: [] };
    await this.apply(desired, plan, arns, result);
    if (plan.conflicts.length > 0) throw new RuleNameConflictError(plan.conflicts);
    result.rules = desired.rules.map(({ specName, rule }) => ownedRule(specName, rule.RuleName, arns.get(rule.RuleName)));
    return result;
  }

  /** Deletes first (freeing quota), then updates, then creates; records ARNs and what changed. */
  private async apply(desired: DesiredSamplingRules, plan: SamplingSyncPlan, arns: Map<string, string | undefined>, result: SamplingSyncResult): Promise<void> {
    const { client } = this.options;
    const log = this.options.logger.child({ namespace: desired.owner.namespace, name: desired.owner.name });
    for (const { rule } of plan.deletes) {
      await this.send('DeleteSamplingRule', rule.RuleName, () => client.send(new DeleteSamplingRuleCommand({ RuleName: rule.RuleName })));
      if (rule.RuleARN) this.tagCache.delete(rule.RuleARN);
      this.listing.deleted(rule.RuleName);
      result.deleted.push(rule.RuleName);
      log.info({ operation: 'DeleteSamplingRule', ruleName: rule.RuleName }, 'Deleted X-Ray sampling rule');
    }
    for (const { desired: target, current, changed } of plan.updates) {
      const name = target.rule.RuleName;
      await this.send('UpdateSamplingRule', name, () => client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: toSdkUpdate(target.rule) })));
      this.listing.updated(target.rule);
      arns.set(name, current.rule.RuleARN);
      result.updated.push(name);
      log.info({ operation: 'UpdateSamplingRule', ruleName: name, changed }, 'Updated X-Ray sampling rule');
    }
    for (const { rule } of plan.creates) {
      const created = await this.send('CreateSamplingRule', rule.RuleName, () =>
        client.send(new CreateSamplingRuleCommand({ SamplingRule: toSdkRule(rule), Tags: toSdkTags(desired.tags) })),
      );
      const arn = created.SamplingRuleRecord?.SamplingRule?.RuleARN;
      if (arn) this.tagCache.set(arn, { ...desired.tags });
      this.listing.created(arn ? { ...rule, RuleARN: arn } : rule);
      arns.set(rule.RuleName, arn);
      result.created.push(rule.RuleName);
      log.info({ operation: 'CreateSamplingRule', ruleName: rule.RuleName }, 'Created X-Ray sampling rule');
    }
  }

  /** Deletes every rule this XRayTracing owns (the finalizer's job). Returns the deleted rule names. */
  async deleteAllOwned(owner: SamplingRuleOwner): Promise<string[]> {
    const nothing: DesiredSamplingRules = { owner, tags: ownerTags(owner), nameSuffix: ownerNameSuffix(owner), rules: [] };
    return (await this.sync(nothing)).deleted;
  }

  /** The plan, with ownership of every rule it would change or delete re-read from X-Ray (not the cache). */
  private async confirmedPlan(desired: DesiredSamplingRules, observation: Observation): Promise<SamplingSyncPlan> {
    const plan = planSamplingSync(desired, observation.rules);
    const touched = [...plan.deletes, ...plan.updates.map((u) => u.current)].filter((o) => o.rule.RuleARN && !observation.freshTags.has(o.rule.RuleARN));
    if (touched.length === 0) return plan;
    for (const { rule } of touched) this.tagCache.delete(rule.RuleARN!);
    const refreshed = await Promise.all(observation.rules.map(async (o) => ({ rule: o.rule, tags: await this.tagsOf(o.rule, observation.freshTags) })));
    return planSamplingSync(desired, refreshed);
  }

  /** X-Ray's rules whose names could be this owner's, with their tags. */
  private async observe(nameSuffix: string): Promise<Observation> {
    const all = await this.listing.get();
    const present = new Set(all.map((r) => r.RuleARN));
    for (const arn of this.tagCache.keys()) if (!present.has(arn)) this.tagCache.delete(arn);
    const candidates = all.filter((r) => r.RuleName.endsWith(nameSuffix) && OPERATOR_RULE_NAME.test(r.RuleName));
    const freshTags = new Set<string>();
    const rules = await Promise.all(candidates.map(async (rule) => ({ rule, tags: await this.tagsOf(rule, freshTags) })));
    return { rules, freshTags };
  }

  /**
   * Every sampling rule, page by page. A hand-written loop rather than paginateGetSamplingRules so each page gets
   * its own retry and metric (the paginator would hide page calls from both).
   */
  private async listRules(): Promise<XRaySamplingRule[]> {
    const rules: XRaySamplingRule[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.send('GetSamplingRules', '*', () => this.options.client.send(new GetSamplingRulesCommand({ NextToken })));
      for (const record of page.SamplingRuleRecords ?? []) {
        const rule = fromSdkRule(record.SamplingRule);
        if (rule) rules.push(rule);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return rules;
  }

  private async tagsOf(rule: XRaySamplingRule, freshTags: Set<string>): Promise<Record<string, string>> {
    const arn = rule.RuleARN;
    if (!arn) return {};
    const cached = this.tagCache.get(arn);
    if (cached) return cached;
    const tags: Record<string, string> = {};
    let NextToken: string | undefined;
    do {
      const page = await this.send('ListTagsForResource', rule.RuleName, () =>
        this.options.client.send(new ListTagsForResourceCommand({ ResourceARN: arn, NextToken })),
      );
      Object.assign(tags, fromSdkTags(page.Tags));
      NextToken = page.NextToken;
    } while (NextToken);
    this.tagCache.set(arn, tags);
    freshTags.add(arn);
    return tags;
  }

  /** One X-Ray call with retries, its failure turned into a typed SamplingSyncError. */
  private async send<T>(operation: string, ruleName: string, call: () => Promise<T>): Promise<T> {
    try {
      return await callWithRetry(operation, this.retry, call);
    } catch (err) {
      if (err instanceof SamplingSyncError) throw err;
      const name = awsErrorName(err);
      if (name === 'RuleLimitExceededException') throw new RuleLimitExceededError(ruleName, err);
      if (name === 'InvalidRequestException') throw new InvalidSamplingRuleError(operation, ruleName, (err as Error).message, err);
      throw new XRayApiError(operation, err);
    }
  }
}

function ownedRule(name: string, ruleName: string, ruleARN: string | undefined): OwnedSamplingRule {
  return ruleARN ? { name, ruleName, ruleARN } : { name, ruleName };
}
