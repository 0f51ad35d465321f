// What the workload reconciler should change on a Deployment, StatefulSet or DaemonSet. Pure: the reconciler
// gathers facts from the caches, this decides; every roll is recorded on the workload so it happens once. Every change
// to the pod template rolls the workload, so every such plan carries our restartedAt stamp: the rollout budget
// (core/src/rollout/pacing.ts) finds the rollouts the operator started by it.
import { Annotations } from '../../../../core/src/constants.js';
import { decideRollback, type PodHealth, type RollbackConfig } from '../../../../core/src/rollout/rollback.js';
import type { RolloutPriority } from '../../../../core/src/rollout/pacing.js';

export type RollReason = 'config-changed' | 'missed-injection' | 'opt-in-propagated' | 'rollback' | 'rollback-cleared';

/** One pod of the workload, as far as the decision needs it. */
export interface PodFacts extends PodHealth {
  /**
   * The controller's `restartedAt` the pod was created with (pod templates pass annotations on to pods): tells pods
   * made after one of our rolls from older ones exactly, unlike creationTimestamp (whole seconds).
   */
  restartedAt?: string;
  /** Injected (annotation or init container). */
  isInjected: boolean;
  /** The XRayTracing the pod opted into and that existed and was valid: the webhook should have injected it. */
  shouldBeInjected: boolean;
}

/** The current config of an XRayTracing by name: undefined when it is gone or invalid. */
export type CurrentConfig = (tracingName: string) => { hash: string; restartOnChange: boolean; rollback: Omit<RollbackConfig, 'hash'> } | undefined;

export interface WorkloadFacts {
  annotations: Readonly<Record<string, string>>;
  templateAnnotations: Readonly<Record<string, string>>;
  /** A paused Deployment: leave it alone. */
  paused: boolean;
  pods: readonly PodFacts[];
  currentConfig: CurrentConfig;
  now: Date;
}

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Merge-patch entries: a string sets an annotation, null removes it. */
export type AnnotationChanges = Record<string, string | null>;

export interface WorkloadPlan {
  metadataAnnotations: AnnotationChanges;
  templateAnnotations: AnnotationChanges;
  rolls: RollReason[];
  events: PlannedEvent[];
  /** A rollback goes first in the rollout queue. */
  priority: RolloutPriority;
  /** When to look again though nothing changes (an injected pod's readiness timeout). */
  recheckAfterMs?: number;
}

interface Decision {
  metadata?: AnnotationChanges;
  template?: AnnotationChanges;
  roll?: { reason: RollReason; message: string };
  event?: PlannedEvent;
}

/** The opt-in on the workload's own metadata, carried into its pod template (which the webhook sees). */
function propagation(facts: WorkloadFacts): Decision {
  const wanted = facts.annotations[Annotations.injectNodejs];
  const inTemplate = facts.templateAnnotations[Annotations.injectNodejs];
  const propagated = facts.templateAnnotations[Annotations.propagatedFromWorkload];
  if (wanted !== undefined) {
    // A value the user set on the pod template is more specific than the workload's: it stays.
    if (inTemplate !== undefined && propagated === undefined) return {};
    if (inTemplate === wanted && propagated === wanted) return {};
    const message = `Copied ${Annotations.injectNodejs}="${wanted}" to the pod template; new pods roll out`;
    return {
      template: { [Annotations.injectNodejs]: wanted, [Annotations.propagatedFromWorkload]: wanted },
      roll: { reason: 'opt-in-propagated', message },
      event: { type: 'Normal', reason: 'OptInPropagated', message },
    };
  }
  if (propagated === undefined) return {};
  if (inTemplate !== propagated) {
    return { template: { [Annotations.propagatedFromWorkload]: null }, roll: { reason: 'opt-in-propagated', message: `Dropped ${Annotations.propagatedFromWorkload}: the pod template's opt-in is the user's now` } };
  }
  const message = `Removed the propagated ${Annotations.injectNodejs} from the pod template; new pods roll out`;
  return {
    template: { [Annotations.injectNodejs]: null, [Annotations.propagatedFromWorkload]: null },
    roll: { reason: 'opt-in-propagated', message },
    event: { type: 'Normal', reason: 'OptInRemoved', message },
  };
}

/** Pods injected with an older config of an XRayTracing that asks for restarts: the first such config found. */
function staleConfig(facts: WorkloadFacts): { from: string; to: string } | undefined {
  for (const pod of facts.pods) {
    if (!pod.injected) continue;
    const [tracingName = '', hash = ''] = pod.injected.split('/');
    const current = facts.currentConfig(tracingName);
    if (current?.restartOnChange && current.hash !== hash) return { from: pod.injected, to: `${tracingName}/${current.hash}` };
  }
  return undefined;
}

function configRoll(facts: WorkloadFacts): Decision {
  const stale = staleConfig(facts);
  if (!stale || facts.annotations[Annotations.rolledForConfig] === stale.to) return {};
  const message = `Injection config changed (${stale.from} → ${stale.to}) and the XRayTracing asks for restarts`;
  return {
    metadata: { [Annotations.rolledForConfig]: stale.to },
    roll: { reason: 'config-changed', message },
    event: { type: 'Normal', reason: 'RolledForConfigChange', message: `Rolled the workload: ${message}` },
  };
}

/**
 * How long a missed-injection roll is remembered when none of its pods has been seen injected (all scaled away, say):
 * after that, a new outage gets a roll of its own.
 */
const MISSED_INJECTION_RECORD_MS = 10 * 60_000;

const madeByRollAt = (pod: PodFacts, rolledAt: number): boolean => pod.restartedAt !== undefined && Date.parse(pod.restartedAt) >= rolledAt;

function missedInjectionRoll(facts: WorkloadFacts): Decision {
  const missed = facts.pods.filter((pod) => pod.shouldBeInjected && !pod.isInjected);
  const recorded = facts.annotations[Annotations.missedInjectionRolledAt];
  const rolledAt = recorded === undefined ? NaN : Date.parse(recorded);
  if (missed.length === 0) {
    if (recorded === undefined) return {};
    // The record goes once the roll is seen to have worked, not merely once the missed pods are gone: between the old
    // pods' deletion and the new pods' admission (a Recreate rollout, a stale pod cache) there are none of either, and
    // a new pod missed again in that gap must warn, not roll a second time.
    const worked = facts.pods.some((pod) => pod.isInjected && madeByRollAt(pod, rolledAt));
    const expired = !(facts.now.getTime() - rolledAt < MISSED_INJECTION_RECORD_MS);
    return worked || expired ? { metadata: { [Annotations.missedInjectionRolledAt]: null } } : {};
  }
  const names = missed.slice(0, 3).map((pod) => pod.name).join(', ') + (missed.length > 3 ? ` and ${missed.length - 3} more` : '');
  if (recorded !== undefined) {
    // Pods from before our roll are being replaced; pods from after it were missed again: never roll twice.
    if (!missed.some((pod) => madeByRollAt(pod, rolledAt))) return {};
    return {
      event: {
        type: 'Warning',
        reason: 'MissedInjectionPersists',
        message: `Pods ${names} opted in to Node.js tracing but were admitted without injection again after the restart at ${recorded}; check that the xray-operator webhook is reachable, then restart the workload`,
      },
    };
  }
  const message = `${missed.length} opted-in ${missed.length === 1 ? 'pod was' : 'pods were'} admitted without injection (${names}), probably while the webhook was unavailable`;
  return {
    metadata: { [Annotations.missedInjectionRolledAt]: facts.now.toISOString() },
    roll: { reason: 'missed-injection', message },
    event: { type: 'Warning', reason: 'RolledForMissedInjection', message: `Rolled the workload once: ${message}` },
  };
}

const ROLLED_BACK_RECORD = [Annotations.rolledBack, Annotations.rolledBackAt, Annotations.rolledBackReason];
const clearRecord = (): AnnotationChanges => Object.fromEntries(ROLLED_BACK_RECORD.map((name) => [name, null]));

/**
 * Crash-loop rollback (core/src/rollout/rollback.ts), and the rolled-back record kept on the workload and copied to its
 * pod template, where the webhook reads it. The workload's copy is the one a person removes to inject again.
 */
function rollback(facts: WorkloadFacts): Decision & { recheckAfterMs?: number } {
  const recorded = facts.annotations[Annotations.rolledBack];
  const decision = decideRollback({
    pods: facts.pods,
    rolledBack: recorded,
    now: facts.now,
    config: (tracingName) => {
      const current = facts.currentConfig(tracingName);
      return current && { hash: current.hash, ...current.rollback };
    },
  });
  if (decision.action === 'rollback') {
    const message = `Rolled the workload back to uninstrumented pods: ${decision.message}. Remove the ${Annotations.rolledBack} annotation from the workload to inject it again`;
    return {
      metadata: { [Annotations.rolledBack]: decision.from, [Annotations.rolledBackAt]: facts.now.toISOString(), [Annotations.rolledBackReason]: `${decision.reason}: ${decision.message}` },
      template: { [Annotations.rolledBack]: decision.from },
      roll: { reason: 'rollback', message: `Injected pods failed (${decision.reason}): ${decision.message}` },
      event: { type: 'Warning', reason: 'RolledBack', message },
    };
  }
  if (decision.action === 'expire') {
    const message = `${decision.message}: dropped ${Annotations.rolledBack}=${decision.from} and rolled the workload to inject it again`;
    return { metadata: clearRecord(), template: { [Annotations.rolledBack]: null }, roll: { reason: 'rollback-cleared', message }, event: { type: 'Normal', reason: 'RollbackExpired', message } };
  }
  const inTemplate = facts.templateAnnotations[Annotations.rolledBack];
  const recheck = decision.recheckAfterMs === undefined ? {} : { recheckAfterMs: decision.recheckAfterMs };
  if (inTemplate === recorded) return recheck;
  if (recorded === undefined) {
    const message = `${Annotations.rolledBack} was removed from the workload: rolled it to inject Node.js tracing again`;
    return { ...recheck, metadata: clearRecord(), template: { [Annotations.rolledBack]: null }, roll: { reason: 'rollback-cleared', message }, event: { type: 'Normal', reason: 'RollbackCleared', message } };
  }
  return { ...recheck, template: { [Annotations.rolledBack]: recorded }, roll: { reason: 'rollback', message: `Copied ${Annotations.rolledBack}=${recorded} to the pod template` } };
}

export function planWorkload(facts: WorkloadFacts): WorkloadPlan {
  const plan: WorkloadPlan = { metadataAnnotations: {}, templateAnnotations: {}, rolls: [], events: [], priority: 'normal' };
  if (facts.paused) return plan;
  const rolledBack = rollback(facts);
  // A workload being rolled back is not rolled for anything else: its pods are meant to stay uninjected.
  const decisions = rolledBack.roll?.reason === 'rollback' ? [propagation(facts), rolledBack] : [propagation(facts), rolledBack, missedInjectionRoll(facts), configRoll(facts)];
  const reasons: string[] = [];
  for (const decision of decisions) {
    Object.assign(plan.metadataAnnotations, decision.metadata);
    Object.assign(plan.templateAnnotations, decision.template);
    if (decision.event) plan.events.push(decision.event);
    if (decision.roll) {
      plan.rolls.push(decision.roll.reason);
      reasons.push(decision.roll.message);
    }
  }
  if (reasons.length > 0) {
    plan.templateAnnotations[Annotations.restartedAt] = facts.now.toISOString();
    plan.templateAnnotations[Annotations.restartReason] = reasons.join('; ');
  }
  if (plan.rolls.includes('rollback')) plan.priority = 'rollback';
  if (rolledBack.recheckAfterMs !== undefined) plan.recheckAfterMs = rolledBack.recheckAfterMs;
  return plan;
}

export function isEmptyPlan(plan: WorkloadPlan): boolean {
  return Object.keys(plan.metadataAnnotations).length === 0 && Object.keys(plan.templateAnnotations).length === 0 && plan.events.length === 0;
}
