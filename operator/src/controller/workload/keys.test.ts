import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { Annotations } from '../../../../core/src/constants.js';
import { parseWorkloadKey, podFingerprint, workloadKeyOfPod } from './keys.js';

function pod(ownerKind: string | undefined, ownerName: string, labels: Record<string, string> = {}): V1Pod {
  return {
    metadata: {
      name: 'p',
      namespace: 'shop',
      labels,
      ownerReferences: ownerKind ? [{ apiVersion: 'apps/v1', kind: ownerKind, name: ownerName, uid: 'u', controller: true }] : undefined,
    },
  };
}

describe('workloadKeyOfPod', () => {
  it.each([
    ['a Deployment pod through its ReplicaSet and pod-template-hash', pod('ReplicaSet', 'web-5f7c9', { 'pod-template-hash': '5f7c9' }), 'Deployment/shop/web'],
    ['a StatefulSet pod', pod('StatefulSet', 'db'), 'StatefulSet/shop/db'],
    ['a DaemonSet pod', pod('DaemonSet', 'agent'), 'DaemonSet/shop/agent'],
    ['a bare ReplicaSet pod (no Deployment)', pod('ReplicaSet', 'lonely', {}), undefined],
    ['a Job pod', pod('Job', 'migrate'), undefined],
    ['a pod without owner', pod(undefined, ''), undefined],
  ])('maps %s', (_name, input, expected) => {
    expect(workloadKeyOfPod(input)).toBe(expected);
  });
});

describe('parseWorkloadKey', () => {
  it('round-trips workload keys and rejects others', () => {
    expect(parseWorkloadKey('Deployment/shop/web')).toEqual({ kind: 'Deployment', namespace: 'shop', name: 'web' });
    expect(parseWorkloadKey('ReplicaSet/shop/web')).toBeUndefined();
    expect(parseWorkloadKey('shop/web')).toBeUndefined();
  });
});

describe('podFingerprint', () => {
  const base: V1Pod = { metadata: { name: 'p', resourceVersion: '1', annotations: {} }, status: { phase: 'Pending' } };
  it('ignores status churn the workload reconciler does not read', () => {
    expect(podFingerprint({ ...base, metadata: { ...base.metadata, resourceVersion: '2' }, status: { phase: 'Running' } })).toBe(podFingerprint(base));
  });
  it.each([
    ['the injected annotation', { ...base, metadata: { ...base.metadata, annotations: { [Annotations.injected]: 'default/abc' } } }],
    ['termination', { ...base, status: { phase: 'Succeeded' } }],
    ['deletion', { ...base, metadata: { ...base.metadata, deletionTimestamp: new Date() } }],
    ['readiness', { ...base, status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] } }],
    ['a container restart', { ...base, status: { phase: 'Pending', containerStatuses: [{ name: 'app', restartCount: 1, ready: false, image: 'a', imageID: '' }] } }],
  ])('changes with %s', (_name, changed) => {
    expect(podFingerprint(changed)).not.toBe(podFingerprint(base));
  });
});
