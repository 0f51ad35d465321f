// What the workload reconciler should change on a Deployment, StatefulSet or DaemonSet. Pure: the reconciler
// gathers facts from the caches, this decides; every roll is recorded on the workload so it happens once.
import { Annotations } from '../../../../core/src/constants.js';

export type RollReason = 'config-changed' | 'missed-injection';

/** One pod of the workload, as far as the decision needs it. */
export interface PodFacts {
  name: string;
  /**
   * The controller's `restartedAt` the pod was created with (pod templates pass annotations on to pods): tells pods
   * made after one of our rolls from older ones exactly, unlike creationTimestamp (whole seconds).
   */
  restartedAt?: string;
  /** `<tracing>/<hash>` from the `injected` annotation. */
  injected?: string;
  /** Injected (annotation or init container). */
  isInjected: boolean;
  /** The XRayTracing the pod opted into and that existed and was valid: the webhook should have injected it. */
  shouldBeInjected: boolean;
}

/** The current config of an XRayTracing by name: undefined when it is gone or invalid. */
export type CurrentConfig = (tracingName: string) => { hash: string; restartOnChange: boolean } | undefined;

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
}

/** The opt-in on the workload's own metadata, carried into its pod template (which the webhook sees). */
function propagation(facts: WorkloadFacts): { changes: AnnotationChanges; event?: PlannedEvent } {
  const wanted = facts.annotations[Annotations.injectNodejs];
  const inTemplate = facts.templateAnnotations[Annotations.injectNodejs];
  const propagated = facts.templateAnnotations[Annotations.propagatedFromWorkload];
  if (wanted !== undefined) {
    // A value the user set on the pod template is more specific than the workload's: it stays.
    if (inTemplate !== undefined && propagated === undefined) return { changes: {} };
    if (inTemplate === wanted && propagated === wanted) return { changes: {} };
    return {
      changes: { [Annotations.injectNodejs]: wanted, [Annotations.propagatedFromWorkload]: wanted },
      event: { type: 'Normal', reason: 'OptInPropagated', message: `Copied ${Annotations.injectNodejs}="${wanted}" to the pod template; new pods roll out` },
    };
  }
  if (propagated === undefined) return { changes: {} };
  if (inTemplate !== propagated) return { changes: { [Annotations.propagatedFromWorkload]: null } };
  return {
    changes: { [Annotations.injectNodejs]: null, [Annotations.propagatedFromWorkload]: null },
    event: { type: 'Normal', reason: 'OptInRemoved', message: `Removed the propagated ${Annotations.injectNodejs} from the pod template; new pods roll out` },
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

interface RollDecision {
  metadata: AnnotationChanges;
  roll?: { reason: RollReason; message: string };
  event?: PlannedEvent;
}

function configRoll(facts: WorkloadFacts): RollDecision {
  const stale = staleConfig(facts);
  if (!stale || facts.annotations[Annotations.rolledForConfig] === stale.to) return { metadata: {} };
  const message = `Injection config changed (${stale.from} → ${stale.to}) and the XRayTracing asks for restarts`;
  return {
    metadata: { [Annotations.rolledForConfig]: stale.to },
    roll: { reason: 'config-changed', message },
    event: { type: 'Normal', reason: 'RolledForConfigChange', message: `Rolled the workload: ${message}` },
  };
}

function missedInjectionRoll(facts: WorkloadFacts): RollDecision {
  const missed = facts.pods.filter((pod) => pod.shouldBeInjected && !pod.isInjected);
  const recorded = facts.annotations[Annotations.missedInjectionRolledAt];
  if (missed.length === 0) return { metadata: recorded === undefined ? {} : { [Annotations.missedInjectionRolledAt]: null } };
  const names = missed.slice(0, 3).map((pod) => pod.name).join(', ') + (missed.length > 3 ? ` and ${missed.length - 3} more` : '');
  if (recorded !== undefined) {
    const rolledAt = Date.parse(recorded);
    // Pods from before our roll are being replaced; pods from after it were missed again: never roll twice.
    if (!missed.some((pod) => pod.restartedAt !== undefined && Date.parse(pod.restartedAt) >= rolledAt)) return { metadata: {} };
    return {
      metadata: {},
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

export function planWorkload(facts: WorkloadFacts): WorkloadPlan {
  const plan: WorkloadPlan = { metadataAnnotations: {}, templateAnnotations: {}, rolls: [], events: [] };
  if (facts.paused) return plan;
  const propagated = propagation(facts);
  Object.assign(plan.templateAnnotations, propagated.changes);
  if (propagated.event) plan.events.push(propagated.event);
  const decisions = [missedInjectionRoll(facts), configRoll(facts)];
  const reasons: string[] = [];
  for (const decision of decisions) {
    Object.assign(plan.metadataAnnotations, decision.metadata);
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
  return plan;
}

export function isEmptyPlan(plan: WorkloadPlan): boolean {
  return Object.keys(plan.metadataAnnotations).length === 0 && Object.keys(plan.templateAnnotations).length === 0 && plan.events.length === 0;
}
