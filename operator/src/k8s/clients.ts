// The typed API clients the controller uses, made once from one KubeConfig.
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  VersionApi,
  type KubeConfig,
} from '@kubernetes/client-node';

export interface KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly version: VersionApi;
}

export function makeKubeClients(kubeConfig: KubeConfig): KubeClients {
  return Object.freeze({
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    coordination: kubeConfig.makeApiClient(CoordinationV1Api),
    version: kubeConfig.makeApiClient(VersionApi),
  });
}
