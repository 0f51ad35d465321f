import { describe, expect, it } from 'vitest';
import type { XRayTracing } from '../api/types.js';
import { Annotations } from '../constants.js';
import { fleetStatus, podsSummary, type FleetPod } from './fleet-status.js';

const tracing = (name: string): XRayTracing => ({ apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name, namespace: 'shop' }, spec: {} });
const ofDeployment = (deployment: string, i: number, annotations: Record<string, string>): FleetPod => ({
  metadata: {
    name: `${deployment}-7d9f-${i}`,
    labels: { 'pod-template-hash': '7d9f' },
    annotations: { [Annotations.injectNodejs]: 'true', ...annotations },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deployment}-7d9f`, uid: 'rs', controller: true }],
  },
});
const injected = (hash: string) => ({ [Annotations.injected]: `default/${hash}` });

describe('fleetStatus', () => {
  const pods: FleetPod[] = [
    ofDeployment('checkout', 1, injected('now')),
    ofDeployment('checkout', 2, injected('now')),
    ofDeployment('cart', 1, injected('now')),
    ofDeployment('cart', 2, injected('before')),
    ofDeployment('legacy', 1, { [Annotations.injectionSkipped]: 'WindowsPod' }),
    ofDeployment('late', 1, {}),
    // Another XRayTracing's pod, and a pod that did not opt in: not counted.
    ofDeployment('other', 1, { [Annotations.injectNodejs]: 'second', [Annotations.injected]: 'second/x' }),
    { metadata: { name: 'bare', annotations: {} } },
  ];
  const status = fleetStatus({ namespace: 'shop', tracing: tracing('default'), configHash: 'now', namespaceAnnotations: undefined, tracings: [tracing('default'), tracing('second')], pods });

  it('counts selected pods by state and skipped ones by reason', () => {
    expect(status.pods).toEqual({ selected: 6, current: 3, outdated: 1, skipped: 1, uninjected: 1 });
    expect(status.skippedReasons).toEqual({ WindowsPod: 1 });
    expect(podsSummary(status.pods)).toBe('3/6');
  });

  it('gives each workload its least advanced state, listing those needing attention first', () => {
    expect(status.workloads).toEqual({ selected: 4, current: 1, outdated: 1, skipped: 1, uninjected: 1 });
    expect(status.workloadList).toEqual([
      { kind: 'Deployment', name: 'late', state: 'uninjected', pods: 1 },
      { kind: 'Deployment', name: 'legacy', state: 'skipped', pods: 1, reason: 'WindowsPod' },
      { kind: 'Deployment', name: 'cart', state: 'outdated', pods: 2 },
      { kind: 'Deployment', name: 'checkout', state: 'current', pods: 2 },
    ]);
  });

  it('counts pods an XRayTracing selects by label, without annotations, and leaves out what it excludes or what opts out', () => {
    const labelled = (deployment: string, labels: Record<string, string>, annotations: Record<string, string> = {}): FleetPod => ({
      metadata: { ...ofDeployment(deployment, 1, {}).metadata, labels: { 'pod-template-hash': '7d9f', ...labels }, annotations },
    });
    const selecting: XRayTracing = { ...tracing('default'), spec: { selector: { matchLabels: { runtime: 'node' } }, exclude: { workloads: [{ name: 'legacy' }] } } };
    const selected = fleetStatus({
      namespace: 'shop', tracing: selecting, configHash: 'now', namespaceAnnotations: undefined, tracings: [selecting],
      pods: [
        labelled('web', { runtime: 'node' }, injected('now')),
        labelled('api', { runtime: 'node' }),
        labelled('legacy', { runtime: 'node' }),
        labelled('optout', { runtime: 'node' }, { [Annotations.injectNodejs]: 'false' }),
        labelled('worker', { runtime: 'python' }),
      ],
    });
    expect(selected.pods).toEqual({ selected: 2, current: 1, outdated: 0, skipped: 0, uninjected: 1 });
    expect(selected.workloadList.map((w) => `${w.name}:${w.state}`)).toEqual(['api:uninjected', 'web:current']);
  });

  it('caps the list and counts the rest', () => {
    const many = Array.from({ length: 30 }, (_, i) => ofDeployment(`app${String(i).padStart(2, '0')}`, 1, injected('now')));
    const capped = fleetStatus({ namespace: 'shop', tracing: tracing('default'), configHash: 'now', namespaceAnnotations: undefined, tracings: [tracing('default')], pods: many, limit: 20 });
    expect(capped.workloadList).toHaveLength(20);
    expect(capped.moreWorkloads).toBe(10);
    expect(capped.workloads.selected).toBe(30);
  });
});
