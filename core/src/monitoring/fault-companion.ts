// The fault companion of a group with a fault alarm. X-Ray groups publish one CloudWatch metric, ApproximateTraceCount
// (namespace AWS/X-Ray, dimension GroupName, every minute); there is no per-group fault or error count. So the operator
// owns a second group that keeps only the failed traces of the first: its ApproximateTraceCount is the failed count.
import { createHash } from 'node:crypto';
import { MonitoringLimits } from '../api/monitoring-schema.js';
import type { FaultAlarmSpec } from '../api/types.js';
import { xrayRuleName } from '../sampling/naming.js';
import type { MonitoringOwner, OwnedGroup } from './types.js';

/** Tag on a fault companion: the X-Ray name of the group it counts the failed traces of. */
export const FAULT_COMPANION_TAG = 'xray-operator.dev/fault-companion-of';

type FailureMetric = NonNullable<FaultAlarmSpec['metric']>;

/** The trace-level filter keyword of each alarm metric: `fault` (5xx response), `error` (4xx response). */
const FAILURE_KEYWORD: Record<FailureMetric, string> = { faults: 'fault', errors: 'error' };

/**
 * The companion's marker: upper case, which no group of the spec can contain (its names are lower case), so a
 * companion name never equals a declared group's. `F` counts faults, `E` errors.
 */
const MARKER: Record<FailureMetric, string> = { faults: 'F', errors: 'E' };

/** How much of a long spec name the companion keeps before a hash of the whole name. */
const LONG_NAME_KEPT = 12;

/**
 * The companion's short name, within the 23 characters that leave room for `-<hash8>`: `<name>-F` (or `-E`), or for a
 * name too long for that, `<first 12>-F<hash9 of the name>`, so two long names with one prefix still differ.
 */
export function companionShortName(specName: string, metric: FailureMetric): string {
  const marker = `-${MARKER[metric]}`;
  if (specName.length + marker.length <= MonitoringLimits.groupNameMaxLength) return `${specName}${marker}`;
  const hash = createHash('sha256').update(specName).digest('hex');
  const hashLength = MonitoringLimits.groupNameMaxLength - LONG_NAME_KEPT - marker.length;
  return `${specName.slice(0, LONG_NAME_KEPT)}${marker}${hash.slice(0, hashLength)}`;
}

/** The group's traces that failed: its filter, parenthesised so an OR in it stays inside, AND the keyword. */
export function companionFilterExpression(filterExpression: string, metric: FailureMetric): string {
  return `(${filterExpression}) AND ${FAILURE_KEYWORD[metric]}`;
}

/** The companion of `group`: the owner's tags plus the marker tag, Insights off (the group itself carries them). */
export function faultCompanion(owner: MonitoringOwner, group: OwnedGroup, metric: FailureMetric): OwnedGroup {
  return {
    specName: group.specName,
    group: {
      GroupName: xrayRuleName(owner, companionShortName(group.specName, metric)),
      FilterExpression: companionFilterExpression(group.group.FilterExpression, metric),
      InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false },
    },
    tags: { ...group.tags, [FAULT_COMPANION_TAG]: group.group.GroupName },
  };
}

/** Shape of the X-Ray name of any group the operator owns, companions included (the pre-filter before tags). */
export const OPERATOR_GROUP_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(-[FE][0-9a-f]*)?-[0-9a-f]{8}$/;
