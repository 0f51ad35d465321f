// The API server's version (/version), for the features that depend on it (native sidecars).
import type { VersionInfo } from '@kubernetes/client-node';
import type { KubeRest } from './request.js';

export interface VersionApi {
  getCode(): Promise<VersionInfo>;
}

export const versionApi = (rest: KubeRest): VersionApi => ({ getCode: () => rest.send({ method: 'GET', path: '/version/' }) });
