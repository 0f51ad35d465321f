// Whether a workload's rollout is finished, from the workload's own status: the checks `kubectl rollout status`
// makes, per kind. Pure: the controller reads the workload from its cache, this answers.

export type RolledKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

/** The fields of a Deployment, StatefulSet or DaemonSet the answer needs. */
export interface RolloutObservation {
  kind: RolledKind;
  generation?: number;
  /** spec.replicas (Deployments and StatefulSets; unset means 1). */
  replicas?: number;
  /** A StatefulSet's spec.updateStrategy.rollingUpdate.partition: ordinals below it keep the old revision. */
  partition?: number;
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    conditions?: readonly { type: string; status: string; reason?: string }[];
  };
}

export type RolloutProgress =
  | { done: true }
  /** failed: the workload itself gave up (a Deployment past its progressDeadlineSeconds). */
  | { done: false; failed: boolean; message: string };

const waiting = (message: string): RolloutProgress => ({ done: false, failed: false, message });

function deploymentProgress(observation: RolloutObservation): RolloutProgress {
  const status = observation.status ?? {};
  const progressing = status.conditions?.find((condition) => condition.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { done: false, failed: true, message: 'the Deployment exceeded its progress deadline' };
  const wanted = observation.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  if (updated < wanted) return waiting(`${updated} of ${wanted} replicas updated`);
  if ((status.replicas ?? 0) > updated) return waiting(`${(status.replicas ?? 0) - updated} old replicas pending termination`);
  if ((status.availableReplicas ?? 0) < updated) return waiting(`${status.availableReplicas ?? 0} of ${updated} updated replicas available`);
  return { done: true };
}

function statefulSetProgress(observation: RolloutObservation): RolloutProgress {
  const status = observation.status ?? {};
  const wanted = observation.replicas ?? 1;
  const ready = status.availableReplicas ?? status.readyReplicas ?? 0;
  if (ready < wanted) return waiting(`${ready} of ${wanted} replicas available`);
  if (observation.partition !== undefined && observation.partition > 0) {
    const toUpdate = Math.max(0, wanted - observation.partition);
    const updated = status.updatedReplicas ?? 0;
    return updated < toUpdate ? waiting(`${updated} of ${toUpdate} replicas above the partition updated`) : { done: true };
  }
  if (status.updateRevision !== status.currentRevision) return waiting(`replicas are moving to revision ${status.updateRevision ?? '?'}`);
  return { done: true };
}

function daemonSetProgress(observation: RolloutObservation): RolloutProgress {
  const status = observation.status ?? {};
  const wanted = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  if (updated < wanted) return waiting(`${updated} of ${wanted} pods updated`);
  if ((status.numberAvailable ?? 0) < wanted) return waiting(`${status.numberAvailable ?? 0} of ${wanted} pods available`);
  return { done: true };
}

export function rolloutProgress(observation: RolloutObservation): RolloutProgress {
  const observed = observation.status?.observedGeneration ?? 0;
  if (observation.generation !== undefined && observed < observation.generation) return waiting('the controller has not seen the new pod template yet');
  switch (observation.kind) {
    case 'Deployment':
      return deploymentProgress(observation);
    case 'StatefulSet':
      return statefulSetProgress(observation);
    case 'DaemonSet':
      return daemonSetProgress(observation);
  }
}
