import { describe, expect, it } from 'vitest';
import type { XRaySamplingRule } from '../../../core/src/sampling/types.js';
import { SharedRuleListing } from './rule-listing.js';

const rule = (RuleName: string, FixedRate = 0.1): XRaySamplingRule => ({
  RuleName, RuleARN: `arn:aws:xray:us-east-1:123456789012:sampling-rule/${RuleName}`, ResourceARN: '*', Priority: 100, FixedRate,
  ReservoirSize: 1, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1,
});

/** A listing whose fetches the test completes by hand, counting them. */
function controlledListing() {
  const pending: ((rules: XRaySamplingRule[]) => void)[] = [];
  let fetches = 0;
  const listing = new SharedRuleListing(() => {
    fetches += 1;
    return new Promise((resolve) => pending.push(resolve));
  }, 5_000, () => 0);
  return { listing, fetches: () => fetches, complete: (rules: XRaySamplingRule[]) => pending.shift()!(rules) };
}

const names = (rules: XRaySamplingRule[]) => rules.map((r) => r.RuleName).sort();

describe('SharedRuleListing', () => {
  it('keeps a listing fetched across its own writes, with those writes applied, instead of listing again', async () => {
    const { listing, fetches, complete } = controlledListing();
    const first = listing.get();
    // Written while the pages are read: the listing may show these or not.
    listing.created(rule('new-rule'));
    listing.updated(rule('kept', 0.9));
    listing.deleted('gone');
    complete([rule('kept'), rule('gone'), rule('Default')]);
    const seen = await first;
    expect(names(seen)).toEqual(['Default', 'kept', 'new-rule']);
    expect(seen.find((r) => r.RuleName === 'kept')?.FixedRate).toBe(0.9);
    expect(names(await listing.get())).toEqual(['Default', 'kept', 'new-rule']);
    expect(fetches()).toBe(1);
  });

  it('does not duplicate a rule whose creation the listing already shows', async () => {
    const { listing, complete } = controlledListing();
    const first = listing.get();
    listing.created(rule('new-rule'));
    complete([rule('new-rule'), rule('Default')]);
    expect(names(await first)).toEqual(['Default', 'new-rule']);
  });

  it('does not keep a listing fetched across a failed write', async () => {
    const { listing, fetches, complete } = controlledListing();
    const first = listing.get();
    listing.invalidate();
    complete([rule('Default')]);
    await first;
    const second = listing.get();
    complete([rule('Default'), rule('created-by-the-failed-write')]);
    expect(names(await second)).toEqual(['Default', 'created-by-the-failed-write']);
    expect(fetches()).toBe(2);
  });
});
