// Which operator-caused rollouts may start now. The operator rolls workloads (a config change, an opt-in, pods that
// missed the webhook, a rollback); a namespace opting in must not restart everything at once. Each rollout it started
// holds a place in the namespace's and the cluster's budget until the workload reports it available (or its deadline
// passes); workloads that want a roll wait in order, rollbacks first. Pure: the controller derives the started
// rollouts from the workloads themselves (our restartedAt stamp and their status), so a new leader sees the same.
import type { RolloutProgress } from './progress.js';
import { compareText } from '../compare-text.js';

/** A rollout the operator started: its workload carries our restartedAt stamp. */
export interface StartedRollout {
  key: string;
  namespace: string;
  /** The stamp (ISO time) the operator wrote when it started the rollout. */
  startedAt: string;
  progress: RolloutProgress;
  /** After this many seconds the rollout no longer holds a place, finished or not. */
  deadlineSeconds: number;
}

export type RolloutPriority = 'rollback' | 'normal';

/** A workload that wants a roll. */
export interface RolloutCandidate {
  key: string;
  namespace: string;
  priority: RolloutPriority;
  /** Since when it has been waiting (ISO time): the first to ask starts first. */
  since: string;
}

export interface RolloutBudget {
  /** Rollouts at once in a namespace. */
  perNamespace: (namespace: string) => number;
  /** Rollouts at once in the cluster; undefined: no cap. */
  perCluster?: number;
}

export interface PacingInput {
  started: readonly StartedRollout[];
  candidates: readonly RolloutCandidate[];
  budget: RolloutBudget;
  now: Date;
}

export interface PacingDecision {
  /** Keys of started rollouts that still hold a place. */
  inProgress: string[];
  /** Candidates that may start now. */
  start: string[];
  /** The others, in the order they will start. */
  queued: RolloutCandidate[];
}

/** A started rollout holds its place until the workload is available, it gave up, or its deadline passed. */
export function holdsPlace(rollout: StartedRollout, now: Date): boolean {
  if (rollout.progress.done || rollout.progress.failed) return false;
  const startedMs = Date.parse(rollout.startedAt);
  return Number.isNaN(startedMs) || now.getTime() < startedMs + rollout.deadlineSeconds * 1000;
}

const PRIORITY_ORDER: readonly RolloutPriority[] = ['rollback', 'normal'];

function byTurn(a: RolloutCandidate, b: RolloutCandidate): number {
  return PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority) || compareText(a.since, b.since) || compareText(a.key, b.key);
}

export function decideRollouts(input: PacingInput): PacingDecision {
  const inProgress = input.started.filter((rollout) => holdsPlace(rollout, input.now));
  const holding = new Set(inProgress.map((rollout) => rollout.key));
  const perNamespace = new Map<string, number>();
  for (const rollout of inProgress) perNamespace.set(rollout.namespace, (perNamespace.get(rollout.namespace) ?? 0) + 1);
  let inCluster = inProgress.length;
  const start: string[] = [];
  const queued: RolloutCandidate[] = [];
  for (const candidate of [...input.candidates].sort(byTurn)) {
    // Rolling a workload whose rollout already holds a place replaces that rollout: no new place is taken.
    if (holding.has(candidate.key)) {
      start.push(candidate.key);
      continue;
    }
    const inNamespace = perNamespace.get(candidate.namespace) ?? 0;
    const clusterFull = input.budget.perCluster !== undefined && inCluster >= input.budget.perCluster;
    if (clusterFull || inNamespace >= input.budget.perNamespace(candidate.namespace)) {
      queued.push(candidate);
      continue;
    }
    start.push(candidate.key);
    holding.add(candidate.key);
    perNamespace.set(candidate.namespace, inNamespace + 1);
    inCluster++;
  }
  return { inProgress: inProgress.map((rollout) => rollout.key), start, queued };
}
