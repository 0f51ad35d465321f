// Plans how to bring X-Ray's groups and CloudWatch's alarms to what an XRayTracing wants. Only what is tagged for this
// exact owner is ever changed; a desired name held by anything else is reported as a conflict and left alone.
import { isDeepStrictEqual } from 'node:util';
import { diffOwned } from '../owned-diff.js';
import { isOwnedBy } from '../sampling/naming.js';
import { ownedGroups } from './desired.js';
import type { AlarmSyncPlan, CloudWatchAlarm, DesiredGroup, DesiredMonitoring, GroupSyncPlan, Observed, XRayGroup } from './types.js';

/** X-Ray's own group in every account and region. */
export const XRAY_DEFAULT_GROUP_NAME = 'Default';

/** Fields UpdateGroup would have to change. */
export function changedGroupFields(desired: XRayGroup, current: XRayGroup): string[] {
  const changed: string[] = [];
  if (desired.FilterExpression !== current.FilterExpression) changed.push('FilterExpression');
  if (!isDeepStrictEqual(desired.InsightsConfiguration, current.InsightsConfiguration)) changed.push('InsightsConfiguration');
  return changed;
}

const ALARM_FIELDS = [
  'AlarmDescription', 'ActionsEnabled', 'AlarmActions', 'ComparisonOperator', 'Threshold', 'EvaluationPeriods', 'DatapointsToAlarm', 'TreatMissingData', 'Metrics',
] as const;

/** Fields of an alarm that differ from what PutMetricAlarm would write (a console edit, or a spec change). */
export function changedAlarmFields(desired: CloudWatchAlarm, current: CloudWatchAlarm): string[] {
  return ALARM_FIELDS.filter((field) => !isDeepStrictEqual(desired[field], current[field]));
}

function split<T>(observed: readonly Observed<T>[], owner: DesiredMonitoring['owner'], name: (item: T) => string) {
  const owned = new Map(observed.filter((o) => isOwnedBy(o.tags, owner)).map((o) => [name(o.item), o]));
  const foreign = new Set(observed.filter((o) => !isOwnedBy(o.tags, owner)).map((o) => name(o.item)));
  return { owned, foreign };
}

/**
 * Creates, updates (any drift) and deletes that make X-Ray hold exactly the desired groups of this owner, fault
 * companions included: a companion goes when its alarm goes.
 */
export function planGroupSync(desired: DesiredMonitoring, observed: readonly Observed<XRayGroup>[]): GroupSyncPlan {
  const { owned, foreign } = split(observed, desired.owner, (g) => g.GroupName);
  const diff = diffOwned(new Map(ownedGroups(desired).map((d) => [d.group.GroupName, d])), owned, foreign, XRAY_DEFAULT_GROUP_NAME);
  const plan: GroupSyncPlan = { deletes: diff.unwanted, updates: [], creates: diff.missing, conflicts: diff.conflicts, unchanged: [] };
  for (const { wanted: target, held: current } of diff.pairs) {
    const changed = changedGroupFields(target.group, current.item);
    if (changed.length > 0) plan.updates.push({ desired: target, current, changed });
    else plan.unchanged.push(current);
  }
  return plan;
}

/** Whether the owner holds both groups the alarm of `d` divides. */
export function alarmWatchable(d: DesiredGroup, groupsHeld: ReadonlySet<string>): boolean {
  return groupsHeld.has(d.group.GroupName) && d.companion !== undefined && groupsHeld.has(d.companion.group.GroupName);
}

/**
 * Puts (create or replace on drift) and deletes that make CloudWatch hold exactly the desired alarms of this owner.
 * An alarm is only wanted while this owner holds its group and the group's fault companion (`groupsHeld`: names of the
 * owner's groups in X-Ray now), so an alarm never watches a group name someone else holds.
 */
export function planAlarmSync(desired: DesiredMonitoring, observed: readonly Observed<CloudWatchAlarm>[], groupsHeld: ReadonlySet<string>): AlarmSyncPlan {
  const { owned, foreign } = split(observed, desired.owner, (a) => a.AlarmName);
  const wanted = new Map(
    desired.groups.flatMap((d) => (d.alarm && alarmWatchable(d, groupsHeld) ? [[d.alarm.AlarmName, { alarm: d.alarm, specName: d.specName }] as const] : [])),
  );
  const diff = diffOwned(wanted, owned, foreign);
  const drifted = diff.pairs.filter(({ wanted: target, held }) => changedAlarmFields(target.alarm, held.item).length > 0);
  return {
    deletes: diff.unwanted,
    puts: [...drifted.map(({ wanted: target }) => ({ ...target, exists: true })), ...diff.missing.map((target) => ({ ...target, exists: false }))],
    conflicts: diff.conflicts,
    unchanged: diff.pairs.filter((pair) => !drifted.includes(pair)).map(({ held }) => held),
  };
}
