// The account's sampling rules, shared by the syncs of every XRayTracing: one GetSamplingRules listing serves all syncs
// within `maxAgeMs` (a resync of hundreds of namespaces would otherwise list the whole account hundreds of times and
// run into X-Ray's throttling). A sync's own writes are applied to the shared copy, so it never reads its past.
import type { XRaySamplingRule } from '../../../core/src/sampling/types.js';

type RuleChange = (rules: XRaySamplingRule[]) => XRaySamplingRule[];

export class SharedRuleListing {
  private cached: { at: number; rules: XRaySamplingRule[] } | undefined;
  private inflight: Promise<XRaySamplingRule[]> | undefined;
  /**
   * Writes made while a listing is being fetched: its pages may or may not show them, so they are applied again to
   * the result (each change is idempotent). Without this, a listing that spans a write could not be cached, and
   * while XRayTracings are being created there is always a write in flight: every sync listed the account again.
   */
  private journal: RuleChange[] | undefined;
  /** Bumped by invalidate(): a listing fetched across a failed write is not cached (its outcome is unknown). */
  private invalidations = 0;

  constructor(
    private readonly fetchAll: () => Promise<XRaySamplingRule[]>,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {}

  async get(): Promise<XRaySamplingRule[]> {
    if (this.cached && this.now() - this.cached.at < this.maxAgeMs) return this.cached.rules.map((r) => ({ ...r }));
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return (await this.inflight).map((r) => ({ ...r }));
  }

  created(rule: XRaySamplingRule): void {
    this.write((rules) => [...rules.filter((r) => r.RuleName !== rule.RuleName), { ...rule }]);
  }

  updated(rule: XRaySamplingRule): void {
    this.write((rules) => rules.map((r) => (r.RuleName === rule.RuleName ? { ...rule, RuleARN: r.RuleARN, Version: r.Version } : r)));
  }

  deleted(ruleName: string): void {
    this.write((rules) => rules.filter((r) => r.RuleName !== ruleName));
  }

  /** Forget the listing (after a failed write, whose outcome is unknown). */
  invalidate(): void {
    this.invalidations += 1;
    this.cached = undefined;
  }

  private write(change: RuleChange): void {
    this.journal?.push(change);
    if (this.cached) this.cached = { at: this.cached.at, rules: change(this.cached.rules) };
  }

  private async fetch(): Promise<XRaySamplingRule[]> {
    const invalidations = this.invalidations;
    const at = this.now();
    const journal: RuleChange[] = [];
    this.journal = journal;
    try {
      const listed = await this.fetchAll();
      const rules = journal.reduce((current, change) => change(current), listed);
      if (invalidations === this.invalidations) this.cached = { at, rules };
      return rules;
    } finally {
      this.journal = undefined;
    }
  }
}
