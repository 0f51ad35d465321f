import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateSamplingRuleCommand,
  DeleteSamplingRuleCommand,
  GetSamplingRulesCommand,
  GetSamplingTargetsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSamplingRuleCommand,
  type SamplingRule,
  type XRayClient,
} from '@aws-sdk/client-xray';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createXRayClient } from '../xray/client.js';
import { FakeXRay } from './fake-xray.js';

const rule = (name: string, extra: Partial<SamplingRule> = {}): SamplingRule => ({
  RuleName: name,
  ResourceARN: '*',
  Priority: 100,
  FixedRate: 0.1,
  ReservoirSize: 1,
  ServiceName: '*',
  ServiceType: '*',
  Host: '*',
  HTTPMethod: '*',
  URLPath: '*',
  Version: 1,
  ...extra,
});

let fake: FakeXRay;
let client: XRayClient;

beforeEach(async () => {
  fake = await FakeXRay.start({ region: 'eu-west-1', accountId: '111122223333', ruleLimit: 4, pageSize: 2 });
  client = createXRayClient({ region: 'eu-west-1', endpoint: fake.endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
});
afterEach(async () => {
  client.destroy();
  await fake.close();
});

/** The AWS error a call fails with, as the SDK reports it. */
async function awsError(call: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}

describe('FakeXRay through @aws-sdk/client-xray', () => {
  it('starts with the Default rule at priority 10000', async () => {
    const { SamplingRuleRecords } = await client.send(new GetSamplingRulesCommand({}));
    expect(SamplingRuleRecords).toHaveLength(1);
    expect(SamplingRuleRecords![0]!.SamplingRule).toMatchObject({
      RuleName: 'Default',
      RuleARN: 'arn:aws:xray:eu-west-1:111122223333:sampling-rule/Default',
      Priority: 10000,
      Version: 1,
    });
  });

  it('creates a rule with tags, an ARN and epoch-second timestamps the SDK reads as dates', async () => {
    const before = Date.now();
    const created = await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule('api'), Tags: [{ Key: 'team', Value: 'shop' }] }));
    const record = created.SamplingRuleRecord!;
    expect(record.SamplingRule!.RuleARN).toBe('arn:aws:xray:eu-west-1:111122223333:sampling-rule/api');
    expect(record.CreatedAt).toBeInstanceOf(Date);
    expect(record.CreatedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const tags = await client.send(new ListTagsForResourceCommand({ ResourceARN: record.SamplingRule!.RuleARN }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'shop' }]);
  });

  it('pages GetSamplingRules with NextToken', async () => {
    for (const name of ['a', 'b', 'c']) await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule(name) }));
    const first = await client.send(new GetSamplingRulesCommand({}));
    expect(first.SamplingRuleRecords).toHaveLength(2);
    expect(first.NextToken).toBeDefined();
    const second = await client.send(new GetSamplingRulesCommand({ NextToken: first.NextToken }));
    expect(second.SamplingRuleRecords!.map((r) => r.SamplingRule!.RuleName)).toEqual(['b', 'c']);
    expect(second.NextToken).toBeUndefined();
  });

  const invalidRules: { what: string; rule: SamplingRule }[] = [
    { what: 'priority 10000', rule: rule('x', { Priority: 10000 }) },
    { what: 'priority 0', rule: rule('x', { Priority: 0 }) },
    { what: 'fixed rate above 1', rule: rule('x', { FixedRate: 1.5 }) },
    { what: 'negative reservoir', rule: rule('x', { ReservoirSize: -1 }) },
    { what: 'a 33-character name', rule: rule('n'.repeat(33)) },
    { what: 'an 11-character method', rule: rule('x', { HTTPMethod: 'GETGETGETGE' }) },
    { what: 'a 129-character path', rule: rule('x', { URLPath: `/${'p'.repeat(128)}` }) },
    { what: 'six attributes', rule: rule('x', { Attributes: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' } }) },
    { what: 'a 33-character attribute value', rule: rule('x', { Attributes: { a: 'v'.repeat(33) } }) },
    { what: 'no ServiceType', rule: rule('x', { ServiceType: undefined }) },
    { what: 'the name Default', rule: rule('Default') },
  ];
  it.each(invalidRules)('rejects a rule with $what as InvalidRequestException (400)', async ({ rule: bad }) => {
    expect(await awsError(client.send(new CreateSamplingRuleCommand({ SamplingRule: bad })))).toMatchObject({ name: 'InvalidRequestException', status: 400 });
  });

  it('refuses to create past the rule limit with RuleLimitExceededException, Default counted', async () => {
    for (const name of ['a', 'b', 'c']) await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule(name) }));
    const error = await awsError(client.send(new CreateSamplingRuleCommand({ SamplingRule: rule('d') })));
    expect(error).toMatchObject({ name: 'RuleLimitExceededException', message: 'You have reached the maximum number of sampling rules.' });
  });

  it('never deletes the Default rule and updates only its rate and reservoir', async () => {
    expect(await awsError(client.send(new DeleteSamplingRuleCommand({ RuleName: 'Default' })))).toMatchObject({ name: 'InvalidRequestException' });
    const full = await awsError(client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Default', Priority: 10000, FixedRate: 0.1 } })));
    expect(full).toMatchObject({ name: 'InvalidRequestException', message: 'Invalid update request for default sampling rule' });
    const ok = await client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'Default', FixedRate: 0.2, ReservoirSize: 3 } }));
    expect(ok.SamplingRuleRecord!.SamplingRule).toMatchObject({ FixedRate: 0.2, ReservoirSize: 3, Priority: 10000 });
  });

  it('updates by name or ARN but not both, and deletes by name', async () => {
    const arn = (await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule('api') }))).SamplingRuleRecord!.SamplingRule!.RuleARN!;
    await client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleARN: arn, URLPath: '/api/*' } }));
    expect(fake.store.all().find((r) => r.rule.RuleName === 'api')!.rule.URLPath).toBe('/api/*');
    expect(await awsError(client.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'api', RuleARN: arn } })))).toMatchObject({
      name: 'InvalidRequestException',
    });
    await client.send(new DeleteSamplingRuleCommand({ RuleName: 'api' }));
    expect(fake.store.all().map((r) => r.rule.RuleName)).toEqual(['Default']);
    expect(await awsError(client.send(new DeleteSamplingRuleCommand({ RuleName: 'api' })))).toMatchObject({ name: 'InvalidRequestException' });
  });

  it('tags, untags and reports an unknown ARN as ResourceNotFoundException (404)', async () => {
    const arn = (await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule('api') }))).SamplingRuleRecord!.SamplingRule!.RuleARN!;
    await client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['a'] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: 'b', Value: '2' }]);
    const reserved = await awsError(client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'aws:x', Value: '1' }] })));
    expect(reserved.name).toBe('InvalidRequestException');
    const missing = await awsError(client.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}-gone` })));
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  it('throttles the next N calls with ThrottledException (429), then serves again', async () => {
    fake.throttleNext(2);
    for (let i = 0; i < 2; i += 1) {
      expect(await awsError(client.send(new GetSamplingRulesCommand({})))).toMatchObject({ name: 'ThrottledException', status: 429 });
    }
    await expect(client.send(new GetSamplingRulesCommand({}))).resolves.toBeDefined();
    expect(fake.callsOf('GetSamplingRules').map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it('fails the next N calls with a chosen error, 503 by default', async () => {
    fake.failNext(1);
    expect(await awsError(client.send(new GetSamplingRulesCommand({})))).toMatchObject({ status: 503 });
    await expect(client.send(new GetSamplingRulesCommand({}))).resolves.toBeDefined();
  });

  it('serves sampling targets for known rules and lists unknown ones as unprocessed', async () => {
    await client.send(new CreateSamplingRuleCommand({ SamplingRule: rule('api', { FixedRate: 0.25, ReservoirSize: 7 }) }));
    const doc = (RuleName: string) => ({ RuleName, ClientID: 'a'.repeat(24), Timestamp: new Date(), RequestCount: 10, SampledCount: 2, BorrowCount: 0 });
    const targets = await client.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [doc('api'), doc('gone')] }));
    expect(targets.SamplingTargetDocuments).toEqual([expect.objectContaining({ RuleName: 'api', FixedRate: 0.25, ReservoirQuota: 7, Interval: 10 })]);
    expect(targets.UnprocessedStatistics).toEqual([expect.objectContaining({ RuleName: 'gone', ErrorCode: '400' })]);
    expect(targets.LastRuleModification).toBeInstanceOf(Date);
    expect(fake.statistics).toHaveLength(2);
  });
});

describe('FakeXRay over raw HTTP', () => {
  it('answers errors with the x-amzn-errortype header and a JSON message, like AWS', async () => {
    fake.throttleNext(1);
    const res = await fetch(`${fake.endpoint}/GetSamplingRules`, { method: 'POST', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/xray/aws4_request' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('x-amzn-errortype')).toBe('ThrottledException');
    expect(await res.json()).toMatchObject({ message: expect.stringContaining('maximum number of requests') });
  });

  it('rejects unsigned requests as AWS does', async () => {
    const res = await fetch(`${fake.endpoint}/GetSamplingRules`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  it('forwards trace APIs to the traces backend (moto) unchanged', async () => {
    const seen: { url?: string; body: string }[] = [];
    const backend = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"UnprocessedTraceSegments":[]}');
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const forwarding = await FakeXRay.start({ tracesBackend: `http://127.0.0.1:${(backend.address() as AddressInfo).port}` });
    try {
      const res = await fetch(`${forwarding.endpoint}/TraceSegments`, { method: 'POST', body: '{"TraceSegmentDocuments":["{}"]}' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ UnprocessedTraceSegments: [] });
      expect(seen).toEqual([{ url: '/TraceSegments', body: '{"TraceSegmentDocuments":["{}"]}' }]);
    } finally {
      await forwarding.close();
      await new Promise<void>((resolve) => backend.close(() => resolve()));
    }
  });
});
