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

function alarmStatus(desired: DesiredGroup, outcome: AlarmOutcome | undefined): OwnedAlarmStatus | undefined {
  if (!desired.alarm) return undefined;
  const alarmName = desired.alarm.AlarmName;
  if (!outcome) return { alarmName, state: 'Pending', message: `Waits for X-Ray group ${desired.group.GroupName}` };
  return {
    alarmName,
    ...(outcome.alarmArn ? { alarmARN: outcome.alarmArn } : {}),
    state: outcome.failure ? 'Failed' : 'Synced',
    ...(outcome.failure ? { message: outcome.failure.message } : {}),
  };
}

function groupStatus(desired: DesiredGroup, group: GroupOutcome | undefined, alarm: AlarmOutcome | undefined): OwnedGroupStatus {
  const held = group?.held;
  const alarmEntry = alarmStatus(desired, alarm);
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
      return desired.groups.map((d) =>
        groupStatus(
          d,
          groupResult.groups.find((g) => g.specName === d.specName),
          alarmResult.alarms.find((a) => a.specName === d.specName),
        ),
      );
    },
    async deleteAllOwned(tracing, ownerCluster = clusterName) {
      const nothing = noMonitoring(samplingRuleOwner(tracing, ownerCluster));
      // Alarms first: none is left watching a group that is gone.
      await alarms.sync(nothing, new Set());
      await groups.sync(nothing);
    },
  };
}
