import { describe, expect, it } from 'vitest';
import { rolloutProgress, type RolloutObservation } from './progress.js';

const deployment = (status: RolloutObservation['status'], replicas = 3, generation = 4): RolloutObservation => ({ kind: 'Deployment', generation, replicas, status: { observedGeneration: 4, ...status } });

describe('rolloutProgress', () => {
  it.each<[string, RolloutObservation, boolean, boolean?]>([
    ['Deployment: the new template not observed yet', deployment({ observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), false],
    ['Deployment: some replicas not updated', deployment({ replicas: 4, updatedReplicas: 1, availableReplicas: 3 }), false],
    ['Deployment: old replicas still terminating', deployment({ replicas: 4, updatedReplicas: 3, availableReplicas: 3 }), false],
    ['Deployment: updated replicas not available yet', deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 2 }), false],
    ['Deployment: all updated and available', deployment({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), true],
    ['Deployment: scaled to zero', deployment({}, 0), true],
    ['Deployment: replicas unset means one', { kind: 'Deployment', generation: 2, status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }, true],
    ['Deployment: past its progress deadline (failed)', deployment({ replicas: 4, updatedReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }), false, true],
    ['StatefulSet: revisions differ', { kind: 'StatefulSet', generation: 2, replicas: 2, status: { observedGeneration: 2, readyReplicas: 2, availableReplicas: 2, currentRevision: 'a', updateRevision: 'b' } }, false],
    ['StatefulSet: not all available', { kind: 'StatefulSet', generation: 2, replicas: 2, status: { observedGeneration: 2, readyReplicas: 1, currentRevision: 'b', updateRevision: 'b' } }, false],
    ['StatefulSet: one revision, all available', { kind: 'StatefulSet', generation: 2, replicas: 2, status: { observedGeneration: 2, readyReplicas: 2, availableReplicas: 2, currentRevision: 'b', updateRevision: 'b' } }, true],
    ['StatefulSet: partitioned, replicas above the partition updated', { kind: 'StatefulSet', generation: 2, replicas: 3, partition: 2, status: { observedGeneration: 2, availableReplicas: 3, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'b' } }, true],
    ['StatefulSet: partitioned, not yet updated', { kind: 'StatefulSet', generation: 2, replicas: 3, partition: 2, status: { observedGeneration: 2, availableReplicas: 3, updatedReplicas: 0, currentRevision: 'a', updateRevision: 'b' } }, false],
    ['DaemonSet: some pods not updated', { kind: 'DaemonSet', generation: 5, status: { observedGeneration: 5, desiredNumberScheduled: 3, updatedNumberScheduled: 2, numberAvailable: 3 } }, false],
    ['DaemonSet: updated, not all available', { kind: 'DaemonSet', generation: 5, status: { observedGeneration: 5, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 } }, false],
    ['DaemonSet: all updated and available', { kind: 'DaemonSet', generation: 5, status: { observedGeneration: 5, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 } }, true],
    ['DaemonSet: no status yet', { kind: 'DaemonSet', generation: 1 }, false],
  ])('%s', (_name, observation, done, failed = false) => {
    const progress = rolloutProgress(observation);
    expect(progress.done).toBe(done);
    if (!progress.done) {
      expect(progress.failed).toBe(failed);
      expect(progress.message).not.toBe('');
    }
  });
});
