// Where the webhook's "admitted without instrumentation" reports become Events. The webhook endpoint can be reached
// by callers other than the API server, so nothing in the AdmissionReview is trusted here: the Event goes on a
// workload that exists in the informer cache (its uid and name from the cache), in a namespace the webhook serves,
// only when the cached workload and namespace really opt in to an XRayTracing that is missing, and its message is
// rebuilt from the cache. A forged review can at most repeat an Event the operator would write anyway.
import type { Logger } from 'pino';
import { OWNER_API_VERSIONS } from '../../../core/src/constants.js';
import { selectTracing, templateSubject } from '../../../core/src/injection/index.js';
import type { AdmissionEventSink } from '../../../core/src/ports.js';
import type { ClusterCaches, WorkloadKind } from '../k8s/caches.js';
import type { EventRecorder } from '../k8s/events.js';

export interface AdmissionEventsDeps {
  caches: Pick<ClusterCaches, 'namespaces' | 'workloads' | 'xrayTracings'>;
  events: EventRecorder;
  logger: Logger;
  /** Whether the webhook's selectors let a pod with these template labels in this namespace through. */
  serves?: (namespace: string, templateLabels: Readonly<Record<string, string>> | undefined) => boolean;
}

/** The cached workload a pod's controller owner stands for: a ReplicaSet's Deployment, a StatefulSet, a DaemonSet. */
function ownerWorkload(owner: { kind: string; name: string } | undefined): { kind: WorkloadKind; name: string } | undefined {
  if (!owner) return undefined;
  // ReplicaSets of a Deployment are named `<deployment>-<pod-template-hash>`; the hash has no dash.
  if (owner.kind === 'ReplicaSet') {
    const name = owner.name.replace(/-[^-]+$/, '');
    return name && name !== owner.name ? { kind: 'Deployment', name } : undefined;
  }
  if (owner.kind === 'StatefulSet' || owner.kind === 'DaemonSet') return { kind: owner.kind, name: owner.name };
  return undefined;
}

export function admissionEventSink(deps: AdmissionEventsDeps): AdmissionEventSink {
  const skip = (namespace: string, why: string): void => deps.logger.debug({ namespace, operation: 'record-event', reason: why }, 'Skipped the not-injected Event');
  return {
    podNotInjected(namespace, _podName, _reason, owner) {
      const ref = ownerWorkload(owner);
      if (!ref) return skip(namespace, 'The pod has no Deployment, StatefulSet or DaemonSet owner to report on');
      const workload = deps.caches.workloads[ref.kind].get(ref.name, namespace);
      const cachedNamespace = deps.caches.namespaces.get(namespace);
      if (!workload?.metadata?.uid || !cachedNamespace) return skip(namespace, `No ${ref.kind} ${ref.name} in the cache`);
      // A StatefulSet or DaemonSet owns its pods directly: the uid must be the one the API server knows.
      if (ref.kind !== 'Deployment' && owner?.uid !== workload.metadata.uid) return skip(namespace, `The owner uid is not the cached ${ref.kind}'s`);
      const template = workload.spec?.template.metadata;
      if (deps.serves && !deps.serves(namespace, template?.labels)) return skip(namespace, 'The webhook does not serve this workload');
      const subject = templateSubject(template, { ...ref, annotations: workload.metadata.annotations }, namespace, cachedNamespace.metadata?.annotations);
      const selection = selectTracing(subject, deps.caches.xrayTracings.list(namespace));
      if (selection.kind !== 'missing' && selection.kind !== 'ambiguous') return skip(namespace, `The cached ${ref.kind} does not need an XRayTracing that is missing`);
      const involved = { apiVersion: OWNER_API_VERSIONS[ref.kind], kind: ref.kind, namespace, name: ref.name, uid: workload.metadata.uid };
      void deps.events.record(involved, 'Warning', 'NotInjected', `Admitted pods without X-Ray instrumentation: ${selection.reason}`);
    },
  };
}
