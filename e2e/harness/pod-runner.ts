// Runs a Pod that the API server stored (after the webhook mutated it) as local processes, doing
// the kubelet's part: the init container's copy of the preload, downward-API env and `$(VAR)`
// expansion, volume paths mapped to temp dirs, and pod loopback ports mapped to free host ports
// (many pods share this host's loopback). The app container runs as a Node.js process and the
// collector sidecar as the real collector binary built for the test bed.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { COLLECTOR_CONFIG_ENV, CollectorPorts, InjectedNames } from '../../core/src/constants.js';
import { LEGACY_RECEIVER_PROXY_PORT } from '../../core/src/collector/render.js';
import { testBedBinary } from './binaries.js';
import { httpCall } from './http.js';
import { repoRoot } from './paths.js';
import { freePort } from './ports.js';
import { startProcess, waitUntilReady, type ManagedProcess } from './processes.js';
import { containerArgv, resolveContainerEnv, type PodPlacement } from './pod-env.js';

/** Where `npm run build:instrumentation` puts what the instrumentation image holds at /autoinstrumentation. */
export const PRELOAD_BUILD_DIR = join(repoRoot, 'instrumentation-image/build/autoinstrumentation');

export interface PodRunnerOptions {
  /** The app container (default: the first container that is not the sidecar). */
  containerName?: string;
  /** Container path prefix → host directory (e.g. `/app` → a fixture directory). */
  hostPaths?: Record<string, string>;
  /** Env added to the app process after the pod's own (e.g. the port it should listen on). */
  appEnv?: Record<string, string>;
  /** AWS region for the collector's credential chain. */
  region?: string;
  placement?: Partial<PodPlacement>;
}

export interface RunningPod {
  app: ManagedProcess;
  collector?: ManagedProcess;
  /** Pod loopback port → the host port it was mapped to. */
  ports: ReadonlyMap<number, number>;
  /** The env the app process got (after mapping). */
  appEnv: ReadonlyMap<string, string>;
  dir: string;
  stop(): Promise<void>;
}

const POD_PORTS = [...Object.values(CollectorPorts), LEGACY_RECEIVER_PROXY_PORT];

async function mapPodPorts(): Promise<Map<number, number>> {
  const ports = new Map<number, number>();
  for (const port of POD_PORTS) ports.set(port, await freePort());
  return ports;
}

/** Rewrites `localhost:PORT` / `127.0.0.1:PORT` of pod ports, and container paths to host paths. */
function makeRewriter(ports: ReadonlyMap<number, number>, paths: ReadonlyMap<string, string>): (text: string) => string {
  const byLength = [...paths.entries()].sort(([a], [b]) => b.length - a.length);
  return (text) => {
    let result = text.replace(/\b(localhost|127\.0\.0\.1|0\.0\.0\.0):(\d+)\b/g, (whole, host: string, port: string) => {
      const mapped = ports.get(Number(port));
      return mapped === undefined ? whole : `${host}:${mapped}`;
    });
    for (const [containerPath, hostPath] of byLength) result = result.split(containerPath).join(hostPath);
    return result;
  };
}

function volumeDirs(pod: V1Pod, root: string): Map<string, string> {
  const dirs = new Map<string, string>();
  for (const volume of pod.spec?.volumes ?? []) {
    if (!volume.emptyDir) continue;
    const dir = join(root, 'volumes', volume.name);
    mkdirSync(dir, { recursive: true });
    dirs.set(volume.name, dir);
  }
  return dirs;
}

/** Container mount path → host dir, for the container's emptyDir mounts, plus the explicit host paths. */
function pathMap(container: V1Container, volumes: ReadonlyMap<string, string>, hostPaths: Record<string, string>): Map<string, string> {
  const paths = new Map(Object.entries(hostPaths));
  for (const mount of container.volumeMounts ?? []) {
    const dir = volumes.get(mount.name);
    if (dir) paths.set(mount.mountPath, dir);
  }
  return paths;
}

/** The init container's job: the preload build lands in the volume it mounts. */
function copyPreload(pod: V1Pod, volumes: ReadonlyMap<string, string>): void {
  const init = pod.spec?.initContainers?.find((container) => container.name === InjectedNames.initContainer);
  if (!init) return;
  if (!existsSync(PRELOAD_BUILD_DIR)) throw new Error(`No preload build at ${PRELOAD_BUILD_DIR}: run npm run build:instrumentation`);
  for (const mount of init.volumeMounts ?? []) {
    const dir = volumes.get(mount.name);
    if (dir) cpSync(PRELOAD_BUILD_DIR, dir, { recursive: true });
  }
}

function findSidecar(pod: V1Pod): V1Container | undefined {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return all.find((container) => container.name === InjectedNames.sidecarContainer);
}

function findApp(pod: V1Pod, name: string | undefined): V1Container {
  const containers = pod.spec?.containers ?? [];
  const app = name
    ? containers.find((container) => container.name === name)
    : containers.find((container) => container.name !== InjectedNames.sidecarContainer);
  if (!app) throw new Error(`Pod ${pod.metadata?.name} has no app container ${name ?? ''}`);
  return app;
}

const AWS_FAKE_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };

async function startCollector(
  pod: V1Pod, sidecar: V1Container, placement: PodPlacement, rewrite: (text: string) => string,
  ports: ReadonlyMap<number, number>, region: string, dir: string,
): Promise<ManagedProcess> {
  const env = resolveContainerEnv(pod, sidecar, placement);
  if (!env.has(COLLECTOR_CONFIG_ENV)) throw new Error(`Sidecar has no ${COLLECTOR_CONFIG_ENV}`);
  const mapped = Object.fromEntries([...env].map(([name, value]) => [name, rewrite(value)]));
  const args = containerArgv(sidecar, env).slice(sidecar.command?.length ? 1 : 0).map(rewrite);
  const collector = startProcess({
    name: `${pod.metadata?.name}-collector`,
    command: testBedBinary('otelcol'),
    args,
    env: { PATH: process.env.PATH, AWS_REGION: region, AWS_DEFAULT_REGION: region, ...AWS_FAKE_ENV, ...mapped },
    logDir: dir,
  });
  const health = `http://127.0.0.1:${ports.get(CollectorPorts.health)}/`;
  await waitUntilReady(collector, async () => (await httpCall(health)).statusCode === 200, 30_000);
  return collector;
}

function startApp(
  pod: V1Pod, app: V1Container, placement: PodPlacement, rewrite: (text: string) => string,
  extraEnv: Record<string, string>, dir: string,
): { process: ManagedProcess; env: Map<string, string> } {
  const podEnv = resolveContainerEnv(pod, app, placement);
  const env = new Map([...podEnv].map(([name, value]) => [name, rewrite(value)]));
  for (const [name, value] of Object.entries(extraEnv)) env.set(name, value);
  const [command, ...args] = containerArgv(app, podEnv).map(rewrite);
  const appProcess = startProcess({
    name: `${pod.metadata?.name}-${app.name}`,
    // The image's `node` is this test's Node.js.
    command: command === 'node' ? process.execPath : command!,
    args,
    cwd: app.workingDir ? rewrite(app.workingDir) : undefined,
    env: { PATH: process.env.PATH, ...Object.fromEntries(env) },
    logDir: dir,
  });
  return { process: appProcess, env };
}

export async function runPod(pod: V1Pod, options: PodRunnerOptions = {}): Promise<RunningPod> {
  const dir = mkdtempSync(join(tmpdir(), `xo-pod-${pod.metadata?.name ?? 'pod'}-`));
  const placement: PodPlacement = { nodeName: 'e2e-node', podIP: '127.0.0.1', hostIP: '127.0.0.1', ...options.placement };
  const volumes = volumeDirs(pod, dir);
  const app = findApp(pod, options.containerName);
  const sidecar = findSidecar(pod);
  const ports = await mapPodPorts();
  const started: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const child of started.reverse()) await child.stop();
    if (process.env.E2E_KEEP_TMP !== '1') rmSync(dir, { recursive: true, force: true });
  };
  try {
    copyPreload(pod, volumes);
    let collector: ManagedProcess | undefined;
    if (sidecar) {
      const rewrite = makeRewriter(ports, pathMap(sidecar, volumes, options.hostPaths ?? {}));
      collector = await startCollector(pod, sidecar, placement, rewrite, ports, options.region ?? 'us-east-1', dir);
      started.push(collector);
    }
    const rewrite = makeRewriter(ports, pathMap(app, volumes, options.hostPaths ?? {}));
    const { process: appProcess, env } = startApp(pod, app, placement, rewrite, options.appEnv ?? {}, dir);
    started.push(appProcess);
    return { app: appProcess, collector, ports, appEnv: env, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
