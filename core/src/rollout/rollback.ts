// Crash-loop rollback: instrumentation must never take a service down. When a workload's pods injected with the
// current config crash (an app container restarted maxRestarts times) or stay not Ready past readinessTimeoutSeconds,
// while its uninjected pods (the revision before the injection) are Ready, the controller rolls it back to
// uninstrumented pods and records `<tracing>/<hash>` on it. That record stands until a person removes it or the
// XRayTracing's config hash changes. Pure: pod health in, a decision out.

export interface ContainerHealth {
  name: string;
  restartCount: number;
  /** state.waiting.reason, e.g. CrashLoopBackOff. */
  waitingReason?: string;
}

export interface PodHealth {
  name: string;
  /** `<tracing>/<hash>` from the injected annotation; undefined for an uninjected pod. */
  injected?: string;
  /** metadata.creationTimestamp (ISO). */
  createdAt?: string;
  /** The pod's Ready condition is True. */
  ready: boolean;
  /** The app's containers, not those the injection adds. */
  containers: readonly ContainerHealth[];
}

/** An XRayTracing's current config hash and rollback settings (spec.rollout.rollback). */
export interface RollbackConfig {
  hash: string;
  enabled: boolean;
  maxRestarts: number;
  readinessTimeoutSeconds: number;
}

export interface RollbackInput {
  pods: readonly PodHealth[];
  /** The workload's rolled-back annotation, if any. */
  rolledBack?: string;
  /** The current config of an XRayTracing by name; undefined when it is gone or invalid. */
  config: (tracingName: string) => RollbackConfig | undefined;
  now: Date;
}

export type RollbackReason = 'CrashLoop' | 'NotReady';

export type RollbackDecision =
  /** recheckAfterMs: an injected pod is not Ready yet and its readiness timeout ends then. */
  | { action: 'none'; recheckAfterMs?: number }
  /** Roll back from `from` (`<tracing>/<hash>`). */
  | { action: 'rollback'; from: string; reason: RollbackReason; message: string }
  /** The rolled-back record names a config that is no longer current: drop it, and inject again. */
  | { action: 'expire'; from: string; message: string };

function splitInjected(value: string): { tracing: string; hash: string } {
  const slash = value.indexOf('/');
  return slash < 0 ? { tracing: value, hash: '' } : { tracing: value.slice(0, slash), hash: value.slice(slash + 1) };
}

type Failure = { reason: RollbackReason; message: string; maxRestarts: number; from: string };

/** How an injected pod fails, or when it will have failed to get Ready. */
function failureOf(pod: PodHealth, config: RollbackConfig, now: Date): Failure | { recheckAtMs: number } | undefined {
  const from = pod.injected ?? '';
  const crashing = pod.containers.find((container) => container.restartCount >= config.maxRestarts);
  if (crashing) {
    const waiting = crashing.waitingReason ? `, ${crashing.waitingReason}` : '';
    return { reason: 'CrashLoop', from, maxRestarts: config.maxRestarts, message: `container ${crashing.name} of injected pod ${pod.name} restarted ${crashing.restartCount} times${waiting}` };
  }
  if (pod.ready || pod.createdAt === undefined) return undefined;
  const deadlineMs = Date.parse(pod.createdAt) + config.readinessTimeoutSeconds * 1000;
  if (now.getTime() < deadlineMs) return { recheckAtMs: deadlineMs };
  return { reason: 'NotReady', from, maxRestarts: config.maxRestarts, message: `injected pod ${pod.name} was not Ready ${config.readinessTimeoutSeconds}s after it was created` };
}

function isHealthyUninjected(pod: PodHealth, maxRestarts: number): boolean {
  return pod.injected === undefined && pod.ready && pod.containers.every((container) => container.restartCount < maxRestarts);
}

export function decideRollback(input: RollbackInput): RollbackDecision {
  if (input.rolledBack !== undefined) {
    const { tracing, hash } = splitInjected(input.rolledBack);
    const current = input.config(tracing);
    if (current && current.hash !== hash) {
      return { action: 'expire', from: input.rolledBack, message: `XRayTracing ${tracing} changed its config (${hash} → ${current.hash}) since the rollback` };
    }
    return { action: 'none' };
  }
  let failure: Failure | undefined;
  let recheckAtMs: number | undefined;
  for (const pod of input.pods) {
    if (pod.injected === undefined) continue;
    const { tracing, hash } = splitInjected(pod.injected);
    const config = input.config(tracing);
    // Pods of an earlier config are rolled to the current one first; a rollback judges what the operator injects now.
    if (!config?.enabled || config.hash !== hash) continue;
    const found = failureOf(pod, config, input.now);
    if (!found) continue;
    if ('recheckAtMs' in found) recheckAtMs = Math.min(recheckAtMs ?? Infinity, found.recheckAtMs);
    else failure ??= found;
  }
  if (failure) {
    const { maxRestarts } = failure;
    const healthy = input.pods.find((pod) => isHealthyUninjected(pod, maxRestarts));
    if (healthy) {
      return { action: 'rollback', from: failure.from, reason: failure.reason, message: `${failure.message}, while uninjected pod ${healthy.name} is Ready` };
    }
  }
  return recheckAtMs === undefined ? { action: 'none' } : { action: 'none', recheckAfterMs: Math.max(0, recheckAtMs - input.now.getTime()) };
}
