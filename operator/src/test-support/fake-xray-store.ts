// In-memory X-Ray sampling rules and tags with the service's documented limits (test support for fake-xray.ts).
// Shapes and limits: X-Ray API reference / botocore model (see shared reference §1).
import type { XRaySamplingRule } from '../../../core/src/sampling/types.js';

export class FakeAwsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new FakeAwsError(400, 'InvalidRequestException', message);

/** A rule as X-Ray stores it: the SamplingRule shape, always with its ARN. */
export type StoredRule = XRaySamplingRule & { RuleARN: string };

export interface StoredRecord {
  rule: StoredRule;
  createdAt: number;
  modifiedAt: number;
  tags: Map<string, string>;
}

export const DEFAULT_RULE_NAME = 'Default';
export const MAX_TAGS = 50;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

type Json = Record<string, unknown>;

function str(body: Json, key: string, max: number, required: boolean, min = 0): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw invalid(`${key} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length < min || value.length > max) throw invalid(`${key} must be a string of ${min} to ${max} characters`);
  return value;
}

function numberIn(body: Json, key: string, min: number, max: number, required: boolean, integer: boolean): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw invalid(`${key} is required`);
    return undefined;
  }
  if (typeof value !== 'number' || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw invalid(`${key} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

function attributes(body: Json): Record<string, string> | undefined {
  const value = body.Attributes;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('Attributes must be a map');
  const entries = Object.entries(value as Json);
  if (entries.length > 5) throw invalid('Attributes can have at most 5 entries');
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 32 || typeof v !== 'string' || v.length < 1 || v.length > 32) {
      throw invalid('Attribute keys and values must be 1 to 32 characters');
    }
  }
  return { ...(value as Record<string, string>) };
}

/** SamplingRateBoost: both fields required, MaxRate 0–1, CooldownWindowMinutes ≥ 0 (the API reference's ranges). */
function samplingRateBoost(body: Json): StoredRule['SamplingRateBoost'] {
  const value = body.SamplingRateBoost;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('SamplingRateBoost must be an object');
  const boost = value as Json;
  return {
    MaxRate: numberIn(boost, 'MaxRate', 0, 1, true, false)!,
    CooldownWindowMinutes: numberIn(boost, 'CooldownWindowMinutes', 0, Number.MAX_SAFE_INTEGER, true, true)!,
  };
}

/** The SamplingRule fields of a create or update body; `full` = all required fields present (create). */
function ruleFields(body: Json, full: boolean): Partial<StoredRule> {
  const fields: Partial<StoredRule> = {
    ResourceARN: str(body, 'ResourceARN', 500, full),
    Priority: numberIn(body, 'Priority', 1, 9999, full, true),
    FixedRate: numberIn(body, 'FixedRate', 0, 1, full, false),
    ReservoirSize: numberIn(body, 'ReservoirSize', 0, Number.MAX_SAFE_INTEGER, full, true),
    ServiceName: str(body, 'ServiceName', 64, full),
    ServiceType: str(body, 'ServiceType', 64, full),
    Host: str(body, 'Host', 64, full),
    HTTPMethod: str(body, 'HTTPMethod', 10, full),
    URLPath: str(body, 'URLPath', 128, full),
    Attributes: attributes(body),
    SamplingRateBoost: samplingRateBoost(body),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export function validateTags(tags: unknown): [string, string][] {
  if (!Array.isArray(tags)) throw invalid('Tags must be a list');
  return tags.map((tag: Json) => {
    const key = tag.Key;
    const value = tag.Value;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128 || !TAG_CHARS.test(key)) throw invalid(`Invalid tag key ${JSON.stringify(key)}`);
    if (typeof value !== 'string' || value.length > 256 || !TAG_CHARS.test(value)) throw invalid(`Invalid tag value for ${key}`);
    if (key.toLowerCase().startsWith('aws:')) throw invalid('Tag keys starting with aws: are reserved');
    return [key, value];
  });
}

export class SamplingRuleStore {
  private readonly records = new Map<string, StoredRecord>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly ruleLimit: number,
    private readonly nowSeconds: () => number,
  ) {
    const now = nowSeconds();
    const rule: StoredRule = {
      RuleName: DEFAULT_RULE_NAME,
      RuleARN: this.arn(DEFAULT_RULE_NAME),
      ResourceARN: '*',
      Priority: 10000,
      FixedRate: 0.05,
      ReservoirSize: 1,
      ServiceName: '*',
      ServiceType: '*',
      Host: '*',
      HTTPMethod: '*',
      URLPath: '*',
      Version: 1,
      Attributes: {},
    };
    this.records.set(DEFAULT_RULE_NAME, { rule, createdAt: now, modifiedAt: now, tags: new Map() });
  }

  arn(name: string): string {
    return `arn:aws:xray:${this.region}:${this.accountId}:sampling-rule/${name}`;
  }

  all(): StoredRecord[] {
    return [...this.records.values()];
  }

  /** The record named by `RuleName` or `RuleARN` (exactly one of them). */
  find(body: Json): StoredRecord {
    const name = str(body, 'RuleName', 32, false, 1);
    const arn = str(body, 'RuleARN', 1011, false, 1);
    if ((name === undefined) === (arn === undefined)) throw invalid('Specify either RuleName or RuleARN, not both');
    const record = name !== undefined ? this.records.get(name) : this.all().find((r) => r.rule.RuleARN === arn);
    if (!record) throw invalid('Sampling rule does not exist');
    return record;
  }

  byArn(arn: unknown): StoredRecord {
    const record = this.all().find((r) => r.rule.RuleARN === arn);
    if (!record) throw new FakeAwsError(404, 'ResourceNotFoundException', `Resource ${String(arn)} not found`);
    return record;
  }

  create(rule: Json, tags: unknown): StoredRecord {
    const name = str(rule, 'RuleName', 32, true, 1)!;
    const fields = ruleFields(rule, true);
    const version = numberIn(rule, 'Version', 1, Number.MAX_SAFE_INTEGER, true, true)!;
    const tagList = tags === undefined ? [] : validateTags(tags);
    if (tagList.length > MAX_TAGS) throw new FakeAwsError(400, 'TooManyTagsException', `At most ${MAX_TAGS} tags per resource`);
    if (this.records.has(name)) throw invalid(`Sampling rule ${name} already exists`);
    if (this.records.size >= this.ruleLimit) throw new FakeAwsError(400, 'RuleLimitExceededException', 'You have reached the maximum number of sampling rules.');
    const now = this.nowSeconds();
    const record: StoredRecord = {
      rule: { ...(fields as StoredRule), RuleName: name, RuleARN: this.arn(name), Version: version },
      createdAt: now,
      modifiedAt: now,
      tags: new Map(tagList),
    };
    this.records.set(name, record);
    return record;
  }

  update(update: Json): StoredRecord {
    const record = this.find(update);
    const defaultUpdatable = new Set(['RuleName', 'RuleARN', 'FixedRate', 'ReservoirSize']);
    if (record.rule.RuleName === DEFAULT_RULE_NAME && Object.keys(update).some((k) => update[k] !== undefined && !defaultUpdatable.has(k))) {
      throw invalid('Invalid update request for default sampling rule');
    }
    const fields = ruleFields(update, false);
    record.rule = { ...record.rule, ...fields };
    record.modifiedAt = this.nowSeconds();
    return record;
  }

  delete(body: Json): StoredRecord {
    const record = this.find(body);
    if (record.rule.RuleName === DEFAULT_RULE_NAME) throw invalid('Cannot delete the default sampling rule');
    this.records.delete(record.rule.RuleName);
    return record;
  }


  /** Test hook: put a rule as-is (another tool's rule), bypassing validation and limits. */
  put(rule: Omit<StoredRule, 'RuleARN'>, tags: Record<string, string> = {}): StoredRecord {
    const now = this.nowSeconds();
    const record: StoredRecord = { rule: { ...rule, RuleARN: this.arn(rule.RuleName) }, createdAt: now, modifiedAt: now, tags: new Map(Object.entries(tags)) };
    this.records.set(rule.RuleName, record);
    return record;
  }

  /** Test hook: change fields of a rule directly, like an edit in the console. */
  edit(name: string, patch: Partial<Omit<StoredRule, 'RuleName' | 'RuleARN'>>): StoredRecord {
    const record = this.records.get(name);
    if (!record) throw new Error(`No sampling rule ${name}`);
    record.rule = { ...record.rule, ...patch };
    record.modifiedAt = this.nowSeconds();
    return record;
  }

  lastModification(): number {
    return Math.max(...this.all().map((r) => r.modifiedAt));
  }
}

/** Anything X-Ray tags (sampling rules, groups): its tags by key. */
export interface Taggable {
  tags: Map<string, string>;
}

export function tagResource(record: Taggable, tags: unknown): void {
  const merged = new Map([...record.tags, ...validateTags(tags)]);
  if (merged.size > MAX_TAGS) throw new FakeAwsError(400, 'TooManyTagsException', `At most ${MAX_TAGS} tags per resource`);
  record.tags = merged;
}

export function untagResource(record: Taggable, keys: unknown): void {
  if (!Array.isArray(keys)) throw invalid('TagKeys must be a list');
  for (const key of keys) record.tags.delete(String(key));
}
