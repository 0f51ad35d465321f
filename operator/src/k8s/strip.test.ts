import { describe, expect, it } from 'vitest';
import type { V1ConfigMap, V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { Annotations, InjectedNames, Labels, MANAGED_BY_VALUE } from '../../../core/src/constants.js';
import { INCOMPLETE_ANNOTATION, MAX_CACHED_CONFIGMAP_KEY_BYTES, MAX_CACHED_CONFIGMAP_VALUE, MAX_CACHED_POD_LABEL_CHARS, stripConfigMap, stripPod, stripWorkload } from './strip.js';

const managedFields = [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:metadata': {} } }];

describe('stripPod', () => {
  const pod: V1Pod = {
    metadata: {
      name: 'web-7d9f-abcde',
      namespace: 'shop',
      uid: 'u1',
      resourceVersion: '42',
      labels: { app: 'web', 'pod-template-hash': '7d9f', team: 'a' },
      annotations: { [Annotations.injected]: 'default/abc', 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f', uid: 'rs1', controller: true, blockOwnerDeletion: true }],
      managedFields,
    },
    spec: {
      initContainers: [{ name: InjectedNames.initContainer, image: 'x', command: ['cp'] }],
      containers: [{ name: 'app', image: 'app:1', env: [{ name: 'A', value: 'B' }] }],
      volumes: [{ name: 'v', emptyDir: {} }],
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };

  it('keeps what the reconcilers read: our annotations, labels (selectors match them), owners, container names, phase', () => {
    expect(stripPod(pod)).toEqual({
      metadata: {
        name: 'web-7d9f-abcde',
        namespace: 'shop',
        uid: 'u1',
        resourceVersion: '42',
        generation: undefined,
        creationTimestamp: undefined,
        deletionTimestamp: undefined,
        labels: { app: 'web', 'pod-template-hash': '7d9f', team: 'a' },
        annotations: { [Annotations.injected]: 'default/abc' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f', uid: 'rs1', controller: true }],
      },
      spec: { containers: [{ name: 'app' }], initContainers: [{ name: InjectedNames.initContainer }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });

  it('keeps the containers that restarted or wait, with their restarts and waiting reason, for the rollback decision', () => {
    const crashing: V1Pod = {
      ...pod,
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
        containerStatuses: [
          { name: 'app', image: 'app:1', imageID: 'sha', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } }, lastState: { terminated: { exitCode: 1 } } },
          { name: 'helper', image: 'h:1', imageID: 'sha', ready: true, restartCount: 0, state: { running: {} } },
        ],
      },
    };
    expect(stripPod(crashing).status).toEqual({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'app', restartCount: 4, ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    });
  });

  it('keeps only the revision labels of a pod whose labels exceed the bound', () => {
    const labels = { 'pod-template-hash': '7d9f', big: 'x'.repeat(MAX_CACHED_POD_LABEL_CHARS) };
    expect(stripPod({ ...pod, metadata: { ...pod.metadata, labels } }).metadata?.labels).toEqual({ 'pod-template-hash': '7d9f' });
  });
});

describe('stripConfigMap', () => {
  const big = 'x'.repeat(MAX_CACHED_CONFIGMAP_VALUE + 1);

  it('keeps every key, but only the values NODE_OPTIONS or OTEL_RESOURCE_ATTRIBUTES can come from through envFrom', () => {
    const configMap: V1ConfigMap = {
      metadata: { name: 'cfg', namespace: 'shop', resourceVersion: '1', labels: { a: 'b' }, managedFields },
      data: { NODE_OPTIONS: '--max-old-space-size=512', ATTRIBUTES: 'team=a', OTEL_SERVICE_NAME: 'shop', 'ca.crt': big, S: 'x' },
      binaryData: { blob: 'AAAA' },
    };
    const stripped = stripConfigMap(configMap);
    expect(stripped.data).toEqual({ NODE_OPTIONS: '--max-old-space-size=512', ATTRIBUTES: 'team=a', OTEL_SERVICE_NAME: '', 'ca.crt': '', S: 'x' });
    expect(stripped.binaryData).toBeUndefined();
    expect(stripped.metadata).not.toHaveProperty('labels', expect.anything());
    expect(stripped.metadata?.annotations).toBeUndefined();
    expect(stripped.metadata?.resourceVersion).toBe('1');
  });

  it('keeps a bounded copy of a ConfigMap built to fill the cache, and marks it incomplete', () => {
    const keys = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`key-${String(i).padStart(3, '0')}`, big]));
    const suffixes = { S: big, OPTIONS: big };
    const manyKeys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${String(i).padStart(8, '0')}`, 'v']));
    for (const data of [{ ...keys, ...suffixes }, manyKeys]) {
      const stripped = stripConfigMap({ metadata: { name: 'fill', namespace: 'evil' }, data });
      expect(JSON.stringify(stripped).length).toBeLessThan(MAX_CACHED_CONFIGMAP_KEY_BYTES + 2 * MAX_CACHED_CONFIGMAP_VALUE + 30_000);
      expect(stripped.metadata?.annotations?.[INCOMPLETE_ANNOTATION]).toBe('true');
    }
  });

  it('keeps the config hash of a collector ConfigMap, not its config', () => {
    const stripped = stripConfigMap({
      metadata: { name: 'xray-collector-default', namespace: 'shop', labels: { [Labels.managedBy]: MANAGED_BY_VALUE } },
      data: { 'collector.yaml': big, 'config-hash': '0123456789abcdef' },
    });
    expect(stripped.data).toEqual({ 'collector.yaml': '', 'config-hash': '0123456789abcdef' });
    expect(stripped.metadata?.labels).toEqual({ [Labels.managedBy]: MANAGED_BY_VALUE });
  });
});

describe('stripWorkload', () => {
  it('keeps metadata and pod-template metadata, drops the pod spec and managedFields', () => {
    const deployment: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', annotations: { [Annotations.injectNodejs]: 'true' }, managedFields },
      spec: {
        paused: true,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } },
      },
    };
    const stripped = stripWorkload(deployment);
    expect(stripped.metadata?.managedFields).toBeUndefined();
    expect(stripped.metadata?.annotations).toEqual({ [Annotations.injectNodejs]: 'true' });
    expect(stripped.spec).toEqual({ selector: { matchLabels: { app: 'web' } }, paused: true, template: { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } } } });
  });

  it("keeps replicas, a StatefulSet's partition and the status its rollout's progress is read from", () => {
    const statefulSet: V1StatefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop', generation: 3 },
      spec: {
        replicas: 3,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1, maxUnavailable: 1 } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
      },
      status: {
        observedGeneration: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 2, currentRevision: 'a', updateRevision: 'b',
        collisionCount: 0, conditions: [{ type: 'Other', status: 'True' }],
      },
    };
    const stripped = stripWorkload(statefulSet);
    expect(stripped.spec).toMatchObject({ replicas: 3, updateStrategy: { rollingUpdate: { partition: 1 } } });
    expect(stripped.status).toEqual({ observedGeneration: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 2, currentRevision: 'a', updateRevision: 'b' });
  });
});
