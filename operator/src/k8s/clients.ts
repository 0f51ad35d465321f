// The typed API clients the controller uses, made once from one KubeConfig, each request with a timeout.
import type { KubeConfig } from '@kubernetes/client-node';
import { admissionApi, type AdmissionApi } from './rest/admission.js';
import { appsApi, type AppsApi } from './rest/apps.js';
import { coordinationApi, type CoordinationApi } from './rest/coordination.js';
import { coreApi, type CoreApi } from './rest/core.js';
import { customObjectsApi, type CustomObjectsApi } from './rest/custom-objects.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, kubeRest } from './rest/request.js';
import { versionApi, type VersionApi } from './rest/version.js';

export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreApi;
  readonly apps: AppsApi;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationApi;
  readonly admission: AdmissionApi;
  readonly version: VersionApi;
}

export interface RequestTimeouts {
  requestMs?: number;
  /** Lease reads and writes: shorter than the renew deadline, so a hung renewal fails while the leader can still step down. */
  leaseMs?: number;
}

export function makeKubeClients(kubeConfig: KubeConfig, timeouts: RequestTimeouts = {}): KubeClients {
  const rest = kubeRest(kubeConfig, timeouts.requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  return Object.freeze({
    kubeConfig,
    core: coreApi(rest),
    apps: appsApi(rest),
    custom: customObjectsApi(rest),
    coordination: coordinationApi(timeouts.leaseMs === undefined ? rest : kubeRest(kubeConfig, timeouts.leaseMs)),
    admission: admissionApi(rest),
    version: versionApi(rest),
  });
}
