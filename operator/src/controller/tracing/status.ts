// The XRayTracing status from what one reconcile observed. Pure: the reconciler gathers observations, this decides
// what they mean for users (`kubectl get xrt`, `kubectl describe xrt`).
import { isDeepStrictEqual } from 'node:util';
import type { Condition, FleetStatus, OwnedSamplingRule, ResolvedSpec, RolloutsStatus, XRayTracingStatus } from '../../../../core/src/api/types.js';
import type { FieldError } from '../../../../core/src/api/validate.js';
import type { ExportDecision } from '../../../../core/src/collector/export-decision.js';
import { podsSummary } from '../../../../core/src/fleet/fleet-status.js';
import { ConditionTypes, mergeConditions, type ConditionInput } from './conditions.js';
import type { MonitoringObservation } from './monitoring-step.js';

/** Why sampling rules could not be synced; the reasons users see on SamplingRulesSynced. */
export type SamplingFailureReason =
  | 'RuleLimitExceeded'
  | 'Throttled'
  | 'InvalidRequest'
  | 'AWSUnreachable'
  | 'RuleNameConflict'
  | 'ClusterNameChanged'
  | 'RuleBudgetExceeded'
  | 'SyncFailed';

export type SamplingObservation =
  | { ok: true; rules: OwnedSamplingRule[]; clusterName: string }
  | { ok: false; reason: SamplingFailureReason; message: string };

/** A workload the controller rolled back from this XRayTracing's injection (its rolled-back annotations). */
export interface RolledBackWorkload {
  kind: string;
  name: string;
  /** rolled-back-reason: CrashLoop or NotReady, and what the pods did. */
  reason: string;
}

export type TracingObservation =
  | { valid: false; errors: readonly FieldError[] }
  | {
      valid: true;
      spec: ResolvedSpec;
      configHash: string;
      /** `notNeeded`: collector.mode none, so no pod runs a collector and no ConfigMap is written. */
      collectorConfigMap: { ok: true; name: string } | { ok: true; notNeeded: true } | { ok: false; message: string };
      sampling: SamplingObservation;
      export: ExportDecision;
      injectedWorkloads: number;
      fleet: FleetStatus;
      rolledBack: readonly RolledBackWorkload[];
      /** The namespace's operator-caused rollouts; absent when the controller paces none. */
      rollouts?: RolloutsStatus;
      /** Absent when the XRayTracing neither declares nor owns X-Ray groups. */
      monitoring?: MonitoringObservation;
    };

export function samplingSummary(spec: ResolvedSpec, ruleCount: number): string {
  if (spec.sampling.mode === 'local') return `local ${formatRatio(spec.sampling.fixedRate)}`;
  return `centralized (${ruleCount} ${ruleCount === 1 ? 'rule' : 'rules'})`;
}

function formatRatio(ratio: number): string {
  // 0.05 → "5%", 0.001 → "0.1%": no float noise (0.07 * 100 = 7.000000000000001).
  return `${Number((ratio * 100).toPrecision(6))}%`;
}

export function describeFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((error) => `${error.path}: ${error.message}`).join('; ');
}

function invalidConditions(errors: readonly FieldError[]): ConditionInput[] {
  const message = `The spec is invalid: ${describeFieldErrors(errors)}`;
  const blocked = (type: string): ConditionInput => ({ type, status: 'False', reason: 'InvalidSpec', message: 'Not applied: the spec is invalid' });
  return [
    { type: ConditionTypes.ready, status: 'False', reason: 'InvalidSpec', message },
    blocked(ConditionTypes.collectorConfigReady),
    blocked(ConditionTypes.samplingRulesSynced),
  ];
}

function validConditions(observation: Extract<TracingObservation, { valid: true }>): ConditionInput[] {
  const { collectorConfigMap, sampling, spec, export: exportDecision } = observation;
  const collector: ConditionInput = !collectorConfigMap.ok
    ? { type: ConditionTypes.collectorConfigReady, status: 'False', reason: 'ApplyFailed', message: collectorConfigMap.message }
    : 'notNeeded' in collectorConfigMap
      ? { type: ConditionTypes.collectorConfigReady, status: 'True', reason: 'NoCollector', message: 'collector.mode is none: pods export straight to X-Ray, so there is no collector config to write' }
      : { type: ConditionTypes.collectorConfigReady, status: 'True', reason: 'Applied', message: `Collector config is in ConfigMap ${collectorConfigMap.name}` };
  const samplingCondition: ConditionInput = sampling.ok
    ? spec.sampling.mode === 'local'
      ? { type: ConditionTypes.samplingRulesSynced, status: 'True', reason: 'LocalSampling', message: `Local sampling at ${formatRatio(spec.sampling.fixedRate)}: no X-Ray sampling rules are needed` }
      : { type: ConditionTypes.samplingRulesSynced, status: 'True', reason: 'Synced', message: `${sampling.rules.length} X-Ray sampling rules are in sync` }
    : { type: ConditionTypes.samplingRulesSynced, status: 'False', reason: sampling.reason, message: sampling.message };
  const exportCondition: ConditionInput = { type: ConditionTypes.exportReady, ...exportDecision.condition };
  const monitoring = observation.monitoring ? [observation.monitoring.condition] : [];
  // ExportReady False only fails Ready when spans would be lost; auto's fallback to awsxray still delivers them.
  const failing = [collector, samplingCondition, ...(exportDecision.blocking ? [exportCondition] : []), ...monitoring].find((condition) => condition.status !== 'True');
  const ready: ConditionInput = failing
    ? { type: ConditionTypes.ready, status: 'False', reason: failing.reason, message: failing.message }
    : { type: ConditionTypes.ready, status: 'True', reason: 'Ready', message: 'Collector config and sampling rules are applied; opted-in pods get injected' };
  return [ready, collector, samplingCondition, exportCondition, rolledBackCondition(observation.rolledBack), ...monitoring];
}

const LISTED_ROLLBACKS = 5;

function rolledBackCondition(workloads: readonly RolledBackWorkload[]): ConditionInput {
  if (workloads.length === 0) return { type: ConditionTypes.rolledBack, status: 'False', reason: 'NoneRolledBack', message: 'No workload was rolled back' };
  const listed = workloads.slice(0, LISTED_ROLLBACKS).map((workload) => `${workload.kind} ${workload.name} (${workload.reason})`);
  const more = workloads.length > LISTED_ROLLBACKS ? `; and ${workloads.length - LISTED_ROLLBACKS} more` : '';
  return {
    type: ConditionTypes.rolledBack,
    status: 'True',
    reason: 'InjectedPodsFailed',
    message: `Rolled back to uninstrumented pods after injected ones failed: ${listed.join('; ')}${more}. Remove the xray-operator.dev/rolled-back annotation from a workload to inject it again`,
  };
}

/**
 * The status to write. What an invalid spec cannot tell (owned rules, config hash, injected workloads) keeps its
 * previous value: the last applied state is still what runs.
 */
export function computeStatus(previous: XRayTracingStatus | undefined, observation: TracingObservation, generation: number | undefined, now: Date): XRayTracingStatus {
  const inputs = observation.valid ? validConditions(observation) : invalidConditions(observation.errors);
  const conditions: Condition[] = mergeConditions(previous?.conditions, inputs, generation, now);
  const failing = conditions.find((condition) => condition.type === ConditionTypes.ready && condition.status !== 'True');
  const status: XRayTracingStatus = {
    observedGeneration: generation,
    conditions,
    samplingRules: previous?.samplingRules ?? [],
    exportMode: previous?.exportMode,
    fleet: previous?.fleet,
    rollouts: previous?.rollouts,
    pods: previous?.pods,
    clusterName: previous?.clusterName,
    injectedWorkloads: previous?.injectedWorkloads ?? 0,
    configHash: previous?.configHash,
    sampling: previous?.sampling,
    lastError: failing?.message,
    monitoring: previous?.monitoring,
  };
  if (observation.valid) {
    status.configHash = observation.configHash;
    status.exportMode = observation.export.mode;
    status.fleet = { ...observation.fleet, rolledBack: observation.rolledBack.length };
    status.rollouts = observation.rollouts;
    status.pods = podsSummary(observation.fleet.pods);
    status.injectedWorkloads = observation.injectedWorkloads;
    status.monitoring = monitoringStatus(previous, observation.monitoring);
    if (observation.sampling.ok) {
      status.samplingRules = observation.sampling.rules;
      status.clusterName = observation.sampling.clusterName;
      status.sampling = samplingSummary(observation.spec, observation.sampling.rules.length);
    } else if (status.sampling === undefined) {
      status.sampling = samplingSummary(observation.spec, status.samplingRules?.length ?? 0);
    }
  }
  return dropUndefined(status);
}

/** Groups as this reconcile saw them, else as status had them; none once nothing is declared or owned. */
function monitoringStatus(previous: XRayTracingStatus | undefined, observation: MonitoringObservation | undefined): XRayTracingStatus['monitoring'] {
  if (!observation) return undefined;
  const groups = observation.groups ?? previous?.monitoring?.groups ?? [];
  return groups.length > 0 ? { groups } : undefined;
}

function dropUndefined(status: XRayTracingStatus): XRayTracingStatus {
  return Object.fromEntries(Object.entries(status).filter(([, value]) => value !== undefined));
}

/**
 * A JSON merge patch turning `current` into `desired` at the top level of status (nested values are replaced
 * whole; fields that disappeared are set to null), or undefined when nothing changed.
 */
export function statusMergePatch(current: XRayTracingStatus | undefined, desired: XRayTracingStatus): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  const before = (current ?? {}) as Record<string, unknown>;
  const after = desired as Record<string, unknown>;
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    // Key order differs between our objects and the API server's JSON; compare structurally.
    if (!isDeepStrictEqual(before[key], after[key])) patch[key] = after[key] ?? null;
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}
