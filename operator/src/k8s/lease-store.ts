// The LeaseStore of leader election, backed by a coordination.k8s.io/v1 Lease.
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { KubeClients } from './clients.js';
import { isNotFound } from './errors.js';

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: Date;
  renewTime?: Date;
  leaseTransitions?: number;
  /** Optimistic concurrency: a write based on an older version fails with a conflict. */
  resourceVersion?: string;
}

/** Lease storage (the API server in the operator, an in-memory double in unit tests). */
export interface LeaseStore {
  /** undefined when the Lease does not exist. */
  get(): Promise<LeaseRecord | undefined>;
  create(record: LeaseRecord): Promise<LeaseRecord>;
  /** Throws on a resourceVersion conflict. */
  update(record: LeaseRecord): Promise<LeaseRecord>;
}

const micro = (date: Date | undefined): V1MicroTime | undefined => (date ? new V1MicroTime(date.getTime()) : undefined);
const asDate = (value: Date | string | undefined): Date | undefined => (value === undefined ? undefined : new Date(value));

function toRecord(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity,
    leaseDurationSeconds: spec.leaseDurationSeconds,
    acquireTime: asDate(spec.acquireTime),
    renewTime: asDate(spec.renewTime),
    leaseTransitions: spec.leaseTransitions,
    resourceVersion: lease.metadata?.resourceVersion,
  };
}

export function kubernetesLeaseStore(clients: KubeClients, namespace: string, name: string): LeaseStore {
  const toLease = (record: LeaseRecord): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, resourceVersion: record.resourceVersion },
    spec: {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      acquireTime: micro(record.acquireTime),
      renewTime: micro(record.renewTime),
      leaseTransitions: record.leaseTransitions,
    },
  });
  return {
    async get() {
      try {
        return toRecord(await clients.coordination.readNamespacedLease({ name, namespace }));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async create(record) {
      return toRecord(await clients.coordination.createNamespacedLease({ namespace, body: toLease({ ...record, resourceVersion: undefined }) }));
    },
    async update(record) {
      return toRecord(await clients.coordination.replaceNamespacedLease({ name, namespace, body: toLease(record) }));
    },
  };
}
