import type { XRayClient } from '@aws-sdk/client-xray';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveSpec } from '../../../core/src/api/defaults.js';
import type { XRayTracingSpec } from '../../../core/src/api/types.js';
import { RuleTags } from '../../../core/src/constants.js';
import { desiredSamplingRules } from '../../../core/src/sampling/desired.js';
import type { DesiredSamplingRules } from '../../../core/src/sampling/types.js';
import { controllerMetrics } from '../metrics/controller-metrics.js';
import { FakeXRay } from '../test-support/fake-xray.js';
import { createXRayClient } from './client.js';
import { RuleLimitExceededError, RuleNameConflictError, InvalidSamplingRuleError, XRayThrottledError } from './errors.js';
import { SamplingRuleSync } from './sampling-rule-sync.js';

const CLUSTER = 'prod';
const rules = [
  { name: 'health', priority: 1, fixedRate: 0, reservoirSize: 0, urlPath: '/healthz' },
  { name: 'checkout', priority: 10, fixedRate: 0.5, reservoirSize: 2, serviceName: 'checkout', attributes: { tier: 'gold' } },
];

const want = (spec: XRayTracingSpec, namespace = 'shop', name = 'default'): DesiredSamplingRules =>
  desiredSamplingRules({ apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name, namespace }, spec }, resolveSpec(spec), CLUSTER);

let fake: FakeXRay;
let client: XRayClient;
let registry: Registry;
let sleeps: number[];

/** A sync that lists X-Ray afresh every time unless a test asks for the shared listing. */
function newSync(options: { listingMaxAgeMs?: number; now?: () => number } = {}): SamplingRuleSync {
  return new SamplingRuleSync({
    client,
    calls: controllerMetrics(registry).xrayApiCalls,
    logger: pino({ level: 'silent' }),
    sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
    random: () => 0.5,
    listingMaxAgeMs: options.listingMaxAgeMs ?? 0,
    now: options.now,
  });
}

async function callCount(operation: string, outcome: string): Promise<number> {
  const metric = await controllerMetrics(registry).xrayApiCalls.get();
  return metric.values.find((v) => v.labels.operation === operation && v.labels.outcome === outcome)?.value ?? 0;
}

const xrayRule = (name: string) => fake.store.all().find((r) => r.rule.RuleName === name);
const ruleNames = () => fake.store.all().map((r) => r.rule.RuleName).sort();
const mutations = () => fake.calls.filter((c) => /^(Create|Update|Delete)SamplingRule$/.test(c.operation));

beforeEach(async () => {
  fake = await FakeXRay.start({ pageSize: 2 });
  client = createXRayClient({ region: 'us-east-1', endpoint: fake.endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  registry = new Registry();
  sleeps = [];
});
afterEach(async () => {
  client.destroy();
  await fake.close();
});

describe('SamplingRuleSync against the fake X-Ray API', () => {
  it('creates the desired rules with ownership tags and reports them for status', async () => {
    const desired = want({ sampling: { rules } });
    const result = await newSync().sync(desired);
    const [health, checkout, catchAll] = desired.rules.map((d) => d.rule.RuleName) as [string, string, string];
    expect(result.created).toEqual([health, checkout, catchAll]);
    expect(ruleNames()).toEqual(['Default', health, checkout, catchAll].sort());
    expect(xrayRule(checkout)!.rule).toMatchObject({
      Priority: 10,
      FixedRate: 0.5,
      ReservoirSize: 2,
      ServiceName: 'checkout',
      Attributes: { tier: 'gold', 'k8s.namespace.name': 'shop' },
      Version: 1,
    });
    expect(Object.fromEntries(xrayRule(catchAll)!.tags)).toEqual({
      [RuleTags.managedBy]: 'xray-operator',
      [RuleTags.cluster]: CLUSTER,
      [RuleTags.namespace]: 'shop',
      [RuleTags.name]: 'default',
    });
    expect(result.rules).toEqual([
      { name: 'health', ruleName: health, ruleARN: `arn:aws:xray:us-east-1:123456789012:sampling-rule/${health}` },
      { name: 'checkout', ruleName: checkout, ruleARN: `arn:aws:xray:us-east-1:123456789012:sampling-rule/${checkout}` },
      { name: 'default', ruleName: catchAll, ruleARN: `arn:aws:xray:us-east-1:123456789012:sampling-rule/${catchAll}` },
    ]);
    expect(await callCount('CreateSamplingRule', 'success')).toBe(3);
  });

  it('changes nothing on a second sync and reads tags from its cache', async () => {
    const sync = newSync();
    const desired = want({ sampling: { rules } });
    await sync.sync(desired);
    const before = fake.calls.length;
    const again = await sync.sync(desired);
    expect(again).toMatchObject({ created: [], updated: [], deleted: [] });
    expect(again.rules.map((r) => r.ruleARN)).toHaveLength(3);
    // Default + 3 rules on pages of 2: two list calls, no tag reads, no writes.
    expect(fake.calls.slice(before).map((c) => c.operation)).toEqual(['GetSamplingRules', 'GetSamplingRules']);
  });

  it('updates a rule when the spec changes and deletes the rules the spec dropped', async () => {
    const sync = newSync();
    await sync.sync(want({ sampling: { rules } }));
    const changed = want({ sampling: { fixedRate: 0.2, rules: [{ ...rules[1]!, fixedRate: 0.9 }] } });
    const result = await sync.sync(changed);
    const [checkout, catchAll] = changed.rules.map((d) => d.rule.RuleName) as [string, string];
    expect(result.updated.sort()).toEqual([checkout, catchAll].sort());
    expect(result.deleted).toHaveLength(1);
    expect(xrayRule(checkout)!.rule.FixedRate).toBe(0.9);
    expect(xrayRule(catchAll)!.rule.FixedRate).toBe(0.2);
    expect(ruleNames()).toEqual(['Default', checkout, catchAll].sort());
  });

  it('puts back a rule edited directly in X-Ray (console drift)', async () => {
    const sync = newSync();
    const desired = want({ sampling: { rules } });
    await sync.sync(desired);
    const health = desired.rules[0]!.rule;
    fake.store.edit(health.RuleName, { FixedRate: 1, URLPath: '*', Attributes: {} });
    const result = await sync.sync(desired);
    expect(result.updated).toEqual([health.RuleName]);
    expect(xrayRule(health.RuleName)!.rule).toMatchObject({ FixedRate: 0, URLPath: '/healthz', Attributes: { 'k8s.namespace.name': 'shop' } });
  });

  it('passes a rule\'s SamplingRateBoost through and puts it back after a console edit', async () => {
    const sync = newSync();
    const boosted = [{ name: 'checkout', priority: 5, fixedRate: 0.05, reservoirSize: 1, samplingRateBoost: { maxRate: 0.5, cooldownWindowMinutes: 15 } }];
    const desired = want({ sampling: { rules: boosted } });
    await sync.sync(desired);
    const name = desired.rules[0]!.rule.RuleName;
    expect(xrayRule(name)!.rule.SamplingRateBoost).toEqual({ MaxRate: 0.5, CooldownWindowMinutes: 15 });
    fake.store.edit(name, { SamplingRateBoost: { MaxRate: 1, CooldownWindowMinutes: 1 } });
    const result = await sync.sync(desired);
    expect(result.updated).toEqual([name]);
    expect(xrayRule(name)!.rule.SamplingRateBoost).toEqual({ MaxRate: 0.5, CooldownWindowMinutes: 15 });
    expect((await sync.sync(desired)).updated).toEqual([]);
  });

  it('recreates a rule whose Version differs, since Version cannot be updated', async () => {
    const sync = newSync();
    const desired = want({});
    await sync.sync(desired);
    const name = desired.rules[0]!.rule.RuleName;
    fake.store.edit(name, { Version: 2 });
    const result = await sync.sync(desired);
    expect(result).toMatchObject({ deleted: [name], created: [name], updated: [] });
    expect(xrayRule(name)!.rule.Version).toBe(1);
  });

  it("leaves foreign rules and the Default rule alone, even another namespace's rules of the same operator", async () => {
    const other = want({ sampling: { rules } }, 'cart');
    await newSync().sync(other);
    fake.store.put({ RuleName: 'team-rule', ResourceARN: '*', Priority: 5, FixedRate: 1, ReservoirSize: 5, ServiceName: '*', ServiceType: '*', Host: '*', HTTPMethod: '*', URLPath: '*', Version: 1 });
    const snapshot = JSON.stringify(fake.store.all().map((r) => r.rule));
    const before = fake.calls.length;

    const sync = newSync();
    await sync.sync(want({ sampling: { mode: 'local' } }));
    await sync.deleteAllOwned({ clusterName: CLUSTER, namespace: 'shop', name: 'default' });
    expect(JSON.stringify(fake.store.all().map((r) => r.rule))).toBe(snapshot);
    // Other owners' rule names carry another hash suffix: their tags are not even read.
    expect(fake.calls.slice(before).filter((c) => c.operation !== 'GetSamplingRules')).toEqual([]);
  });

  it('deletes every owned rule for the finalizer, and nothing else', async () => {
    const sync = newSync();
    await sync.sync(want({ sampling: { rules } }));
    await sync.sync(want({}, 'shop', 'canary'));
    const deleted = await sync.deleteAllOwned({ clusterName: CLUSTER, namespace: 'shop', name: 'default' });
    expect(deleted).toHaveLength(3);
    expect(ruleNames()).toEqual(['Default', want({}, 'shop', 'canary').rules[0]!.rule.RuleName].sort());
  });

  it('retries throttled calls with growing, bounded backoff and counts each attempt', async () => {
    fake.throttleNext(3);
    await newSync().sync(want({}));
    expect(ruleNames()).toHaveLength(2);
    expect(sleeps).toHaveLength(3);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);
    expect(sleeps[2]!).toBeGreaterThan(sleeps[1]!);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(2000);
    expect(await callCount('GetSamplingRules', 'throttled')).toBe(3);
    expect(await callCount('GetSamplingRules', 'success')).toBe(1);
  });

  it('retries AWS server errors (5xx) and counts them as errors', async () => {
    fake.failNext(2);
    await newSync().sync(want({}));
    expect(ruleNames()).toHaveLength(2);
    expect(await callCount('GetSamplingRules', 'error')).toBe(2);
  });

  it('does not retry a client error', async () => {
    const desired = want({});
    desired.rules[0]!.rule.Priority = 0;
    await expect(newSync().sync(desired)).rejects.toBeInstanceOf(InvalidSamplingRuleError);
    expect(fake.callsOf('CreateSamplingRule')).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('gives up after the last retry with a typed throttling error', async () => {
    fake.throttleNext(100);
    const error = await newSync().sync(want({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(XRayThrottledError);
    expect(error).toMatchObject({ reason: 'XRayThrottled' });
    expect(fake.callsOf('GetSamplingRules')).toHaveLength(5);
  });

  it('turns RuleLimitExceededException into a typed error for the SamplingRulesSynced condition', async () => {
    await fake.close();
    fake = await FakeXRay.start({ ruleLimit: 2 });
    client = createXRayClient({ region: 'us-east-1', endpoint: fake.endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
    const error = await newSync().sync(want({ sampling: { rules } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuleLimitExceededError);
    expect(error).toMatchObject({ reason: 'RuleLimitExceeded', message: expect.stringContaining('maximum number of sampling rules') });
    expect(await callCount('CreateSamplingRule', 'rule_limit_exceeded')).toBe(1);
  });

  it("reports InvalidRequestException with AWS's message", async () => {
    const desired = want({});
    desired.rules[0]!.rule.Priority = 0;
    const error = await newSync().sync(desired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSamplingRuleError);
    expect((error as Error).message).toContain('Priority must be an integer from 1 to 9999');
  });

  it('refuses to take over a rule that has our name but not our tags', async () => {
    const desired = want({});
    const { RuleARN: _arn, ...squatter } = { ...desired.rules[0]!.rule, FixedRate: 0.7 };
    fake.store.put(squatter, { owner: 'someone-else' });
    const error = await newSync().sync(desired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuleNameConflictError);
    expect(xrayRule(squatter.RuleName)!.rule.FixedRate).toBe(0.7);
    await newSync().deleteAllOwned(desired.owner);
    expect(xrayRule(squatter.RuleName)).toBeDefined();
    expect(mutations()).toEqual([]);
  });

  it('re-reads ownership before changing a rule whose tags it cached', async () => {
    const sync = newSync();
    const desired = want({});
    await sync.sync(desired);
    const name = desired.rules[0]!.rule.RuleName;
    const record = xrayRule(name)!;
    record.tags = new Map([['owner', 'someone-else']]);
    fake.store.edit(name, { FixedRate: 0.9 });
    const error = await sync.sync(desired).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuleNameConflictError);
    expect(xrayRule(name)!.rule.FixedRate).toBe(0.9);
  });

  describe('with a shared listing', () => {
    let clock: number;
    const sharedSync = () => newSync({ listingMaxAgeMs: 5000, now: () => clock });
    beforeEach(() => {
      clock = 1_000_000;
    });

    it('lists the account once for the syncs of many XRayTracings within the listing age', async () => {
      const sync = sharedSync();
      for (const namespace of ['a', 'b', 'c', 'd']) await sync.sync(want({}, namespace));
      expect(fake.callsOf('GetSamplingRules')).toHaveLength(1);
      expect(ruleNames()).toHaveLength(5);
    });

    it('shares one in-flight listing between concurrent syncs', async () => {
      const sync = sharedSync();
      await Promise.all(['a', 'b', 'c'].map((namespace) => sync.sync(want({}, namespace))));
      expect(fake.callsOf('GetSamplingRules')).toHaveLength(1);
      expect(ruleNames()).toHaveLength(4);
    });

    it('sees its own writes at once, so a quick second sync changes nothing', async () => {
      const sync = sharedSync();
      const desired = want({ sampling: { rules } });
      await sync.sync(desired);
      await sync.sync(want({ sampling: { rules: rules.slice(1) } }));
      const again = await sync.sync(want({ sampling: { rules: rules.slice(1) } }));
      expect(again).toMatchObject({ created: [], updated: [], deleted: [] });
      expect(ruleNames()).toHaveLength(3);
      expect(fake.callsOf('GetSamplingRules')).toHaveLength(1);
    });

    it('sees drift once the listing is older than its age', async () => {
      const sync = sharedSync();
      const desired = want({});
      await sync.sync(desired);
      fake.store.edit(desired.rules[0]!.rule.RuleName, { FixedRate: 1 });
      expect((await sync.sync(desired)).updated).toEqual([]);
      clock += 5000;
      expect((await sync.sync(desired)).updated).toEqual([desired.rules[0]!.rule.RuleName]);
    });

    it('lists afresh after a failed write', async () => {
      const sync = sharedSync();
      await sync.sync(want({}));
      const bad = want({}, 'other');
      bad.rules[0]!.rule.Priority = 0;
      await expect(sync.sync(bad)).rejects.toBeInstanceOf(InvalidSamplingRuleError);
      await sync.sync(want({}));
      expect(fake.callsOf('GetSamplingRules')).toHaveLength(2);
    });
  });
});
