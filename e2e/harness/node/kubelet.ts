// The kubelet of the bed's node: the binary built from the same k8s.io/kubernetes module as the API server,
// talking CRI to the bed's containerd, registering a Node whose IP is the bed's bridge address.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testBedBinary } from '../binaries.js';
import { httpCall } from '../http.js';
import { freePort } from '../ports.js';
import { startProcess, waitUntilReady, type ManagedProcess } from '../processes.js';

export interface KubeletOptions {
  dir: string;
  logDir: string;
  nodeName: string;
  nodeIp: string;
  kubeconfigPath: string;
  containerdEndpoint: string;
}

export interface Kubelet {
  process: ManagedProcess;
  /** `--root-dir`: the kubelet bind-mounts it and mounts pod volumes under it. */
  rootDir: string;
  stop(): Promise<void>;
}

function kubeletConfiguration(options: KubeletOptions, port: number, healthzPort: number, resolvConf: string): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // The API server dials the node IP for logs, exec and port-forward; health stays on loopback.
    address: options.nodeIp,
    port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort,
    // A single-user bed: the API server's kubelet client has no certificate here, so no authn/authz on the kubelet.
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    cgroupDriver: 'cgroupfs',
    failSwapOn: false,
    failCgroupV1: false,
    containerRuntimeEndpoint: options.containerdEndpoint,
    // A shared machine's disk and memory are not ours to keep free: evict only when really out.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%', 'imagefs.inodesFree': '1%' },
    // Imported images cannot be pulled again, so they are never garbage-collected.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    // Container logs in the bed's directory, not /var/log/pods, so nothing is left on the machine.
    podLogsDir: join(options.dir, 'pod-logs'),
    // Pods resolve names against their own loopback (nothing answers): no DNS query leaves the machine.
    resolvConf,
    nodeStatusUpdateFrequency: '4s',
    syncFrequency: '10s',
    fileCheckFrequency: '20s',
    maxPods: 60,
  }, null, 2);
}

export async function startKubelet(options: KubeletOptions): Promise<Kubelet> {
  const rootDir = join(options.dir, 'kubelet');
  mkdirSync(rootDir, { recursive: true });
  const [port, healthzPort] = [await freePort(), await freePort()];
  const resolvConf = join(options.dir, 'resolv.conf');
  writeFileSync(resolvConf, 'nameserver 127.0.0.1\noptions ndots:1 attempts:1 timeout:1\n');
  const config = join(options.dir, 'kubelet-config.json');
  writeFileSync(config, kubeletConfiguration(options, port, healthzPort, resolvConf));
  const process = startProcess({
    name: 'kubelet',
    command: testBedBinary('kubelet'),
    args: [
      `--config=${config}`,
      `--kubeconfig=${options.kubeconfigPath}`,
      `--root-dir=${rootDir}`,
      `--cert-dir=${join(options.dir, 'kubelet-pki')}`,
      `--hostname-override=${options.nodeName}`,
      `--node-ip=${options.nodeIp}`,
      '--v=1',
    ],
    logDir: options.logDir,
  });
  await waitUntilReady(process, async () => (await httpCall(`http://127.0.0.1:${healthzPort}/healthz`)).statusCode === 200, 60_000);
  return { process, rootDir, stop: () => process.stop(15_000) };
}
