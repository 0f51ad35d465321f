import { describe, expect, it } from 'vitest';
import { Annotations } from '../../../../core/src/constants.js';
import { isEmptyPlan, planWorkload, type PodFacts, type WorkloadFacts } from './plan.js';

const now = new Date('2026-01-01T12:00:00.000Z');
const earlier = new Date('2026-01-01T11:00:00.000Z');
const later = new Date('2026-01-01T11:30:00.000Z');
const A = Annotations;
const rollback = { enabled: true, maxRestarts: 3, readinessTimeoutSeconds: 300 };

function facts(overrides: Partial<WorkloadFacts> = {}): WorkloadFacts {
  return {
    annotations: {},
    templateAnnotations: {},
    paused: false,
    pods: [],
    currentConfig: (name) => (name === 'default' ? { hash: 'new', restartOnChange: true, rollback } : undefined),
    now,
    ...overrides,
  };
}

function pod(overrides: Partial<PodFacts> = {}): PodFacts {
  return { name: 'web-1', isInjected: true, shouldBeInjected: true, injected: 'default/new', ready: true, containers: [], ...overrides };
}

describe('planWorkload: opt-in propagation', () => {
  it.each([
    ['copies the workload opt-in into the pod template, marked as ours', { [A.injectNodejs]: 'true' }, {}, { [A.injectNodejs]: 'true', [A.propagatedFromWorkload]: 'true' }],
    ['follows a changed workload value it propagated before', { [A.injectNodejs]: 'tracing-b' }, { [A.injectNodejs]: 'true', [A.propagatedFromWorkload]: 'true' }, { [A.injectNodejs]: 'tracing-b', [A.propagatedFromWorkload]: 'tracing-b' }],
    ['leaves a value the user set on the pod template', { [A.injectNodejs]: 'true' }, { [A.injectNodejs]: 'false' }, {}],
    ['does nothing once propagated', { [A.injectNodejs]: 'true' }, { [A.injectNodejs]: 'true', [A.propagatedFromWorkload]: 'true' }, {}],
    ['removes what it propagated when the workload opt-in goes away', {}, { [A.injectNodejs]: 'true', [A.propagatedFromWorkload]: 'true' }, { [A.injectNodejs]: null, [A.propagatedFromWorkload]: null }],
    ['keeps a template value the user changed after propagation, dropping only the mark', {}, { [A.injectNodejs]: 'other', [A.propagatedFromWorkload]: 'true' }, { [A.propagatedFromWorkload]: null }],
    ['never touches a template opt-in it did not propagate', {}, { [A.injectNodejs]: 'true' }, {}],
  ])('%s', (_name, annotations, templateAnnotations, expected) => {
    const plan = planWorkload(facts({ annotations, templateAnnotations }));
    const changes = Object.keys(expected).length > 0;
    // Any pod template change rolls the workload: it carries the stamp the rollout budget counts.
    expect(plan.templateAnnotations).toEqual(changes ? { ...expected, [A.restartedAt]: now.toISOString(), [A.restartReason]: expect.any(String) } : {});
    expect(plan.rolls).toEqual(changes ? ['opt-in-propagated'] : []);
  });
});

describe('planWorkload: rolling on config change', () => {
  it('rolls once when pods carry an older hash of an XRayTracing that asks for restarts', () => {
    const plan = planWorkload(facts({ pods: [pod({ injected: 'default/old' })] }));
    expect(plan.rolls).toEqual(['config-changed']);
    expect(plan.templateAnnotations[A.restartedAt]).toBe(now.toISOString());
    expect(plan.templateAnnotations[A.restartReason]).toContain('default/old → default/new');
    expect(plan.metadataAnnotations).toEqual({ [A.rolledForConfig]: 'default/new' });
    expect(plan.events.map((e) => e.reason)).toEqual(['RolledForConfigChange']);
  });

  it('does not roll again for a config it already rolled for, even while old pods remain', () => {
    const plan = planWorkload(facts({ annotations: { [A.rolledForConfig]: 'default/new' }, pods: [pod({ injected: 'default/old' })] }));
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it.each([
    ['restartOnChange is off', () => ({ hash: 'new', restartOnChange: false, rollback })],
    ['the XRayTracing is gone or invalid', () => undefined],
  ])('does not roll when %s', (_name, currentConfig) => {
    expect(isEmptyPlan(planWorkload(facts({ currentConfig, pods: [pod({ injected: 'default/old' })] })))).toBe(true);
  });

  it('does not roll pods that run the current config', () => {
    expect(isEmptyPlan(planWorkload(facts({ pods: [pod()] })))).toBe(true);
  });
});

describe('planWorkload: pods admitted without injection', () => {
  const missed = (overrides: Partial<PodFacts> = {}): PodFacts => pod({ isInjected: false, injected: undefined, ...overrides });

  it('rolls once with a Warning saying why, and records when', () => {
    const plan = planWorkload(facts({ pods: [missed({ name: 'web-1' }), pod({ name: 'web-2' })] }));
    expect(plan.rolls).toEqual(['missed-injection']);
    expect(plan.metadataAnnotations).toEqual({ [A.missedInjectionRolledAt]: now.toISOString() });
    expect(plan.events[0]).toMatchObject({ type: 'Warning', reason: 'RolledForMissedInjection' });
    expect(plan.events[0]?.message).toContain('web-1');
  });

  it('waits while pods from before its roll (without its restartedAt) are being replaced', () => {
    const plan = planWorkload(facts({ annotations: { [A.missedInjectionRolledAt]: later.toISOString() }, pods: [missed()] }));
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('never rolls twice when pods created after its roll are missed again, and warns instead', () => {
    const plan = planWorkload(facts({ annotations: { [A.missedInjectionRolledAt]: earlier.toISOString() }, pods: [missed({ restartedAt: earlier.toISOString() }), missed({ name: 'web-2' })] }));
    expect(plan.rolls).toEqual([]);
    expect(plan.templateAnnotations).toEqual({});
    expect(plan.events).toMatchObject([{ type: 'Warning', reason: 'MissedInjectionPersists' }]);
  });

  it('forgets its record once pods made by its roll are injected, so a later outage gets its own roll', () => {
    const rolledAt = new Date(now.getTime() - 30_000).toISOString();
    const plan = planWorkload(facts({ annotations: { [A.missedInjectionRolledAt]: rolledAt }, pods: [pod({ restartedAt: rolledAt })] }));
    expect(plan.metadataAnnotations).toEqual({ [A.missedInjectionRolledAt]: null });
    expect(plan.rolls).toEqual([]);
  });

  it('keeps its record while the old pods are gone and the new ones not yet seen injected', () => {
    const rolledAt = new Date(now.getTime() - 30_000).toISOString();
    const annotations = { [A.missedInjectionRolledAt]: rolledAt };
    // A Recreate rollout: the missed pod was deleted, the new one is not admitted yet (or the cache lags).
    expect(isEmptyPlan(planWorkload(facts({ annotations, pods: [] })))).toBe(true);
    // Pods from before the roll that were injected after all do not show that the roll worked.
    expect(isEmptyPlan(planWorkload(facts({ annotations, pods: [pod()] })))).toBe(true);
    // The new pod then comes up uninjected again: a warning, never a second roll.
    const plan = planWorkload(facts({ annotations, pods: [missed({ restartedAt: rolledAt })] }));
    expect(plan.rolls).toEqual([]);
    expect(plan.events).toMatchObject([{ reason: 'MissedInjectionPersists' }]);
  });

  it('forgets a record older than ten minutes once no pod is missed, whatever pods it sees', () => {
    const plan = planWorkload(facts({ annotations: { [A.missedInjectionRolledAt]: earlier.toISOString() }, pods: [pod()] }));
    expect(plan.metadataAnnotations).toEqual({ [A.missedInjectionRolledAt]: null });
    expect(plan.rolls).toEqual([]);
  });

  it('ignores pods that were never meant to be injected', () => {
    expect(isEmptyPlan(planWorkload(facts({ pods: [missed({ shouldBeInjected: false })] })))).toBe(true);
  });

  it('rolls once for both reasons with one restartedAt', () => {
    const plan = planWorkload(facts({ pods: [missed({ name: 'a' }), pod({ name: 'b', injected: 'default/old' })] }));
    expect(plan.rolls).toEqual(['missed-injection', 'config-changed']);
    expect(plan.templateAnnotations[A.restartReason]?.split('; ')).toHaveLength(2);
  });
});

it('leaves a paused Deployment alone', () => {
  const plan = planWorkload(facts({ paused: true, annotations: { [A.injectNodejs]: 'true' }, pods: [pod({ injected: 'default/old' })] }));
  expect(isEmptyPlan(plan)).toBe(true);
});

describe('planWorkload: crash-loop rollback', () => {
  const crashLoop = pod({ name: 'web-new', ready: false, containers: [{ name: 'app', restartCount: 4, waitingReason: 'CrashLoopBackOff' }] });
  const healthyUninjected = pod({ name: 'web-old', injected: undefined, isInjected: false, shouldBeInjected: false });
  const record = { [A.rolledBack]: 'default/new', [A.rolledBackAt]: earlier.toISOString(), [A.rolledBackReason]: 'CrashLoop: …' };

  it('rolls back a workload whose injected pods crash-loop while its uninjected pod is Ready, records why and when, and goes first', () => {
    const plan = planWorkload(facts({ pods: [crashLoop, healthyUninjected] }));
    expect(plan.rolls).toEqual(['rollback']);
    expect(plan.priority).toBe('rollback');
    expect(plan.metadataAnnotations).toEqual({
      [A.rolledBack]: 'default/new',
      [A.rolledBackAt]: now.toISOString(),
      [A.rolledBackReason]: 'CrashLoop: container app of injected pod web-new restarted 4 times, CrashLoopBackOff, while uninjected pod web-old is Ready',
    });
    expect(plan.templateAnnotations).toMatchObject({ [A.rolledBack]: 'default/new', [A.restartedAt]: now.toISOString() });
    expect(plan.events).toMatchObject([{ type: 'Warning', reason: 'RolledBack' }]);
  });

  it('rolls back without also rolling for missed injection', () => {
    const missed = pod({ name: 'web-missed', injected: undefined, isInjected: false, shouldBeInjected: true, ready: false });
    expect(planWorkload(facts({ pods: [crashLoop, healthyUninjected, missed] })).rolls).toEqual(['rollback']);
  });

  it('does nothing more once rolled back, while the crashing pods are replaced', () => {
    const plan = planWorkload(facts({ annotations: record, templateAnnotations: { [A.rolledBack]: 'default/new' }, pods: [crashLoop, healthyUninjected] }));
    expect(isEmptyPlan(plan)).toBe(true);
  });

  it('rolls to inject again when a person removed the record from the workload', () => {
    const plan = planWorkload(facts({ annotations: { [A.rolledBackAt]: earlier.toISOString() }, templateAnnotations: { [A.rolledBack]: 'default/new' }, pods: [healthyUninjected] }));
    expect(plan.rolls).toEqual(['rollback-cleared']);
    expect(plan.templateAnnotations).toMatchObject({ [A.rolledBack]: null });
    expect(plan.metadataAnnotations).toEqual({ [A.rolledBack]: null, [A.rolledBackAt]: null, [A.rolledBackReason]: null });
    expect(plan.events).toMatchObject([{ reason: 'RollbackCleared' }]);
  });

  it('drops the record and rolls when the config hash changed since the rollback', () => {
    const plan = planWorkload(facts({ annotations: { ...record, [A.rolledBack]: 'default/old' }, templateAnnotations: { [A.rolledBack]: 'default/old' }, pods: [healthyUninjected] }));
    expect(plan.rolls).toEqual(['rollback-cleared']);
    expect(plan.templateAnnotations).toMatchObject({ [A.rolledBack]: null });
    expect(plan.events).toMatchObject([{ reason: 'RollbackExpired' }]);
  });

  it('asks to look again when an injected pod reaches its readiness timeout', () => {
    const starting = pod({ name: 'web-new', ready: false, createdAt: new Date(now.getTime() - 100_000).toISOString() });
    expect(planWorkload(facts({ pods: [starting, healthyUninjected] })).recheckAfterMs).toBe(200_000);
  });
});
