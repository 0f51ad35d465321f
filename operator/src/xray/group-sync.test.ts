import { CreateGroupCommand, GetGroupsCommand, ListTagsForResourceCommand, UpdateGroupCommand, type XRayClient } from '@aws-sdk/client-xray';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveSpec } from '../../../core/src/api/defaults.js';
import type { XRayTracingSpec } from '../../../core/src/api/types.js';
import { RuleTags } from '../../../core/src/constants.js';
import { desiredMonitoring, noMonitoring } from '../../../core/src/monitoring/desired.js';
import { FAULT_COMPANION_TAG } from '../../../core/src/monitoring/fault-companion.js';
import type { DesiredMonitoring } from '../../../core/src/monitoring/types.js';
import { controllerMetrics } from '../metrics/controller-metrics.js';
import { FakeXRay } from '../test-support/fake-xray.js';
import { createXRayClient } from './client.js';
import { GroupSync } from './group-sync.js';
import { MonitoringSyncError } from './monitoring-errors.js';
import { DEFAULT_RETRY } from './retry.js';

const want = (spec: XRayTracingSpec, namespace = 'shop', name = 'default'): DesiredMonitoring =>
  desiredMonitoring({ apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name, namespace }, spec }, resolveSpec(spec), 'prod');

const spec: XRayTracingSpec = {
  monitoring: { defaultGroup: { insights: { enabled: true, notifications: true } }, groups: [{ name: 'checkout', filterExpression: 'service("shop.checkout") { fault }' }] },
};

let fake: FakeXRay;
let client: XRayClient;
let sleeps: number[];
const newSync = () =>
  new GroupSync(client, { policy: DEFAULT_RETRY, calls: controllerMetrics(new Registry()).xrayApiCalls, sleep: (ms) => (sleeps.push(ms), Promise.resolve()), random: () => 0.5 }, pino({ level: 'silent' }));
const group = (name: string) => fake.groups.all().find((g) => g.GroupName === name);
const names = () => fake.groups.all().map((g) => g.GroupName).sort();

beforeEach(async () => {
  fake = await FakeXRay.start({ pageSize: 2 });
  client = createXRayClient({ region: 'us-east-1', endpoint: fake.endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  sleeps = [];
});
afterEach(async () => {
  client.destroy();
  await fake.close();
});

describe('the fake X-Ray group API keeps the documented limits', () => {
  const create = (input: ConstructorParameters<typeof CreateGroupCommand>[0]) => client.send(new CreateGroupCommand(input));
  it.each([
    { case: 'a name over 32 characters', input: { GroupName: 'g'.repeat(33), FilterExpression: 'fault' } },
    { case: 'a name with an underscore', input: { GroupName: 'checkout_f', FilterExpression: 'fault' } },
    { case: 'the reserved name Default', input: { GroupName: 'Default', FilterExpression: 'fault' } },
    { case: 'notifications without Insights', input: { GroupName: 'g', FilterExpression: 'fault', InsightsConfiguration: { NotificationsEnabled: true } } },
    { case: 'an unbalanced filter expression', input: { GroupName: 'g', FilterExpression: 'service("a" { fault' } },
    { case: 'a reserved tag key', input: { GroupName: 'g', FilterExpression: 'fault', Tags: [{ Key: 'aws:owner', Value: 'x' }] } },
  ])('refuses $case with InvalidRequestException', async ({ input }) => {
    await expect(create(input)).rejects.toMatchObject({ name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses a duplicate name and a group past the account quota', async () => {
    const small = await FakeXRay.start({ groupLimit: 2 });
    const other = createXRayClient({ region: 'us-east-1', endpoint: small.endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
    try {
      await other.send(new CreateGroupCommand({ GroupName: 'a', FilterExpression: 'fault' }));
      await expect(other.send(new CreateGroupCommand({ GroupName: 'a', FilterExpression: 'fault' }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
      await expect(other.send(new CreateGroupCommand({ GroupName: 'b', FilterExpression: 'fault' }))).rejects.toThrow(/maximum number of groups/);
    } finally {
      other.destroy();
      await small.close();
    }
  });

  it('pages GetGroups, tags groups and lets UpdateGroup change Insights alone', async () => {
    for (const name of ['a', 'b', 'c']) await create({ GroupName: name, FilterExpression: 'fault', Tags: [{ Key: 'team', Value: name }] });
    const first = await client.send(new GetGroupsCommand({}));
    expect(first.Groups).toHaveLength(2);
    const second = await client.send(new GetGroupsCommand({ NextToken: first.NextToken }));
    expect([...first.Groups!, ...second.Groups!].map((g) => g.GroupName).sort()).toEqual(['Default', 'a', 'b', 'c']);
    const tags = await client.send(new ListTagsForResourceCommand({ ResourceARN: group('b')!.GroupARN }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'b' }]);
    const updated = await client.send(new UpdateGroupCommand({ GroupName: 'b', InsightsConfiguration: { InsightsEnabled: true } }));
    expect(updated.Group).toMatchObject({ FilterExpression: 'fault', InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: false } });
  });
});

describe('GroupSync against the fake X-Ray API', () => {
  it('creates the groups tagged as the owner, with their Insights, and reports what X-Ray holds', async () => {
    const desired = want(spec);
    const result = await newSync().sync(desired);
    const [namespaceGroup, checkout] = desired.groups.map((g) => g.group.GroupName) as [string, string];
    expect(names()).toEqual(['Default', checkout, namespaceGroup].sort());
    expect(Object.fromEntries(group(checkout)!.tags)).toEqual(desired.tags);
    expect(group(namespaceGroup)!.InsightsConfiguration).toEqual({ InsightsEnabled: true, NotificationsEnabled: true });
    expect(result.groups.map((g) => [g.specName, g.held?.GroupARN?.startsWith('arn:aws:xray:us-east-1:123456789012:group/'), g.failure])).toEqual([
      ['default', true, undefined],
      ['checkout', true, undefined],
    ]);
  });

  it('creates a fault companion beside a group with an alarm, and deletes it with the alarm', async () => {
    const alarmed: XRayTracingSpec = { monitoring: { groups: [{ name: 'checkout', filterExpression: 'service("shop.checkout") OR service("shop.cart")', faultAlarm: { threshold: 0.05 } }] } };
    const desired = want(alarmed);
    const checkout = desired.groups[0]!.group.GroupName;
    const companion = desired.groups[0]!.companion!.group.GroupName;
    const result = await newSync().sync(desired);
    expect(result.groups.map((g) => [g.groupName, g.failure])).toEqual([[checkout, undefined], [companion, undefined]]);
    expect(group(companion)).toMatchObject({ FilterExpression: '(service("shop.checkout") OR service("shop.cart")) AND fault', InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false } });
    expect(Object.fromEntries(group(companion)!.tags)).toEqual({ ...desired.tags, [FAULT_COMPANION_TAG]: checkout });
    const calls = fake.calls.length;
    await newSync().sync(desired);
    expect(fake.calls.slice(calls).filter((c) => /Group$/.test(c.operation))).toEqual([]);
    const dropped = await newSync().sync(want({ monitoring: { groups: [{ name: 'checkout', filterExpression: 'service("shop.checkout") OR service("shop.cart")' }] } }));
    expect(dropped.deleted).toEqual([companion]);
    expect(names()).toEqual(['Default', checkout]);
  });

  it('puts back a filter edited by hand, leaves in-sync groups alone, and deletes a group gone from the spec', async () => {
    await newSync().sync(want(spec));
    const [, checkout] = want(spec).groups.map((g) => g.group.GroupName) as [string, string];
    group(checkout)!.FilterExpression = 'error';
    const calls = fake.calls.length;
    await newSync().sync(want(spec));
    expect(group(checkout)!.FilterExpression).toBe('service("shop.checkout") { fault }');
    expect(fake.calls.slice(calls).filter((c) => /Group$/.test(c.operation)).map((c) => c.operation)).toEqual(['UpdateGroup']);
    const result = await newSync().sync(want({ monitoring: { groups: spec.monitoring!.groups } }));
    expect(result.deleted).toHaveLength(1);
    expect(names()).toEqual(['Default', checkout].sort());
  });

  it('never touches a foreign group, even one named like ours, and reports the conflict on that group only', async () => {
    const desired = want(spec);
    const [namespaceGroup] = desired.groups.map((g) => g.group.GroupName) as [string];
    fake.groups.put(namespaceGroup, 'fault', { [RuleTags.managedBy]: 'someone-else' });
    fake.groups.put('team-errors', 'error');
    const result = await newSync().sync(desired);
    expect(result.groups[0]?.failure).toMatchObject({ reason: 'NameConflict', transient: false });
    expect(result.groups[1]?.held).toBeDefined();
    expect(group(namespaceGroup)!.FilterExpression).toBe('fault');
    await newSync().sync(noMonitoring(desired.owner));
    expect(names()).toEqual(['Default', namespaceGroup, 'team-errors'].sort());
  });

  it('marks a group X-Ray refuses as Failed and still creates the others', async () => {
    const desired = want({ monitoring: { groups: [{ name: 'bad', filterExpression: 'service("x" {' }, { name: 'good', filterExpression: 'fault' }] } });
    const result = await newSync().sync(desired);
    expect(result.groups.map((g) => [g.specName, g.failure?.reason ?? 'ok'])).toEqual([['bad', 'InvalidRequest'], ['good', 'ok']]);
    expect(result.groups[0]?.failure?.message).toMatch(/X-Ray rejected CreateGroup for group bad-[0-9a-f]{8}: Invalid filter expression/);
  });

  it('retries throttling with backoff and then stops the sync with Throttled', async () => {
    fake.throttleNext(DEFAULT_RETRY.maxAttempts);
    const error = await newSync().sync(want(spec)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MonitoringSyncError);
    expect((error as MonitoringSyncError).failure).toMatchObject({ reason: 'Throttled', transient: true });
    expect(sleeps).toHaveLength(DEFAULT_RETRY.maxAttempts - 1);
    expect(fake.callsOf('CreateGroup')).toHaveLength(0);
  });
});
