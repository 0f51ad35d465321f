// The monitoring part of an XRayTracing reconcile: budget, cluster rename, and AWS asked only when it is worth it. An
// attempt is remembered per XRayTracing: a success serves until the resync period or a spec change, a refusal until
// the next resync, a transient failure until its growing backoff ends, so pod events and status writes never turn
// into AWS calls.
import type { Logger } from 'pino';
import type { OwnedGroupStatus, ResolvedSpec, XRayTracing } from '../../../../core/src/api/types.js';
import { groupCount } from '../../../../core/src/monitoring/budget.js';
import { backoffDelayMs, type BackoffPolicy } from '../../runtime/backoff.js';
import { MonitoringSyncError } from '../../xray/monitoring-errors.js';
import type { ConditionInput } from './conditions.js';
import { ConditionTypes } from './conditions.js';
import type { MonitoringPort } from './monitoring-port.js';

/** What one reconcile learnt: `groups` undefined keeps the previous status entries (nothing is known now). */
export interface MonitoringObservation {
  groups?: OwnedGroupStatus[];
  condition: ConditionInput;
}

export interface MonitoringStepResult {
  observation?: MonitoringObservation;
  /** Set after a transient failure: the queue retries the XRayTracing with backoff. */
  retry?: { reason: string; message: string };
}

export interface MonitoringStepDeps {
  port: MonitoringPort;
  logger: Logger;
  resyncPeriodMs: number;
  /** Why this XRayTracing may not own the groups it wants, if the group budget says so. */
  budgetRefusal(tracing: XRayTracing): string | undefined;
  now(): number;
}

/** The cluster-name situation the sampling step also acts on. */
export type ClusterRename = { refusedMessage: string } | { migrateFrom?: string };

const RETRY: BackoffPolicy = Object.freeze({ baseMs: 1_000, maxMs: 5 * 60_000, jitter: 0.2 });

interface Remembered {
  generation: number | undefined;
  nextAttemptAtMs: number;
  failures: number;
  result: MonitoringStepResult;
}

const condition = (status: 'True' | 'False', reason: string, message: string): ConditionInput => ({ type: ConditionTypes.monitoringSynced, status, reason, message });

/** The condition for a completed sync: the first refused group or alarm decides it. */
function syncedCondition(groups: OwnedGroupStatus[]): ConditionInput {
  for (const group of groups) {
    if (group.state === 'Failed') return condition('False', 'GroupRefused', `X-Ray group ${group.groupName}: ${group.message ?? 'refused'}`);
    if (group.alarm?.state === 'Failed') return condition('False', 'AlarmRefused', `CloudWatch alarm ${group.alarm.alarmName}: ${group.alarm.message ?? 'refused'}`);
  }
  const alarms = groups.filter((g) => g.alarm).length;
  return condition('True', 'Synced', `${groups.length} X-Ray groups, ${alarms} fault companion groups and ${alarms} CloudWatch alarms are in sync`);
}

export class MonitoringStep {
  private readonly memory = new Map<string, Remembered>();

  constructor(private readonly deps: MonitoringStepDeps) {}

  /** Whether this XRayTracing has monitoring to sync: declared now, or owned from an earlier spec. */
  static involved(tracing: XRayTracing, spec: ResolvedSpec | undefined): boolean {
    return (spec ? groupCount(spec) > 0 : tracing.spec.monitoring !== undefined) || (tracing.status?.monitoring?.groups.length ?? 0) > 0;
  }

  async run(tracing: XRayTracing, spec: ResolvedSpec, rename: ClusterRename): Promise<MonitoringStepResult> {
    if (!MonitoringStep.involved(tracing, spec)) return {};
    if ('refusedMessage' in rename) return { observation: { condition: condition('False', 'ClusterNameChanged', rename.refusedMessage) } };
    const uid = tracing.metadata.uid ?? '';
    const now = this.deps.now();
    const last = this.memory.get(uid);
    if (last && last.generation === tracing.metadata.generation && now < last.nextAttemptAtMs && !rename.migrateFrom) return last.result;
    const refusal = groupCount(spec) > 0 ? this.deps.budgetRefusal(tracing) : undefined;
    if (refusal) return this.remember(tracing, { observation: { condition: condition('False', 'GroupBudgetExceeded', refusal) } }, 'refused');
    try {
      if (rename.migrateFrom) await this.deps.port.deleteAllOwned(tracing, rename.migrateFrom);
      const groups = await this.deps.port.sync(tracing, spec);
      return this.remember(tracing, { observation: { groups, condition: syncedCondition(groups) } }, 'done');
    } catch (error) {
      const failure = error instanceof MonitoringSyncError ? error.failure : { reason: 'SyncFailed', message: String(error), transient: true };
      const { name, namespace } = tracing.metadata;
      this.deps.logger.warn({ namespace, name, operation: 'sync-monitoring', reason: failure.reason, err: error }, 'Failed to sync X-Ray groups and alarms');
      const result: MonitoringStepResult = {
        observation: { condition: condition('False', failure.reason, failure.message) },
        ...(failure.transient ? { retry: { reason: failure.reason, message: failure.message } } : {}),
      };
      return this.remember(tracing, result, failure.transient ? 'transient' : 'refused');
    }
  }

  forget(uid: string | undefined): void {
    if (uid) this.memory.delete(uid);
  }

  private remember(tracing: XRayTracing, result: MonitoringStepResult, kind: 'done' | 'refused' | 'transient'): MonitoringStepResult {
    const uid = tracing.metadata.uid ?? '';
    const now = this.deps.now();
    const failures = kind === 'transient' ? (this.memory.get(uid)?.failures ?? 0) + 1 : 0;
    const wait = kind === 'transient' ? backoffDelayMs(failures, RETRY) : this.deps.resyncPeriodMs;
    this.memory.set(uid, { generation: tracing.metadata.generation, nextAttemptAtMs: now + wait, failures, result });
    return result;
  }
}
