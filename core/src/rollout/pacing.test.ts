import { describe, expect, it } from 'vitest';
import { decideRollouts, type RolloutCandidate, type StartedRollout } from './pacing.js';

const now = new Date('2026-01-01T12:00:00.000Z');
const minutesAgo = (minutes: number): string => new Date(now.getTime() - minutes * 60_000).toISOString();
const rolling = { done: false, failed: false, message: 'rolling' } as const;

function started(key: string, overrides: Partial<StartedRollout> = {}): StartedRollout {
  return { key, namespace: key.split('/')[1] ?? '', startedAt: minutesAgo(1), progress: rolling, deadlineSeconds: 600, ...overrides };
}
function candidate(key: string, sinceMinutesAgo: number, priority: RolloutCandidate['priority'] = 'normal'): RolloutCandidate {
  return { key, namespace: key.split('/')[1] ?? '', priority, since: minutesAgo(sinceMinutesAgo) };
}
const perNamespace = (limits: Record<string, number>, fallback = 2) => (namespace: string): number => limits[namespace] ?? fallback;

describe('decideRollouts', () => {
  it.each<[string, StartedRollout[], RolloutCandidate[], { perNamespace: (namespace: string) => number; perCluster?: number }, string[], string[], string[]]>([
    [
      'starts up to the namespace budget, the longest-waiting first',
      [],
      [candidate('D/shop/c', 1), candidate('D/shop/a', 3), candidate('D/shop/b', 2)],
      { perNamespace: perNamespace({}) },
      [], ['D/shop/a', 'D/shop/b'], ['D/shop/c'],
    ],
    [
      'counts rollouts still running against the budget',
      [started('D/shop/x')],
      [candidate('D/shop/a', 2), candidate('D/shop/b', 1)],
      { perNamespace: perNamespace({}) },
      ['D/shop/x'], ['D/shop/a'], ['D/shop/b'],
    ],
    [
      'a finished rollout frees its place',
      [started('D/shop/x', { progress: { done: true } }), started('D/shop/y')],
      [candidate('D/shop/a', 1)],
      { perNamespace: perNamespace({}) },
      ['D/shop/y'], ['D/shop/a'], [],
    ],
    [
      'a rollout the workload gave up on (progress deadline exceeded) frees its place',
      [started('D/shop/x', { progress: { done: false, failed: true, message: 'deadline' } }), started('D/shop/y')],
      [candidate('D/shop/a', 1)],
      { perNamespace: perNamespace({}) },
      ['D/shop/y'], ['D/shop/a'], [],
    ],
    [
      'a rollout past our deadline frees its place',
      [started('D/shop/x', { startedAt: minutesAgo(11) }), started('D/shop/y')],
      [candidate('D/shop/a', 1)],
      { perNamespace: perNamespace({}) },
      ['D/shop/y'], ['D/shop/a'], [],
    ],
    [
      'namespaces have budgets of their own',
      [started('D/shop/x'), started('D/shop/y')],
      [candidate('D/shop/a', 3), candidate('D/blog/b', 1)],
      { perNamespace: perNamespace({}) },
      ['D/shop/x', 'D/shop/y'], ['D/blog/b'], ['D/shop/a'],
    ],
    [
      'the cluster budget caps every namespace together',
      [started('D/shop/x')],
      [candidate('D/blog/a', 3), candidate('D/news/b', 2), candidate('D/shop/c', 1)],
      { perNamespace: perNamespace({}, 5), perCluster: 2 },
      ['D/shop/x'], ['D/blog/a'], ['D/news/b', 'D/shop/c'],
    ],
    [
      'a full namespace does not hold back other namespaces',
      [],
      [candidate('D/shop/a', 5), candidate('D/shop/b', 4), candidate('D/blog/c', 1)],
      { perNamespace: perNamespace({ shop: 1 }) },
      [], ['D/shop/a', 'D/blog/c'], ['D/shop/b'],
    ],
    [
      'rollbacks go first, however recent',
      [started('D/shop/x')],
      [candidate('D/shop/a', 9), candidate('D/shop/b', 0, 'rollback')],
      { perNamespace: perNamespace({}) },
      ['D/shop/x'], ['D/shop/b'], ['D/shop/a'],
    ],
    [
      'a workload whose own rollout holds a place rolls again without taking another',
      [started('D/shop/x'), started('D/shop/y')],
      [candidate('D/shop/y', 0, 'rollback'), candidate('D/shop/a', 5)],
      { perNamespace: perNamespace({}) },
      ['D/shop/x', 'D/shop/y'], ['D/shop/y'], ['D/shop/a'],
    ],
    [
      'nothing starts when the namespace budget is used up, and the queue keeps its order',
      [started('D/shop/x'), started('D/shop/y')],
      [candidate('D/shop/b', 1), candidate('D/shop/a', 1), candidate('D/shop/c', 2)],
      { perNamespace: perNamespace({}) },
      ['D/shop/x', 'D/shop/y'], [], ['D/shop/c', 'D/shop/a', 'D/shop/b'],
    ],
  ])('%s', (_name, startedRollouts, candidates, budget, inProgress, start, queued) => {
    const decision = decideRollouts({ started: startedRollouts, candidates, budget, now });
    expect(decision.inProgress).toEqual(inProgress);
    expect(decision.start).toEqual(start);
    expect(decision.queued.map((c) => c.key)).toEqual(queued);
  });

  it('never has more rollouts holding a place in a namespace than its budget, however many ask', () => {
    const candidates = Array.from({ length: 50 }, (_, i) => candidate(`D/shop/w${String(i).padStart(2, '0')}`, i % 7));
    let rolling: StartedRollout[] = [];
    for (let round = 0; round < 30; round++) {
      const decision = decideRollouts({ started: rolling, candidates: candidates.filter((c) => !rolling.some((r) => r.key === c.key)), budget: { perNamespace: () => 3 }, now });
      rolling = [...rolling, ...decision.start.map((key) => started(key))];
      expect(rolling.filter((r) => !r.progress.done).length).toBeLessThanOrEqual(3);
      // The oldest running rollout finishes each round.
      const first = rolling.find((r) => !r.progress.done);
      if (first) first.progress = { done: true };
    }
  });
});
