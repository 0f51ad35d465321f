// In-memory X-Ray groups with the API's documented limits (test support for fake-xray.ts): GroupName 1–32 alphanumeric
// characters and dashes (case-sensitive), `Default` reserved, names unique, notifications only with Insights on, tags as on sampling rules, an account quota
// (configurable; RuleLimit-style refusal past it). The filter expression is only checked for balanced quotes and
// brackets: X-Ray's full grammar is not reimplemented here.
import { randomBytes } from 'node:crypto';
import { FakeAwsError, validateTags, MAX_TAGS } from './fake-xray-store.js';

const invalid = (message: string) => new FakeAwsError(400, 'InvalidRequestException', message);

type Json = Record<string, unknown>;

export interface StoredGroup {
  GroupName: string;
  GroupARN: string;
  FilterExpression?: string;
  InsightsConfiguration: { InsightsEnabled: boolean; NotificationsEnabled: boolean };
  tags: Map<string, string>;
}

export const DEFAULT_GROUP_NAME = 'Default';

/** Quotes closed and (), {} balanced: what a malformed expression most often gets wrong. */
function checkFilterExpression(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw invalid('FilterExpression must be a non-empty string');
  const stack: string[] = [];
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (char === '(' || char === '{') stack.push(char === '(' ? ')' : '}');
    else if ((char === ')' || char === '}') && stack.pop() !== char) throw invalid(`Invalid filter expression: unbalanced ${char}`);
  }
  if (quoted || stack.length > 0) throw invalid('Invalid filter expression: unclosed quote or bracket');
  return value;
}

function insights(value: unknown, current?: StoredGroup['InsightsConfiguration']): StoredGroup['InsightsConfiguration'] {
  const base = current ?? { InsightsEnabled: false, NotificationsEnabled: false };
  if (value === undefined || value === null) return base;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('InsightsConfiguration must be an object');
  const given = value as Json;
  const next = {
    InsightsEnabled: typeof given.InsightsEnabled === 'boolean' ? given.InsightsEnabled : base.InsightsEnabled,
    NotificationsEnabled: typeof given.NotificationsEnabled === 'boolean' ? given.NotificationsEnabled : base.NotificationsEnabled,
  };
  if (next.NotificationsEnabled && !next.InsightsEnabled) throw invalid('Notifications can only be enabled on a group with InsightsEnabled set to true');
  return next;
}

function groupName(body: Json): string | undefined {
  const name = body.GroupName;
  if (name === undefined || name === null) return undefined;
  if (typeof name !== 'string' || name.length < 1 || name.length > 32) throw invalid('GroupName must be 1 to 32 characters');
  if (!/^[A-Za-z0-9-]+$/.test(name)) throw invalid('GroupName may contain only alphanumeric characters and dashes');
  return name;
}

export class GroupStore {
  private readonly groups = new Map<string, StoredGroup>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly groupLimit: number,
  ) {
    this.groups.set(DEFAULT_GROUP_NAME, { GroupName: DEFAULT_GROUP_NAME, GroupARN: this.arn(DEFAULT_GROUP_NAME), InsightsConfiguration: insights(undefined), tags: new Map() });
  }

  private arn(name: string): string {
    return `arn:aws:xray:${this.region}:${this.accountId}:group/${name}/${randomBytes(13).toString('hex').toUpperCase()}`;
  }

  all(): StoredGroup[] {
    return [...this.groups.values()];
  }

  /** The group named by GroupName or GroupARN (one of them). */
  find(body: Json): StoredGroup {
    const name = groupName(body);
    const arn = body.GroupARN;
    if (name === undefined && (typeof arn !== 'string' || arn === '')) throw invalid('GroupName or GroupARN is required');
    const group = name !== undefined ? this.groups.get(name) : this.all().find((g) => g.GroupARN === arn);
    if (!group) throw invalid('Group does not exist');
    return group;
  }

  byArn(arn: unknown): StoredGroup | undefined {
    return this.all().find((g) => g.GroupARN === arn);
  }

  create(body: Json): StoredGroup {
    const name = groupName(body);
    if (name === undefined) throw invalid('GroupName is required');
    if (name === DEFAULT_GROUP_NAME) throw invalid('Default is a reserved group name');
    const filter = checkFilterExpression(body.FilterExpression);
    const config = insights(body.InsightsConfiguration);
    const tags = body.Tags === undefined ? [] : validateTags(body.Tags);
    if (tags.length > MAX_TAGS) throw new FakeAwsError(400, 'TooManyTagsException', `At most ${MAX_TAGS} tags per resource`);
    if (this.groups.has(name)) throw invalid(`Group ${name} already exists`);
    if (this.groups.size >= this.groupLimit) throw invalid('You have reached the maximum number of groups for this account and region');
    const group: StoredGroup = { GroupName: name, GroupARN: this.arn(name), ...(filter ? { FilterExpression: filter } : {}), InsightsConfiguration: config, tags: new Map(tags) };
    this.groups.set(name, group);
    return group;
  }

  update(body: Json): StoredGroup {
    const group = this.find(body);
    if (group.GroupName === DEFAULT_GROUP_NAME && body.FilterExpression !== undefined) throw invalid('The filter expression of the Default group cannot be changed');
    const filter = checkFilterExpression(body.FilterExpression);
    group.InsightsConfiguration = insights(body.InsightsConfiguration, group.InsightsConfiguration);
    if (filter !== undefined) group.FilterExpression = filter;
    return group;
  }

  delete(body: Json): void {
    const group = this.find(body);
    if (group.GroupName === DEFAULT_GROUP_NAME) throw invalid('The Default group cannot be deleted');
    this.groups.delete(group.GroupName);
  }

  /** Test hook: a group made by another tool, as-is. */
  put(name: string, filterExpression: string, tags: Record<string, string> = {}): StoredGroup {
    const group: StoredGroup = { GroupName: name, GroupARN: this.arn(name), FilterExpression: filterExpression, InsightsConfiguration: insights(undefined), tags: new Map(Object.entries(tags)) };
    this.groups.set(name, group);
    return group;
  }
}

/** The JSON X-Ray answers for a group (GroupSummary / Group). */
export function groupJson(group: StoredGroup): Json {
  return {
    GroupName: group.GroupName,
    GroupARN: group.GroupARN,
    ...(group.FilterExpression !== undefined ? { FilterExpression: group.FilterExpression } : {}),
    InsightsConfiguration: { ...group.InsightsConfiguration },
  };
}
