// kube-scheduler, from the same k8s.io/kubernetes module as the API server: it binds the bed's pods to its node.
import { testBedBinary } from '../binaries.js';
import { startProcess, type ManagedProcess } from '../processes.js';
import { freePort } from '../ports.js';

export async function startScheduler(kubeconfigPath: string, logDir: string): Promise<ManagedProcess> {
  return startProcess({
    name: 'kube-scheduler',
    command: testBedBinary('kubeScheduler'),
    args: [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
    ],
    logDir,
  });
}
