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
import {
  hostDirsBefore, killShims, removeContainerLogLinks, removeHostDirsCreatedSince, removeKubepodsCgroups, removeNetworkNamespaces, unmountAllUnder,
} from './cleanup.js';
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

const ctrIn = (containerd: Containerd) => (args: readonly string[]) =>
  execFileAsync('ctr', ['--address', containerd.socket, '-n', 'k8s.io', ...args], { maxBuffer: 64 * 1024 * 1024 });

async function runningTaskIds(containerd: Containerd): Promise<string[]> {
  return (await ctrIn(containerd)(['tasks', 'ls', '-q']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
}

/** Network namespace files of every container containerd has (sandboxes name theirs in their OCI spec). */
async function networkNamespaces(containerd: Containerd): Promise<string[]> {
  const ctr = ctrIn(containerd);
  const ids = (await ctr(['containers', 'ls', '-q']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
  const paths = new Set<string>();
  for (const id of ids) {
    const info = await ctr(['containers', 'info', id]).then(({ stdout }) => stdout, () => '');
    for (const match of info.matchAll(/"path": "(\/var\/run\/netns\/[^"]+)"/g)) paths.add(match[1]!);
  }
  return [...paths];
}

/** Tasks the kubelet did not stop (a failed drain): killed and deleted through containerd itself. */
async function killRemainingTasks(containerd: Containerd): Promise<void> {
  const ctr = ctrIn(containerd);
  const ids = await runningTaskIds(containerd);
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
  const hostDirs = hostDirsBefore();
  const cleanup = async (): Promise<void> => {
    for (const step of steps.reverse()) await step();
  };
  try {
    const containerd = await startContainerd(join(dir, 'containerd'), network, controlPlane.logDir);
    steps.push(async () => {
      const namespaces = await networkNamespaces(containerd);
      await killRemainingTasks(containerd);
      await containerd.stop();
      killShims(containerd.socket);
      unmountAllUnder(dir);
      removeContainerLogLinks(dir);
      const cgroupsLeft = removeKubepodsCgroups();
      if (cgroupsLeft.length > 0) console.warn(`cgroups still in use after the node stopped: ${cgroupsLeft.join(', ')}`);
      // Sandboxes the kubelet had no time to stop keep their network namespace (and with it their veth).
      removeNetworkNamespaces(namespaces);
      removeHostDirsCreatedSince(hostDirs);
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
      // Pods gone from the API may still be stopping on the node: let the kubelet stop their sandboxes (which
      // removes their network) before it stops.
      await waitFor('the kubelet to stop every container', async () => (await runningTaskIds(containerd)).length === 0, { timeoutMs: 60_000, intervalMs: 250 });
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
