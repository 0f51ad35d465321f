// containerd for the bed's node: Debian's containerd and runc with a config of the bed's own (root, state and
// sockets under the bed's temp dir, the bed's CNI config), and images imported from archives, never pulled.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startProcess, waitUntilReady, type ManagedProcess } from '../processes.js';
import { cniConfigList, type PodNetwork } from './network.js';

const execFileAsync = promisify(execFile);

/** The sandbox image e2e/images/build.sh makes (busybox sleeping until TERM), as CRI names it. */
export const PAUSE_IMAGE = 'docker.io/xray-operator-e2e/pause:1';

export interface Containerd {
  /** `unix://…` for the kubelet. */
  endpoint: string;
  socket: string;
  root: string;
  state: string;
  process: ManagedProcess;
  /** `ctr -n k8s.io images import` of a `docker save` archive. */
  importImage(archive: string): Promise<void>;
  stop(): Promise<void>;
}

function configToml(dir: string, socket: string): string {
  // restrict_oom_score_adj: root here lacks CAP_SYS_RESOURCE, so runc cannot give a sandbox the negative
  // oom_score_adj the kubelet asks for ("can't get final child's PID from pipe: EOF") unless it is clamped.
  return `version = 2
root = "${join(dir, 'root')}"
state = "${join(dir, 'state')}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${socket}"

[ttrpc]
  address = "${socket}.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(dir, 'opt')}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${join(dir, 'runc')}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${join(dir, 'cni')}"
`;
}

export async function startContainerd(dir: string, network: PodNetwork, logDir: string): Promise<Containerd> {
  mkdirSync(join(dir, 'cni'), { recursive: true });
  writeFileSync(join(dir, 'cni', '10-xray-operator-e2e.conflist'), cniConfigList(network, join(dir, 'cni-ipam')));
  const socket = join(dir, 'containerd.sock');
  const config = join(dir, 'config.toml');
  writeFileSync(config, configToml(dir, socket));
  const process = startProcess({ name: 'containerd', command: 'containerd', args: ['--config', config], logDir });
  const ctr = (args: readonly string[]) => execFileAsync('ctr', ['--address', socket, ...args], { maxBuffer: 16 * 1024 * 1024 });
  await waitUntilReady(process, async () => existsSync(socket) && (await ctr(['version'])).stdout.includes('Server'), 30_000);
  return {
    endpoint: `unix://${socket}`,
    socket,
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    process,
    importImage: async (archive) => {
      await ctr(['-n', 'k8s.io', 'images', 'import', archive]);
    },
    stop: () => process.stop(10_000),
  };
}
