import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../../../../core/src/api/defaults.js';
import type { OwnedGroupStatus, XRayTracing, XRayTracingSpec } from '../../../../core/src/api/types.js';
import { MonitoringSyncError } from '../../xray/monitoring-errors.js';
import type { MonitoringPort } from './monitoring-port.js';
import { MonitoringStep } from './monitoring-step.js';

const synced: OwnedGroupStatus = { name: 'default', groupName: 'default-12345678', state: 'Synced' };
const withMonitoring: XRayTracingSpec = { monitoring: { defaultGroup: {} } };
const tracing = (spec: XRayTracingSpec, generation = 1, status: XRayTracing['status'] = {}): XRayTracing => ({
  apiVersion: 'tracing.xray-operator.dev/v1alpha1',
  kind: 'XRayTracing',
  metadata: { name: 'default', namespace: 'shop', uid: 'u1', generation },
  spec,
  status,
});

/** A port that answers from a script and counts what it was asked. */
function scriptedPort(answers: (() => Promise<OwnedGroupStatus[]>)[]) {
  const calls = { sync: 0, deleteAllOwned: [] as (string | undefined)[] };
  const port: MonitoringPort = {
    sync: () => answers[Math.min(calls.sync++, answers.length - 1)]!(),
    deleteAllOwned: (_tracing, clusterName) => (calls.deleteAllOwned.push(clusterName), Promise.resolve()),
  };
  return { port, calls };
}

function stepWith(port: MonitoringPort, clock: { ms: number }, refusal?: string) {
  return new MonitoringStep({ port, logger: pino({ level: 'silent' }), resyncPeriodMs: 60_000, budgetRefusal: () => refusal, now: () => clock.ms });
}

const unreachable = () => Promise.reject(new MonitoringSyncError({ reason: 'AWSUnreachable', message: 'Could not reach the CloudWatch API', transient: true }));
const denied = () => Promise.reject(new MonitoringSyncError({ reason: 'AccessDenied', message: 'X-Ray denied GetGroups', transient: false }));

describe('MonitoringStep', () => {
  it('does nothing for an XRayTracing that neither declares nor owns groups', async () => {
    const { port, calls } = scriptedPort([() => Promise.resolve([])]);
    expect(await stepWith(port, { ms: 0 }).run(tracing({}), resolveSpec({}), {})).toEqual({});
    expect(calls.sync).toBe(0);
  });

  it('still syncs (to delete) when the spec dropped monitoring but status lists owned groups', async () => {
    const { port, calls } = scriptedPort([() => Promise.resolve([])]);
    const result = await stepWith(port, { ms: 0 }).run(tracing({}, 2, { monitoring: { groups: [synced] } }), resolveSpec({}), {});
    expect(calls.sync).toBe(1);
    expect(result.observation).toMatchObject({ groups: [], condition: { status: 'True', reason: 'Synced' } });
  });

  it.each([
    { case: 'a success serves until the resync period', answers: [() => Promise.resolve([synced])], laterMs: [1_000, 59_000], callsAfter: [1, 1], retry: false },
    { case: 'a success is asked again after the resync period', answers: [() => Promise.resolve([synced])], laterMs: [60_001], callsAfter: [2], retry: false },
    { case: 'a transient failure waits for its backoff (about 1 s), then asks again', answers: [unreachable], laterMs: [100, 1_500], callsAfter: [1, 2], retry: true },
    { case: 'a refusal waits for the resync period', answers: [denied], laterMs: [30_000, 60_001], callsAfter: [1, 2], retry: false },
  ])('$case', async ({ answers, laterMs, callsAfter, retry }) => {
    const { port, calls } = scriptedPort(answers);
    const clock = { ms: 0 };
    const step = stepWith(port, clock);
    const first = await step.run(tracing(withMonitoring), resolveSpec(withMonitoring), {});
    expect(first.retry !== undefined).toBe(retry);
    for (const [i, at] of laterMs.entries()) {
      clock.ms = at;
      const again = await step.run(tracing(withMonitoring), resolveSpec(withMonitoring), {});
      expect(calls.sync).toBe(callsAfter[i]);
      expect(again.observation?.condition.reason).toBe(first.observation?.condition.reason);
    }
  });

  it('asks again at once when the spec changes, whatever it remembers', async () => {
    const { port, calls } = scriptedPort([denied]);
    const step = stepWith(port, { ms: 0 });
    await step.run(tracing(withMonitoring, 1), resolveSpec(withMonitoring), {});
    await step.run(tracing(withMonitoring, 2), resolveSpec(withMonitoring), {});
    expect(calls.sync).toBe(2);
  });

  it('reports the first refused group or alarm on the condition', async () => {
    const failed: OwnedGroupStatus = { ...synced, alarm: { alarmName: 'xray-operator-12345678-default', companionGroupName: 'default-F-12345678', state: 'Failed', message: 'CloudWatch rejected PutMetricAlarm' } };
    const { port } = scriptedPort([() => Promise.resolve([failed])]);
    const result = await stepWith(port, { ms: 0 }).run(tracing(withMonitoring), resolveSpec(withMonitoring), {});
    expect(result.observation?.condition).toMatchObject({ type: 'MonitoringSynced', status: 'False', reason: 'AlarmRefused', message: expect.stringContaining('CloudWatch rejected') });
  });

  it('refuses over the group budget without asking AWS, and refuses a silent cluster rename', async () => {
    const { port, calls } = scriptedPort([() => Promise.resolve([synced])]);
    const budget = await stepWith(port, { ms: 0 }, 'namespace shop may own at most 6').run(tracing(withMonitoring), resolveSpec(withMonitoring), {});
    expect(budget.observation?.condition).toMatchObject({ status: 'False', reason: 'GroupBudgetExceeded' });
    const renamed = await stepWith(port, { ms: 0 }).run(tracing(withMonitoring), resolveSpec(withMonitoring), { refusedMessage: 'tagged for cluster "a"' });
    expect(renamed.observation?.condition).toMatchObject({ status: 'False', reason: 'ClusterNameChanged' });
    expect(calls.sync).toBe(0);
  });

  it('deletes what the previous cluster name owns before syncing under the new one', async () => {
    const { port, calls } = scriptedPort([() => Promise.resolve([synced])]);
    await stepWith(port, { ms: 0 }).run(tracing(withMonitoring), resolveSpec(withMonitoring), { migrateFrom: 'old' });
    expect(calls.deleteAllOwned).toEqual(['old']);
    expect(calls.sync).toBe(1);
  });
});
