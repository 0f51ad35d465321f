// What the XRayTracing reconciler needs for monitoring: the core plans the groups and alarms of an XRayTracing, the
// X-Ray group sync and the CloudWatch alarm sync apply them, and this turns their outcomes into status entries.
import type { OwnedAlarmStatus, OwnedGroupStatus, ResolvedSpec, XRayTracing } from '../../../../core/src/api/types.js';
import { desiredMonitoring, noMonitoring } from '../../../../core/src/monitoring/desired.js';
import type { DesiredGroup } from '../../../../core/src/monitoring/types.js';
import { samplingRuleOwner } from '../../../../core/src/sampling/desired.js';
import type { AlarmOutcome, AlarmSync } from '../../cloudwatch/alarm-sync.js';
import type { GroupOutcome, GroupSync } from '../../xray/group-sync.js';

export interface MonitoringPort {
  /** Makes AWS hold exactly the groups and alarms the spec wants; one entry per desired group. Throws MonitoringSyncError. */
  sync(tracing: XRayTracing, spec: ResolvedSpec): Promise<OwnedGroupStatus[]>;
  /** Deletes every group and alarm this XRayTracing owns under `clusterName` (default: this operator's). */
  deleteAllOwned(tracing: XRayTracing, clusterName?: string): Promise<void>;
}

/** The alarm entry, with its fault companion group: a refused companion fails the alarm, a missing one keeps it Pending. */
function alarmStatus(desired: DesiredGroup, companion: GroupOutcome | undefined, outcome: AlarmOutcome | undefined): OwnedAlarmStatus | undefined {
  if (!desired.alarm || !desired.companion) return undefined;
  const held = companion?.held;
  const entry = {
    alarmName: desired.alarm.AlarmName,
    companionGroupName: desired.companion.group.GroupName,
    ...(held?.GroupARN ? { companionGroupARN: held.GroupARN } : {}),
    ...(held ? { companionFilterExpression: held.FilterExpression } : {}),
  };
  if (companion?.failure) return { ...entry, state: 'Failed', message: `X-Ray group ${entry.companionGroupName}: ${companion.failure.message}` };
  if (!outcome) return { ...entry, state: 'Pending', message: `Waits for X-Ray groups ${desired.group.GroupName} and ${entry.companionGroupName}` };
  return {
    ...entry,
    ...(outcome.alarmArn ? { alarmARN: outcome.alarmArn } : {}),
    state: outcome.failure ? 'Failed' : 'Synced',
    ...(outcome.failure ? { message: outcome.failure.message } : {}),
  };
}

function groupStatus(desired: DesiredGroup, outcomes: readonly GroupOutcome[], alarm: AlarmOutcome | undefined): OwnedGroupStatus {
  const byName = (name: string | undefined) => outcomes.find((g) => g.groupName === name);
  const group = byName(desired.group.GroupName);
  const held = group?.held;
  const alarmEntry = alarmStatus(desired, byName(desired.companion?.group.GroupName), alarm);
  return {
    name: desired.specName,
    groupName: desired.group.GroupName,
    ...(held?.GroupARN ? { groupARN: held.GroupARN } : {}),
    ...(held ? { filterExpression: held.FilterExpression } : {}),
    ...(held ? { insights: { enabled: held.InsightsConfiguration.InsightsEnabled, notifications: held.InsightsConfiguration.NotificationsEnabled } } : {}),
    state: group?.failure ? 'Failed' : held ? 'Synced' : 'Pending',
    ...(group?.failure ? { message: group.failure.message } : {}),
    ...(alarmEntry ? { alarm: alarmEntry } : {}),
  };
}

export function monitoringPort(groups: GroupSync, alarms: AlarmSync, clusterName: string): MonitoringPort {
  return {
    async sync(tracing, spec) {
      const desired = desiredMonitoring(tracing, spec, clusterName);
      const groupResult = await groups.sync(desired);
      const held = new Set(groupResult.groups.filter((g) => g.held).map((g) => g.groupName));
      const alarmResult = await alarms.sync(desired, held);
      return desired.groups.map((d) => groupStatus(d, groupResult.groups, alarmResult.alarms.find((a) => a.specName === d.specName)));
    },
    async deleteAllOwned(tracing, ownerCluster = clusterName) {
      const nothing = noMonitoring(samplingRuleOwner(tracing, ownerCluster));
      // Alarms first: none is left watching a group that is gone.
      await alarms.sync(nothing, new Set());
      await groups.sync(nothing);
    },
  };
}
