// Where the idle operator's memory goes: V8's heap spaces (from its /metrics), what the kernel counts as anonymous
// (heap, malloc) and file-backed (the node binary's pages, shared with every node process), and the same figures for
// a bare Node.js process with the same flags and environment, measured in the same run: the floor the operator's
// own code and caches add to.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { round } from '../stats.js';
import { metricBy, metricSum, type MetricSample } from './probes.js';

const MIB = 1024 * 1024;
const BARE_SETTLE_MS = 2_000;

/** Rss, Anonymous and file-backed resident memory of a process (smaps_rollup), in MiB. */
export function residentOf(pid: number): { rssMiB: number; anonymousMiB: number; fileMiB: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? Number.NaN);
  const rss = kib('Rss');
  const anonymous = kib('Anonymous');
  return { rssMiB: round(rss / 1024, 1), anonymousMiB: round(anonymous / 1024, 1), fileMiB: round((rss - anonymous) / 1024, 1) };
}

/** A bare `node` with these flags and environment, idle for a moment. */
async function bareNode(nodeArgs: readonly string[], env: Readonly<Record<string, string>>): Promise<ReturnType<typeof residentOf>> {
  const child = spawn(process.execPath, [...nodeArgs, '-e', 'setInterval(() => {}, 1000)'], { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, BARE_SETTLE_MS));
    return residentOf(child.pid!);
  } finally {
    child.kill();
  }
}

export async function idleBreakdown(pid: number, metrics: readonly MetricSample[], bare: { nodeArgs: readonly string[]; env: Readonly<Record<string, string>> }) {
  const heapSpacesUsedMiB = Object.fromEntries(
    Object.entries(metricBy(metrics, 'nodejs_heap_space_size_used_bytes', 'space')).filter(([, bytes]) => bytes > 0).map(([space, bytes]) => [space, round(bytes / MIB, 1)]),
  );
  return {
    operator: {
      ...residentOf(pid),
      heapUsedMiB: round(metricSum(metrics, 'nodejs_heap_size_used_bytes') / MIB, 1),
      heapTotalMiB: round(metricSum(metrics, 'nodejs_heap_size_total_bytes') / MIB, 1),
      heapSpacesUsedMiB,
      externalMiB: round(metricSum(metrics, 'nodejs_external_memory_bytes') / MIB, 1),
    },
    bareNode: await bareNode(bare.nodeArgs, bare.env),
  };
}

export type IdleBreakdown = Awaited<ReturnType<typeof idleBreakdown>>;
