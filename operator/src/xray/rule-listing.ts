// The account's sampling rules, shared by the syncs of every XRayTracing: one GetSamplingRules listing serves all syncs
// within `maxAgeMs` (a resync of hundreds of namespaces would otherwise list the whole account hundreds of times and
// run into X-Ray's throttling). A sync's own writes are applied to the shared copy, so it never reads its past.
import type { XRaySamplingRule } from '../../../core/src/sampling/types.js';

export class SharedRuleListing {
  private cached: { at: number; rules: XRaySamplingRule[] } | undefined;
  private inflight: Promise<XRaySamplingRule[]> | undefined;
  /** Bumped by every write: a listing fetched across a write is not cached (it may miss the write). */
  private generation = 0;

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
    this.generation += 1;
    this.cached = undefined;
  }

  private write(change: (rules: XRaySamplingRule[]) => XRaySamplingRule[]): void {
    this.generation += 1;
    if (this.cached) this.cached = { at: this.cached.at, rules: change(this.cached.rules) };
  }

  private async fetch(): Promise<XRaySamplingRule[]> {
    const generation = this.generation;
    const at = this.now();
    const rules = await this.fetchAll();
    if (generation === this.generation) this.cached = { at, rules };
    return rules;
  }
}
