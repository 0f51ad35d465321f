// The CEL rules of spec.monitoring (monitoring-schema.ts) and its list-map key uniqueness, mirrored in TypeScript.
import type { FieldError } from './cross-field.js';
import { AlarmDefaults, MonitoringLimits } from './monitoring-schema.js';
import type { FaultAlarmSpec, GroupSettingsSpec, XRayTracingSpec } from './types.js';

const at = (path: string, message: string): FieldError[] => [{ path: `spec.${path}`, message }];

function settingsErrors(settings: GroupSettingsSpec | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (settings?.insights?.notifications && !settings.insights.enabled) {
    errors.push(...at(`${path}.insights.notifications`, 'insights.notifications needs insights.enabled: X-Ray only notifies for groups with Insights on'));
  }
  if (settings?.faultAlarm) errors.push(...alarmErrors(settings.faultAlarm, `${path}.faultAlarm`));
  return errors;
}

function alarmErrors(alarm: FaultAlarmSpec, path: string): FieldError[] {
  const period = alarm.periodSeconds ?? AlarmDefaults.periodSeconds;
  const evaluations = alarm.evaluationPeriods ?? AlarmDefaults.evaluationPeriods;
  return [
    ...(period % 60 !== 0 ? at(`${path}.periodSeconds`, 'faultAlarm.periodSeconds must be a multiple of 60') : []),
    ...(period * evaluations > MonitoringLimits.maxEvaluationSeconds
      ? at(`${path}.evaluationPeriods`, 'faultAlarm.periodSeconds × evaluationPeriods must be at most one day (86400 seconds)')
      : []),
    ...(alarm.datapointsToAlarm !== undefined && alarm.datapointsToAlarm > evaluations
      ? at(`${path}.datapointsToAlarm`, 'faultAlarm.datapointsToAlarm must not exceed evaluationPeriods')
      : []),
  ];
}

/** Every monitoring error of a schema-valid spec. */
export function monitoringErrors({ monitoring }: XRayTracingSpec): FieldError[] {
  const groups = monitoring?.groups ?? [];
  const names = groups.map((g) => g.name);
  return [
    ...settingsErrors(monitoring?.defaultGroup, 'monitoring.defaultGroup'),
    ...groups.flatMap((group, i) => [
      ...(group.name === MonitoringLimits.defaultGroupName
        ? at(`monitoring.groups[${i}].name`, `group name "${MonitoringLimits.defaultGroupName}" is reserved for the namespace's group (set monitoring.defaultGroup instead)`)
        : []),
      ...(names.indexOf(group.name) < i ? at(`monitoring.groups[${i}].name`, `duplicate group name "${group.name}"; names must be unique`) : []),
      ...settingsErrors(group, `monitoring.groups[${i}]`),
    ]),
  ];
}
