// Every API the operator process calls, with the verbs it needs: the single source of truth for the Helm chart's
// RBAC (charts/test checks the ClusterRole and Role against this list). Least privilege: nothing here "just in case";
// no `get` where the code only reads informer caches (list + watch).
import { API_GROUP, XRAY_TRACING_PLURAL } from '../../../core/src/constants.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export interface ApiAccess {
  /** '' is the core group. */
  apiGroup: string;
  resource: string;
  subresource?: string;
  verbs: readonly Verb[];
  /** cluster: a ClusterRole; operatorNamespace: a Role in the namespace the operator runs in. */
  scope: 'cluster' | 'operatorNamespace';
  /** Which code needs it, and why. */
  why: string;
}

export const API_ACCESS: readonly ApiAccess[] = Object.freeze([
  {
    apiGroup: API_GROUP, resource: XRAY_TRACING_PLURAL, verbs: ['list', 'watch', 'patch'], scope: 'cluster',
    why: 'controller: informer cache (never read one by one); finalizer added and removed by merge patch',
  },
  {
    apiGroup: API_GROUP, resource: XRAY_TRACING_PLURAL, subresource: 'status', verbs: ['patch'], scope: 'cluster',
    why: 'controller: conditions, owned rules and summary through the status subresource',
  },
  {
    apiGroup: API_GROUP, resource: XRAY_TRACING_PLURAL, subresource: 'finalizers', verbs: ['update'], scope: 'cluster',
    why: 'controller: owner references with blockOwnerDeletion on the collector ConfigMap (OwnerReferencesPermissionEnforcement)',
  },
  {
    apiGroup: '', resource: 'namespaces', verbs: ['list', 'watch'], scope: 'cluster',
    why: 'webhook and controller: namespace-level opt-in from the informer cache',
  },
  {
    apiGroup: '', resource: 'pods', verbs: ['list', 'watch'], scope: 'cluster',
    why: 'controller: detect stale and missed injection, count injected workloads',
  },
  {
    apiGroup: '', resource: 'configmaps', verbs: ['list', 'watch', 'create', 'patch'], scope: 'cluster',
    why: 'webhook: NODE_OPTIONS from envFrom/valueFrom ConfigMaps (cache); controller: server-side apply of xray-collector-<name> (create: the first apply creates it). Names differ per XRayTracing, so RBAC cannot narrow the writes: the chart\'s ValidatingAdmissionPolicy limits them to the operator\'s own ConfigMaps',
  },
  {
    apiGroup: '', resource: 'events', verbs: ['create', 'patch'], scope: 'cluster',
    why: 'controller and webhook: Events, repeats aggregated by patching count and lastTimestamp',
  },
  {
    apiGroup: 'apps', resource: 'deployments', verbs: ['list', 'watch', 'patch'], scope: 'cluster',
    why: 'controller: propagate the opt-in to the pod template and roll workloads (annotations only: the chart\'s ValidatingAdmissionPolicy refuses anything else)',
  },
  {
    apiGroup: 'apps', resource: 'statefulsets', verbs: ['list', 'watch', 'patch'], scope: 'cluster',
    why: 'controller: propagate the opt-in to the pod template and roll workloads (annotations only: the chart\'s ValidatingAdmissionPolicy refuses anything else)',
  },
  {
    apiGroup: 'apps', resource: 'daemonsets', verbs: ['list', 'watch', 'patch'], scope: 'cluster',
    why: 'controller: propagate the opt-in to the pod template and roll workloads (annotations only: the chart\'s ValidatingAdmissionPolicy refuses anything else)',
  },
  {
    apiGroup: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'create', 'update'], scope: 'operatorNamespace',
    why: 'leader election: only the Lease holder runs the controllers',
  },
  {
    apiGroup: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', verbs: ['get', 'patch'], scope: 'cluster',
    why: 'certs: keep the webhook caBundle current',
  },
  {
    apiGroup: 'discovery.k8s.io', resource: 'endpointslices', verbs: ['list'], scope: 'operatorNamespace',
    why: 'controller: roll a workload only once the webhook Service has a ready endpoint (its new pods would be admitted plain otherwise)',
  },
  {
    apiGroup: '', resource: 'secrets', verbs: ['get', 'create', 'update'], scope: 'operatorNamespace',
    why: 'certs: the self-managed CA and serving certificate',
  },
]);
