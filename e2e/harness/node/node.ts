// A real node for the bed: its own bridge and pod CIDR, containerd + runc, the kubelet and the scheduler, with
// the bed's images imported. stop() leaves nothing behind: pods are deleted through the API first (so the
// kubelet stops their containers and CNI removes their network namespaces), then kubelet and containerd stop
// by PID, leftover tasks and shims are killed, mounts under the node's directory are undone, the bridge goes.
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ControlPlane } from '../control-plane.js';
import { waitFor } from '../kube.js';
import type { ManagedProcess } from '../processes.js';
import { killShims, removeContainerLogLinks, unmountAllUnder } from './cleanup.js';
import { startContainerd, type Containerd } from './containerd.js';
import { imageArchives } from './images.js';
import { startKubelet, type Kubelet } from './kubelet.js';
import type { PodNetwork } from './network.js';
import { startScheduler } from './scheduler.js';

const execFileAsync = promisify(execFile);

export interface TestNode {
  name: string;
  /** The node's IP: the bridge's gateway address. */
  ip: string;
  /** Where the kubelet writes container logs (`<namespace>_<pod>_<uid>/<container>/<n>.log`). */
  podLogsDir: string;
  network: PodNetwork;
  containerd: Containerd;
  kubelet: Kubelet;
  scheduler: ManagedProcess;
  /** Host PID of a running container's init process (`containerd://<id>` from a pod's status). */
  containerPid(containerId: string): Promise<number>;
  /** Deletes every pod and waits until the kubelet has stopped them all. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

const isReady = (node: V1Node | undefined): boolean =>
  node?.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true &&
  !(node.spec?.taints ?? []).some((taint) => taint.key === 'node.kubernetes.io/not-ready');

async function deleteAllPods(controlPlane: ControlPlane): Promise<void> {
  const core = controlPlane.kc.makeApiClient(CoreV1Api);
  const pods = await core.listPodForAllNamespaces();
  await Promise.all(pods.items.map((pod) =>
    core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, gracePeriodSeconds: 2 }).catch(() => undefined)));
  await waitFor('every pod to be gone from the node', async () => (await core.listPodForAllNamespaces()).items.length === 0, { timeoutMs: 90_000, intervalMs: 500 });
}

/** Tasks the kubelet did not stop (a failed drain): killed and deleted through containerd itself. */
async function killRemainingTasks(containerd: Containerd): Promise<void> {
  const ctr = (args: readonly string[]) => execFileAsync('ctr', ['--address', containerd.socket, '-n', 'k8s.io', ...args]);
  const ids = (await ctr(['tasks', 'ls', '-q']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
  for (const id of ids) {
    await ctr(['tasks', 'kill', '-s', 'SIGKILL', id]).catch(() => undefined);
    await ctr(['tasks', 'delete', '-f', id]).catch(() => undefined);
  }
}

export async function startNode(controlPlane: ControlPlane, network: PodNetwork): Promise<TestNode> {
  const dir = join(controlPlane.dir, 'node');
  mkdirSync(dir, { recursive: true });
  const name = `xo-node-${network.bridge.slice(-4)}`;
  const steps: (() => Promise<void>)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const step of steps.reverse()) await step();
  };
  try {
    const containerd = await startContainerd(join(dir, 'containerd'), network, controlPlane.logDir);
    steps.push(async () => {
      await killRemainingTasks(containerd);
      await containerd.stop();
      killShims(containerd.socket);
      unmountAllUnder(dir);
      removeContainerLogLinks(dir);
    });
    await Promise.all([...imageArchives().values()].map((archive) => containerd.importImage(archive)));
    const kubelet = await startKubelet({
      dir, logDir: controlPlane.logDir, nodeName: name, nodeIp: network.gateway,
      kubeconfigPath: controlPlane.kubeconfigPath, containerdEndpoint: containerd.endpoint,
    });
    steps.push(() => kubelet.stop());
    const scheduler = await startScheduler(controlPlane.kubeconfigPath, controlPlane.logDir);
    steps.push(() => scheduler.stop());
    const core = controlPlane.kc.makeApiClient(CoreV1Api);
    await waitFor(`node ${name} to be Ready and untainted`, async () => isReady(await core.readNode({ name })), { timeoutMs: 120_000, intervalMs: 500 })
      .catch((error: unknown) => { throw new Error(`Node not ready; kubelet log:\n${kubelet.process.tail(30)}`, { cause: error }); });
    const drain = async (): Promise<void> => {
      // No controller may recreate what is deleted, and nothing new may be scheduled.
      await controlPlane.stopControllerManager();
      await scheduler.stop();
      await deleteAllPods(controlPlane);
    };
    const stop = async (): Promise<void> => {
      await drain().catch((error: unknown) => console.error('Draining the node failed; its tasks are killed instead', error));
      await cleanup();
    };
    const containerPid = async (containerId: string): Promise<number> => {
      const id = containerId.replace(/^containerd:\/\//, '');
      const { stdout } = await execFileAsync('ctr', ['--address', containerd.socket, '-n', 'k8s.io', 'tasks', 'ls']);
      const pid = stdout.split('\n').map((line) => line.trim().split(/\s+/)).find(([task]) => task === id)?.[1];
      if (!pid) throw new Error(`No running task for container ${id}`);
      return Number(pid);
    };
    return { name, ip: network.gateway, podLogsDir: join(dir, 'pod-logs'), network, containerd, kubelet, scheduler, containerPid, drain, stop };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
