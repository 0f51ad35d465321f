import { describe, expect, it } from 'vitest';
import { decideRollback, type PodHealth, type RollbackConfig, type RollbackDecision } from './rollback.js';

const now = new Date('2026-01-01T12:00:00.000Z');
const secondsAgo = (seconds: number): string => new Date(now.getTime() - seconds * 1000).toISOString();
const settings: RollbackConfig = { hash: 'h2', enabled: true, maxRestarts: 3, readinessTimeoutSeconds: 300 };
const config = (overrides: Partial<RollbackConfig> = {}) => (name: string): RollbackConfig | undefined => (name === 'default' ? { ...settings, ...overrides } : undefined);

function pod(name: string, overrides: Partial<PodHealth> = {}): PodHealth {
  return { name, createdAt: secondsAgo(60), ready: true, containers: [{ name: 'app', restartCount: 0 }], ...overrides };
}
const injected = (name: string, overrides: Partial<PodHealth> = {}): PodHealth => pod(name, { injected: 'default/h2', ...overrides });
const crashing = (restarts: number, waitingReason?: string) => ({ ready: false, containers: [{ name: 'app', restartCount: restarts, ...(waitingReason ? { waitingReason } : {}) }] });
const healthyOld = pod('web-old');

describe('decideRollback', () => {
  it.each<[string, PodHealth[], { rolledBack?: string; config?: ReturnType<typeof config> }, RollbackDecision['action'], string?]>([
    ['rolls back injected pods in CrashLoopBackOff while the uninjected pod is Ready', [injected('web-new', crashing(3, 'CrashLoopBackOff')), healthyOld], {}, 'rollback', 'CrashLoop'],
    ['rolls back on restarts alone, whatever the waiting reason', [injected('web-new', crashing(5)), healthyOld], {}, 'rollback', 'CrashLoop'],
    ['waits while restarts are under the threshold', [injected('web-new', crashing(2, 'CrashLoopBackOff')), healthyOld], {}, 'none'],
    ['rolls back an injected pod not Ready past the readiness timeout', [injected('web-new', { ready: false, createdAt: secondsAgo(301) }), healthyOld], {}, 'rollback', 'NotReady'],
    ['waits for an injected pod still within its readiness timeout', [injected('web-new', { ready: false, createdAt: secondsAgo(200) }), healthyOld], {}, 'none'],
    ['does nothing when no uninjected pod is Ready: the app may be broken on its own', [injected('web-new', crashing(4)), pod('web-old', { ready: false })], {}, 'none'],
    ['does nothing when the uninjected pod crashes too', [injected('web-new', crashing(4)), pod('web-old', crashing(4))], {}, 'none'],
    ['does nothing without an uninjected pod to compare with', [injected('web-new', crashing(4))], {}, 'none'],
    ['leaves pods of an earlier config to the config roll', [pod('web-new', { injected: 'default/h1', ...crashing(4) }), healthyOld], {}, 'none'],
    ['does nothing when rollback is turned off', [injected('web-new', crashing(4)), healthyOld], { config: config({ enabled: false }) }, 'none'],
    ['does nothing for pods of an XRayTracing that is gone', [pod('web-new', { injected: 'gone/h2', ...crashing(4) }), healthyOld], {}, 'none'],
    ['does nothing for healthy injected pods', [injected('web-new'), healthyOld], {}, 'none'],
    ['never rolls back twice from the same config', [injected('web-new', crashing(9)), healthyOld], { rolledBack: 'default/h2' }, 'none'],
    ['drops the record once the config hash changed', [pod('web-old', { ready: true })], { rolledBack: 'default/h1' }, 'expire'],
    ['keeps the record while its XRayTracing is gone', [], { rolledBack: 'gone/h1' }, 'none'],
  ])('%s', (_name, pods, options, action, reason) => {
    const decision = decideRollback({ pods, now, config: options.config ?? config(), ...(options.rolledBack ? { rolledBack: options.rolledBack } : {}) });
    expect(decision.action).toBe(action);
    if (decision.action === 'rollback') {
      expect(decision).toMatchObject({ from: 'default/h2', reason });
      expect(decision.message).toContain('web-new');
      expect(decision.message).toContain('web-old');
    }
  });

  it('tells when to look again: the earliest readiness timeout of an injected pod not Ready yet', () => {
    const decision = decideRollback({
      pods: [injected('a', { ready: false, createdAt: secondsAgo(100) }), injected('b', { ready: false, createdAt: secondsAgo(250) }), healthyOld],
      now,
      config: config(),
    });
    expect(decision).toEqual({ action: 'none', recheckAfterMs: 50_000 });
  });

  it('names the crashing container, its restarts and its waiting reason', () => {
    const decision = decideRollback({ pods: [injected('web-new', crashing(4, 'CrashLoopBackOff')), healthyOld], now, config: config() });
    expect(decision).toMatchObject({ action: 'rollback', message: 'container app of injected pod web-new restarted 4 times, CrashLoopBackOff, while uninjected pod web-old is Ready' });
  });
});
