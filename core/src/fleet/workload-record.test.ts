import { describe, expect, it } from 'vitest';
import type { XRayTracing } from '../api/types.js';
import { Annotations } from '../constants.js';
import type { TracingSelection } from '../selection/tracing-selection.js';
import { workloadTracingState } from './workload-record.js';

const tracing: XRayTracing = { apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name: 'default', namespace: 'shop' }, spec: {} };
const selected: TracingSelection = { kind: 'selected', tracing };
const pod = (annotations: Record<string, string> = {}) => ({ metadata: { annotations } });
const injected = (value: string) => pod({ [Annotations.injected]: value });
const skippedPod = (reason: string) => pod({ [Annotations.injectionSkipped]: reason });

describe('workloadTracingState', () => {
  const cases: [string, Partial<Parameters<typeof workloadTracingState>[0]>, string | undefined][] = [
    ['not selected → no record', { selection: { kind: 'notOptedIn', reason: 'x' } }, undefined],
    ['opted out → no record', { selection: { kind: 'optedOut', reason: 'x' }, pods: [injected('default/h1')] }, undefined],
    ['selected, every pod current → injected', { pods: [injected('default/h1'), injected('default/h1')] }, 'injected'],
    ['one pod on an older config → outdated', { pods: [injected('default/h1'), injected('default/h0')] }, 'outdated'],
    ['a pod injected by another XRayTracing → outdated', { pods: [injected('canary/h1')] }, 'outdated'],
    ['a pod admitted without injection → uninjected', { pods: [injected('default/h1'), pod()] }, 'uninjected'],
    ['a pod the webhook skipped → skipped with its reason', { pods: [injected('default/h0'), skippedPod('WindowsPod')] }, 'skipped:WindowsPod'],
    ['uninjected is worse than skipped', { pods: [skippedPod('WindowsPod'), pod()] }, 'uninjected'],
    ['no live pods → no-pods', { pods: [] }, 'no-pods'],
    ['the XRayTracing it names is missing', { selection: { kind: 'missing', name: 'x', reason: 'r', warning: 'w' } }, 'skipped:NoXRayTracing'],
    ['several XRayTracings select it', { selection: { kind: 'ambiguous', reason: 'r', warning: 'w' } }, 'skipped:AmbiguousXRayTracing'],
    ['the webhook configuration leaves it out', { served: false, pods: [pod()] }, 'skipped:NotServedByWebhook'],
    ['the XRayTracing is invalid', { configHash: undefined, pods: [pod()] }, 'skipped:InvalidXRayTracing'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(workloadTracingState({ selection: selected, served: true, configHash: 'h1', pods: [], ...input })).toBe(expected);
  });
});
