import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../../../../core/src/api/defaults.js';
import type { XRayTracingStatus } from '../../../../core/src/api/types.js';
import { decideAccountExport } from '../../../../core/src/collector/export-decision.js';
import { conditionTransitions } from './conditions.js';
import { computeStatus, samplingSummary, statusMergePatch, type TracingObservation } from './status.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const centralized = resolveSpec({ sampling: { mode: 'centralized' } });
const local = resolveSpec({ sampling: { mode: 'local', fixedRate: 0.07 } });

function valid(overrides: Partial<Extract<TracingObservation, { valid: true }>> = {}): TracingObservation {
  return {
    valid: true,
    spec: centralized,
    configHash: 'abc123',
    collectorConfigMap: { ok: true, name: 'xray-collector-default' },
    sampling: { ok: true, rules: [{ name: 'default', ruleName: 'default-1234abcd', ruleARN: 'arn:rule' }], clusterName: 'prod' },
    export: decideAccountExport('auto', { known: true, destination: 'XRay', status: 'ACTIVE', transactionSearch: false }),
    injectedWorkloads: 2,
    fleet: {
      pods: { selected: 3, current: 2, outdated: 1, skipped: 0, uninjected: 0 },
      skippedReasons: {},
      workloads: { selected: 2, current: 1, outdated: 1, skipped: 0, uninjected: 0 },
      workloadList: [],
      moreWorkloads: 0,
    },
    rolledBack: [],
    ...overrides,
  };
}

const conditionOf = (status: XRayTracingStatus, type: string) => status.conditions?.find((c) => c.type === type);

describe('samplingSummary', () => {
  it.each([
    [centralized, 3, 'centralized (3 rules)'],
    [centralized, 1, 'centralized (1 rule)'],
    [local, 0, 'local 7%'],
    [resolveSpec({ sampling: { mode: 'local', fixedRate: 0.001 } }), 0, 'local 0.1%'],
  ])('summarises %#', (spec, count, expected) => {
    expect(samplingSummary(spec, count)).toBe(expected);
  });
});

describe('computeStatus', () => {
  it('reports Ready with the owned rules, hash, summary and injected workload count when everything applied', () => {
    const status = computeStatus(undefined, valid(), 3, t0);
    expect(status).toMatchObject({
      observedGeneration: 3,
      configHash: 'abc123',
      sampling: 'centralized (1 rule)',
      injectedWorkloads: 2,
      samplingRules: [{ name: 'default', ruleName: 'default-1234abcd', ruleARN: 'arn:rule' }],
    });
    expect(status.lastError).toBeUndefined();
    expect(status.pods).toBe('2/3');
    expect(status.fleet?.pods.outdated).toBe(1);
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'True', 'Ready'],
      ['CollectorConfigReady', 'True', 'Applied'],
      ['SamplingRulesSynced', 'True', 'Synced'],
      ['ExportReady', 'True', 'AutoXRay'],
      ['RolledBack', 'False', 'NoneRolledBack'],
    ]);
  });

  it('counts rolled-back workloads in the fleet, names them in the RolledBack condition, and shows the rollout queue', () => {
    const rollouts = { inProgress: 2, queued: 1, queuedList: [{ kind: 'Deployment', name: 'cart', reason: 'missed-injection' }], moreQueued: 0 };
    const status = computeStatus(undefined, valid({ rolledBack: [{ kind: 'Deployment', name: 'web', reason: 'CrashLoop: container app restarted 4 times' }], rollouts }), 1, t0);
    expect(status.fleet?.rolledBack).toBe(1);
    expect(status.rollouts).toEqual(rollouts);
    expect(conditionOf(status, 'RolledBack')).toMatchObject({ status: 'True', reason: 'InjectedPodsFailed' });
    expect(conditionOf(status, 'RolledBack')?.message).toContain('Deployment web (CrashLoop: container app restarted 4 times)');
    // A rollback does not make the XRayTracing itself unready.
    expect(conditionOf(status, 'Ready')?.status).toBe('True');
  });

  it('reports an invalid spec in plain words and keeps what was last applied', () => {
    const before = computeStatus(undefined, valid(), 1, t0);
    const status = computeStatus(before, { valid: false, errors: [{ path: 'spec.sampling.fixedRate', message: 'must be <= 1' }] }, 2, t1);
    const ready = conditionOf(status, 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'InvalidSpec', message: 'The spec is invalid: spec.sampling.fixedRate: must be <= 1' });
    expect(status.lastError).toBe(ready?.message);
    expect(status.samplingRules).toEqual(before.samplingRules);
    expect(status.configHash).toBe('abc123');
    expect(status.observedGeneration).toBe(2);
  });

  it.each([
    ['RuleLimitExceeded', 'X-Ray allows 25 sampling rules per account and region'],
    ['Throttled', 'X-Ray throttled the request; retrying'],
    ['InvalidRequest', 'X-Ray rejected rule "checkout": FixedRate out of range'],
    ['AWSUnreachable', 'Could not reach the X-Ray API'],
  ] as const)('makes Ready False with reason %s when the sampling sync fails', (reason, message) => {
    const before = computeStatus(undefined, valid(), 1, t0);
    const status = computeStatus(before, valid({ sampling: { ok: false, reason, message } }), 1, t1);
    expect(conditionOf(status, 'SamplingRulesSynced')).toMatchObject({ status: 'False', reason, message });
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'False', reason, message });
    expect(conditionOf(status, 'CollectorConfigReady')?.status).toBe('True');
    expect(status.lastError).toBe(message);
    expect(status.samplingRules).toEqual(before.samplingRules);
  });

  it('describes local sampling without rules', () => {
    const status = computeStatus(undefined, valid({ spec: local, sampling: { ok: true, rules: [], clusterName: 'prod' } }), 1, t0);
    expect(status.sampling).toBe('local 7%');
    expect(conditionOf(status, 'SamplingRulesSynced')).toMatchObject({ status: 'True', reason: 'LocalSampling' });
  });

  it('keeps lastTransitionTime when a condition keeps its status, so recomputing changes nothing', () => {
    const first = computeStatus(undefined, valid(), 1, t0);
    const again = computeStatus(first, valid(), 1, t1);
    expect(again).toEqual(first);
    expect(statusMergePatch(first, again)).toBeUndefined();
  });

  it('reports the collector config as not needed when pods run no collector, and stays Ready', () => {
    const status = computeStatus(undefined, valid({ collectorConfigMap: { ok: true, notNeeded: true } }), 1, t0);
    expect(conditionOf(status, 'CollectorConfigReady')).toMatchObject({ status: 'True', reason: 'NoCollector' });
    expect(conditionOf(status, 'Ready')?.status).toBe('True');
  });

  it('moves lastTransitionTime only for the conditions that changed status', () => {
    const first = computeStatus(undefined, valid(), 1, t0);
    const failed = computeStatus(first, valid({ collectorConfigMap: { ok: false, message: 'HTTP 403: forbidden' } }), 1, t1);
    expect(conditionOf(failed, 'CollectorConfigReady')?.lastTransitionTime).toBe(t1.toISOString());
    expect(conditionOf(failed, 'SamplingRulesSynced')?.lastTransitionTime).toBe(t0.toISOString());
  });
});

describe('statusMergePatch', () => {
  it('nulls fields that went away and ignores key order', () => {
    const current = { lastError: 'boom', configHash: 'a', sampling: 'local 5%' };
    expect(statusMergePatch(current, { sampling: 'local 5%', configHash: 'a' })).toEqual({ lastError: null });
    expect(statusMergePatch({ samplingRules: [{ ruleName: 'r', name: 'n' }] }, { samplingRules: [{ name: 'n', ruleName: 'r' }] })).toBeUndefined();
  });
});

describe('conditionTransitions', () => {
  it('reports new conditions and changes of status or reason, not unchanged ones', () => {
    const first = computeStatus(undefined, valid(), 1, t0);
    expect(conditionTransitions(undefined, first.conditions ?? []).map((t) => t.type)).toEqual(['Ready', 'CollectorConfigReady', 'SamplingRulesSynced', 'ExportReady', 'RolledBack']);
    const throttled = computeStatus(first, valid({ sampling: { ok: false, reason: 'Throttled', message: 'slow down' } }), 1, t1);
    expect(conditionTransitions(first.conditions, throttled.conditions ?? []).map((t) => [t.type, t.from, t.to.status])).toEqual([
      ['Ready', 'True', 'False'],
      ['SamplingRulesSynced', 'True', 'False'],
    ]);
    expect(conditionTransitions(throttled.conditions, throttled.conditions ?? [])).toEqual([]);
  });
});

describe('the export in status', () => {
  it('records the resolved mode and an ExportReady condition, without failing Ready for auto\'s fallback', () => {
    const fallback = computeStatus(undefined, valid({ export: decideAccountExport('auto', { known: false, reason: 'AccessDenied', message: 'Not allowed to read' }) }), 1, t0);
    expect(fallback.exportMode).toBe('xray');
    expect(conditionOf(fallback, 'ExportReady')).toMatchObject({ status: 'False', reason: 'AccountStateUnknown' });
    expect(conditionOf(fallback, 'Ready')?.status).toBe('True');
  });

  it('fails Ready when an explicit otlp export would lose spans for lack of Transaction Search', () => {
    const pending = { known: true as const, destination: 'CloudWatchLogs', status: 'PENDING', transactionSearch: false };
    const status = computeStatus(undefined, valid({ export: decideAccountExport('otlp', pending) }), 1, t0);
    expect(status.exportMode).toBe('otlp');
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'False', reason: 'TransactionSearchInactive' });
  });
});

describe('computeStatus: monitoring', () => {
  const group = { name: 'default', groupName: 'default-1234abcd', groupARN: 'arn:group', state: 'Synced' as const };
  const synced = { groups: [group], condition: { type: 'MonitoringSynced', status: 'True' as const, reason: 'Synced', message: '1 X-Ray groups, 0 fault companion groups and 0 CloudWatch alarms are in sync' } };
  const unreachable = { condition: { type: 'MonitoringSynced', status: 'False' as const, reason: 'AWSUnreachable', message: 'Could not reach the CloudWatch API' } };

  it('adds neither the condition nor status.monitoring for an XRayTracing without monitoring', () => {
    const status = computeStatus(undefined, valid(), 1, t0);
    expect(conditionOf(status, 'MonitoringSynced')).toBeUndefined();
    expect(status.monitoring).toBeUndefined();
  });

  it('lists the groups and keeps them, failing Ready, when a later sync could not reach AWS', () => {
    const first = computeStatus(undefined, valid({ monitoring: synced }), 1, t0);
    expect(first.monitoring).toEqual({ groups: [group] });
    expect(conditionOf(first, 'Ready')?.status).toBe('True');
    const second = computeStatus(first, valid({ monitoring: unreachable }), 1, t1);
    expect(second.monitoring).toEqual({ groups: [group] });
    expect(conditionOf(second, 'Ready')).toMatchObject({ status: 'False', reason: 'AWSUnreachable' });
    expect(second.lastError).toBe('Could not reach the CloudWatch API');
  });

  it('drops status.monitoring once the last group is gone', () => {
    const first = computeStatus(undefined, valid({ monitoring: synced }), 1, t0);
    expect(computeStatus(first, valid({ monitoring: { ...synced, groups: [] } }), 2, t1).monitoring).toBeUndefined();
  });
});
