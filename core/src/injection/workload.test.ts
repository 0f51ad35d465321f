import { describe, expect, it } from 'vitest';
import { resolveSpec } from '../api/defaults.js';
import { podDisplayName, serviceNameFor, workloadOf } from './workload.js';

const owner = (kind: string, name: string) => ({ apiVersion: 'v1', kind, name, uid: 'u', controller: true });

describe('workloadOf', () => {
  it('walks ReplicaSet → Deployment only when the pod-template-hash suffix matches', () => {
    expect(workloadOf({ labels: { 'pod-template-hash': 'abc12' }, ownerReferences: [owner('ReplicaSet', 'web-abc12')] })).toEqual({
      kind: 'Deployment',
      name: 'web',
      replicaSetName: 'web-abc12',
    });
    expect(workloadOf({ ownerReferences: [owner('ReplicaSet', 'standalone')] })).toEqual({ kind: 'ReplicaSet', name: 'standalone' });
  });

  it('walks Job → CronJob only for scheduled-job names', () => {
    expect(workloadOf({ ownerReferences: [owner('Job', 'report-29123456')] })).toEqual({ kind: 'CronJob', name: 'report' });
    expect(workloadOf({ ownerReferences: [owner('Job', 'migrate-v2')] })).toEqual({ kind: 'Job', name: 'migrate-v2' });
  });

  it('prefers the controller owner and returns undefined for bare pods', () => {
    const refs = [{ ...owner('ConfigMap', 'x'), controller: false }, owner('DaemonSet', 'agent')];
    expect(workloadOf({ ownerReferences: refs })).toEqual({ kind: 'DaemonSet', name: 'agent' });
    expect(workloadOf({})).toBeUndefined();
  });
});

describe('service name', () => {
  const spec = resolveSpec({});
  it('uses generateName without its dash when the pod has no name yet', () => {
    expect(podDisplayName({ generateName: 'batch-' })).toBe('batch');
    expect(serviceNameFor({ generateName: 'batch-' }, undefined, 'shop', spec)).toBe('batch');
  });

  it('prefers annotation over labels over workload, and prefixes the namespace when asked', () => {
    const metadata = { labels: { app: 'from-label' }, annotations: { 'xray-operator.dev/service-name': 'explicit' } };
    expect(serviceNameFor(metadata, { kind: 'Deployment', name: 'wl' }, 'shop', spec)).toBe('explicit');
    expect(serviceNameFor({ labels: metadata.labels }, { kind: 'Deployment', name: 'wl' }, 'shop', spec)).toBe('from-label');
    const prefixed = resolveSpec({ serviceNaming: { prefixWithNamespace: true } });
    expect(serviceNameFor({}, { kind: 'Deployment', name: 'wl' }, 'shop', prefixed)).toBe('shop.wl');
  });
});
