// What a node leaves on the machine unless taken away: mounts under its directory (the kubelet's root-dir
// bind mount, pod volumes, container rootfs) and containerd shims, which outlive containerd by design.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tailOf } from '../processes.js';

/** Mount points under `dir`, deepest first (mountinfo field 5, with octal escapes decoded). */
function mountsUnder(dir: string): string[] {
  const decode = (path: string) => path.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => decode(line.split(' ')[4] ?? ''))
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

export function unmountAllUnder(dir: string): void {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const mounts = mountsUnder(dir);
    if (mounts.length === 0) return;
    for (const mountPoint of mounts) {
      try {
        execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
      } catch {
        // Already gone with its parent; the next pass re-reads mountinfo.
      }
    }
  }
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`Still mounted under ${dir}: ${left.join(', ')}`);
}

/** PIDs of containerd shims started by the containerd at `socket` (their command line names its address). */
export function shimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args[0]?.includes('containerd-shim') && args.includes(socket)) pids.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids;
}

export function killShims(socket: string): void {
  for (const pid of shimPids(socket)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited on its own.
    }
  }
}

/** The kubelet's /var/log/containers links into `dir` (they go with their containers; this catches the rest). */
export function removeContainerLogLinks(dir: string): void {
  const linkDir = '/var/log/containers';
  let entries: string[];
  try {
    entries = readdirSync(linkDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    try {
      if (readlinkSync(join(linkDir, entry)).startsWith(`${dir}/`)) unlinkSync(join(linkDir, entry));
    } catch {
      // Not a link, or already gone.
    }
  }
}

/** Every container log file under the node's pod log directory, with its last lines (for a failing test). */
export function containerLogTails(podLogsDir: string, lines = 15): string {
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.log')) out.push(`== ${full.slice(podLogsDir.length + 1)}\n${tailOf(full, lines)}`);
    }
  };
  try {
    walk(podLogsDir);
  } catch {
    return '(no pod logs)';
  }
  return out.join('\n');
}

/**
 * The kubelet's cgroup tree (`kubepods` in every cgroup v1 hierarchy, cgroupfs driver) outlives it. Removed deepest
 * first with rmdir, which only removes cgroups without processes: a cgroup still in use stays, and says so.
 */
export function removeKubepodsCgroups(cgroupRoot = '/sys/fs/cgroup'): string[] {
  const left: string[] = [];
  const removeTree = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) removeTree(join(path, entry.name));
    }
    try {
      rmdirSync(path);
    } catch {
      left.push(path);
    }
  };
  for (const hierarchy of readdirSync(cgroupRoot, { withFileTypes: true })) {
    const kubepods = join(cgroupRoot, hierarchy.name, 'kubepods');
    if (hierarchy.isDirectory() && existsSync(kubepods)) removeTree(kubepods);
  }
  return left;
}

/**
 * Host directories the kubelet, containerd and CNI create whatever their config says (the kubelet's device-plugin
 * socket dir, containerd's shim socket dir, runc's and CNI's defaults, network namespaces). Those that did not exist
 * before the node started are removed when it stops; `rm -r` only for the kubelet's and CNI's own, empty-only
 * (rmdir) for those shared with any other containerd on the machine.
 */
const HOST_DIRS: readonly { path: string; owned: boolean }[] = [
  { path: '/var/lib/kubelet', owned: true },
  { path: '/var/lib/cni', owned: true },
  { path: '/run/containerd', owned: false },
  { path: '/var/run/netns', owned: false },
  { path: '/var/log/pods', owned: false },
  { path: '/var/log/containers', owned: false },
];

export function hostDirsBefore(): Set<string> {
  return new Set(HOST_DIRS.filter(({ path }) => existsSync(path)).map(({ path }) => path));
}

function removeEmptyDirs(path: string): void {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyDirs(join(path, entry.name));
  }
  try {
    rmdirSync(path);
  } catch {
    // Not empty: something else's.
  }
}

export function removeHostDirsCreatedSince(before: ReadonlySet<string>): void {
  for (const { path, owned } of HOST_DIRS) {
    if (before.has(path) || !existsSync(path)) continue;
    if (owned) rmSync(path, { recursive: true, force: true });
    else removeEmptyDirs(path);
  }
}

/** Unmounts and deletes network namespace files (`ip netns delete` does the same); their veths go with them. */
export function removeNetworkNamespaces(paths: readonly string[]): void {
  for (const path of paths) {
    if (!existsSync(path)) continue;
    try {
      execFileSync('umount', [path], { stdio: 'ignore' });
    } catch {
      // Not mounted any more.
    }
    rmSync(path, { force: true });
  }
}
