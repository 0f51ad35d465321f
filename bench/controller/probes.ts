// What the benchmark reads while it runs: the operator's RSS from /proc, its Prometheus /metrics, and the
// XRayTracings' readiness from one list call.
import { readFileSync } from 'node:fs';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, XRAY_TRACING_PLURAL } from '../../core/src/constants.js';
import { httpCall } from '../../e2e/harness/http.js';
import type { StoredXRayTracing } from '../../e2e/harness/workloads.js';

const MIB = 1024 * 1024;

/** VmRSS and VmHWM (peak RSS the kernel saw) of a process, in MiB. */
export function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: (kib('VmRSS') * 1024) / MIB, hwmMiB: (kib('VmHWM') * 1024) / MIB };
}

/** Samples a process's RSS every `intervalMs` until stopped; keeps the peak. */
export class RssSampler {
  private peak = 0;
  private samples = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number, intervalMs = 250) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  sample(): number {
    const { rssMiB } = memoryOf(this.pid);
    this.peak = Math.max(this.peak, rssMiB);
    this.samples += 1;
    return rssMiB;
  }

  stop(): { peakMiB: number; samples: number } {
    clearInterval(this.timer);
    return { peakMiB: this.peak, samples: this.samples };
  }
}

/** One Prometheus text-format sample: name, labels, value. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

const SCRAPE_ATTEMPTS = 3;

/** The operator's /metrics; a busy operator (thousands of objects on 2 shared cores) may answer late, so it is retried. */
export async function scrapeMetrics(healthBaseUrl: string): Promise<MetricSample[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await httpCall(`${healthBaseUrl}/metrics`, { timeoutMs: 30_000 });
      if (response.statusCode !== 200) throw new Error(`GET /metrics answered ${response.statusCode}`);
      return parsePrometheusText(response.body);
    } catch (error) {
      if (attempt >= SCRAPE_ATTEMPTS) throw error;
    }
  }
}

/** Sum of the samples of `name` whose labels include `match`. */
export function metricSum(samples: readonly MetricSample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Values of `name` by one label, e.g. X-Ray calls by operation. */
export function metricBy(samples: readonly MetricSample[], name: string, label: string, match: Record<string, string> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name || !Object.entries(match).every(([key, value]) => s.labels[key] === value)) continue;
    const key = s.labels[label] ?? '';
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}

/** Ready=True for the current generation: status and the condition both observed `metadata.generation`. */
export function isReadyForGeneration(tracing: StoredXRayTracing): boolean {
  const { generation } = tracing.metadata;
  const ready = tracing.status?.conditions?.find((condition) => condition.type === 'Ready');
  return ready?.status === 'True'
    && tracing.status?.observedGeneration === generation
    && (ready.observedGeneration === undefined || ready.observedGeneration === generation);
}

/** Every XRayTracing in the cluster, from one list call. */
export async function listXRayTracings(kc: KubeConfig): Promise<StoredXRayTracing[]> {
  const list = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL })) as { items: StoredXRayTracing[] };
  return list.items;
}
