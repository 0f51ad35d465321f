// Loads how to reach the API server: an explicit kubeconfig file, else the in-cluster service account, else the
// usual defaults (KUBECONFIG, ~/.kube/config).
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeConfigSource {
  /** A kubeconfig file; wins over everything else. */
  kubeconfigPath?: string;
  /** Where the service account token is mounted (overridable for tests). */
  inClusterTokenPath?: string;
}

export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kc = new KubeConfig();
  if (source.kubeconfigPath) {
    kc.loadFromFile(source.kubeconfigPath);
  } else if (existsSync(source.inClusterTokenPath ?? IN_CLUSTER_TOKEN)) {
    kc.loadFromCluster();
  } else {
    kc.loadFromDefault();
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(`No cluster in the kubeconfig${source.kubeconfigPath ? ` ${source.kubeconfigPath}` : ''}: set --kubeconfig or run in a pod`);
  }
  return kc;
}
