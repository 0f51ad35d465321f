// Makes X-Ray hold exactly the groups an XRayTracing wants, fault companions included: lists the account's groups,
// reads the tags of those whose names could be this owner's, and applies the core's plan. A refused create or update marks that group Failed and the
// others go on; a transient failure (throttling, network, AWS 5xx) stops the sync. Foreign groups are never touched.
import { CreateGroupCommand, DeleteGroupCommand, GetGroupsCommand, ListTagsForResourceCommand, UpdateGroupCommand, type XRayClient } from '@aws-sdk/client-xray';
import type { GroupSummary, Group } from '@aws-sdk/client-xray';
import type { Logger } from 'pino';
import { ownedGroups } from '../../../core/src/monitoring/desired.js';
import { OPERATOR_GROUP_NAME } from '../../../core/src/monitoring/fault-companion.js';
import { planGroupSync } from '../../../core/src/monitoring/plan.js';
import type { DesiredMonitoring, Observed, XRayGroup } from '../../../core/src/monitoring/types.js';
import { MonitoringCalls } from './monitoring-calls.js';
import type { MonitoringFailure } from './monitoring-errors.js';
import type { RetryDeps } from './retry.js';
import { fromSdkTags, toSdkTags } from './rule-codec.js';

/** A group as the sync leaves it: what X-Ray holds (when it does) or why not. */
export interface GroupOutcome {
  specName: string;
  groupName: string;
  /** What X-Ray holds for this owner under that name; absent when it holds nothing of ours. */
  held?: XRayGroup;
  failure?: MonitoringFailure;
}

export interface GroupSyncResult {
  /** One per group the owner wants, fault companions included (by groupName). */
  groups: GroupOutcome[];
  deleted: string[];
}

function fromSdkGroup(group: GroupSummary | Group | undefined): XRayGroup | undefined {
  if (!group?.GroupName) return undefined;
  const insights = group.InsightsConfiguration;
  return {
    GroupName: group.GroupName,
    ...(group.GroupARN ? { GroupARN: group.GroupARN } : {}),
    FilterExpression: group.FilterExpression ?? '',
    InsightsConfiguration: { InsightsEnabled: insights?.InsightsEnabled ?? false, NotificationsEnabled: insights?.NotificationsEnabled ?? false },
  };
}

export class GroupSync {
  private readonly calls: MonitoringCalls;

  constructor(
    private readonly client: XRayClient,
    retry: RetryDeps,
    private readonly logger: Logger,
  ) {
    this.calls = new MonitoringCalls('X-Ray', retry);
  }

  async sync(desired: DesiredMonitoring): Promise<GroupSyncResult> {
    const observed = await this.observe(desired.groupNameSuffix);
    const plan = planGroupSync(desired, observed);
    const log = this.logger.child({ namespace: desired.owner.namespace, name: desired.owner.name });
    const outcomes = new Map<string, Omit<GroupOutcome, 'specName' | 'groupName'>>();
    for (const { item } of plan.unchanged) outcomes.set(item.GroupName, { held: item });
    const deleted: string[] = [];
    for (const { item } of plan.deletes) {
      await this.calls.send('DeleteGroup', `group ${item.GroupName}`, () => this.client.send(new DeleteGroupCommand({ GroupName: item.GroupName })));
      deleted.push(item.GroupName);
      log.info({ operation: 'DeleteGroup', groupName: item.GroupName }, 'Deleted X-Ray group');
    }
    for (const { desired: target, current, changed } of plan.updates) {
      const { GroupName, FilterExpression, InsightsConfiguration } = target.group;
      const outcome = await this.calls.attempt('UpdateGroup', `group ${GroupName}`, () => this.client.send(new UpdateGroupCommand({ GroupName, FilterExpression, InsightsConfiguration })));
      // A refused update leaves the group as it was: still ours, still held.
      outcomes.set(GroupName, 'failure' in outcome ? { held: current.item, failure: outcome.failure } : { held: fromSdkGroup(outcome.value.Group) ?? { ...target.group, GroupARN: current.item.GroupARN } });
      if (!('failure' in outcome)) log.info({ operation: 'UpdateGroup', groupName: GroupName, changed }, 'Updated X-Ray group');
    }
    for (const { group, tags } of plan.creates) {
      const { GroupName, FilterExpression, InsightsConfiguration } = group;
      const outcome = await this.calls.attempt('CreateGroup', `group ${GroupName}`, () =>
        this.client.send(new CreateGroupCommand({ GroupName, FilterExpression, InsightsConfiguration, Tags: toSdkTags(tags) })),
      );
      outcomes.set(GroupName, 'failure' in outcome ? { failure: outcome.failure } : { held: fromSdkGroup(outcome.value.Group) ?? group });
      if (!('failure' in outcome)) log.info({ operation: 'CreateGroup', groupName: GroupName }, 'Created X-Ray group');
    }
    for (const name of plan.conflicts) {
      outcomes.set(name, {
        failure: { reason: 'NameConflict', transient: false, message: `X-Ray group ${name} exists but is not tagged as owned by this XRayTracing; the operator leaves it alone: delete or re-tag it` },
      });
    }
    return { groups: ownedGroups(desired).map(({ specName, group }) => ({ specName, groupName: group.GroupName, ...outcomes.get(group.GroupName) })), deleted };
  }

  /** The account's groups whose names could be this owner's, with their tags. */
  private async observe(nameSuffix: string): Promise<Observed<XRayGroup>[]> {
    const groups: XRayGroup[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.calls.send('GetGroups', undefined, () => this.client.send(new GetGroupsCommand({ NextToken })));
      for (const summary of page.Groups ?? []) {
        const group = fromSdkGroup(summary);
        if (group?.GroupARN && group.GroupName.endsWith(nameSuffix) && OPERATOR_GROUP_NAME.test(group.GroupName)) groups.push(group);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return Promise.all(groups.map(async (item) => ({ item, tags: await this.tagsOf(item) })));
  }

  private async tagsOf(group: XRayGroup): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let NextToken: string | undefined;
    do {
      const page = await this.calls.send('ListTagsForResource', `group ${group.GroupName}`, () => this.client.send(new ListTagsForResourceCommand({ ResourceARN: group.GroupARN, NextToken })));
      Object.assign(tags, fromSdkTags(page.Tags));
      NextToken = page.NextToken;
    } while (NextToken);
    return tags;
  }
}
