// The typed API clients the controller uses, made once from one KubeConfig, each request with a timeout.
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  VersionApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import { DEFAULT_REQUEST_TIMEOUT_MS, makeTimedApiClient } from './timed-api-client.js';

export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly version: VersionApi;
}

export interface RequestTimeouts {
  requestMs?: number;
  /** Lease reads and writes: shorter than the renew deadline, so a hung renewal fails while the leader can still step down. */
  leaseMs?: number;
}

export function makeKubeClients(kubeConfig: KubeConfig, timeouts: RequestTimeouts = {}): KubeClients {
  const requestMs = timeouts.requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  return Object.freeze({
    kubeConfig,
    core: makeTimedApiClient(kubeConfig, CoreV1Api, requestMs),
    apps: makeTimedApiClient(kubeConfig, AppsV1Api, requestMs),
    custom: makeTimedApiClient(kubeConfig, CustomObjectsApi, requestMs),
    coordination: makeTimedApiClient(kubeConfig, CoordinationV1Api, timeouts.leaseMs ?? requestMs),
    version: makeTimedApiClient(kubeConfig, VersionApi, requestMs),
  });
}
