// npm run bench:footprint — what one traced pod costs in memory and CPU: the app with the collector sidecar (the test
// bed's collector binary running the config the operator renders for the otlp export) against the app alone in
// collector.mode none (the preload signs and exports itself), with the uninstrumented app as the baseline, all in the
// same run. Each pod is the injection engine's output run by the e2e pod runner (the kubelet's part: env, preload
// copy, loopback ports), exporting to one stand-in for X-Ray (OTLP traces + sampling API, every span sampled).
// Memory is RSS summed over the pod's processes, idle and after 20,000 requests; CPU is user+system time of the
// pod's processes per request, the export of the spans included. Also the preload's start-up in both modes (the
// no-collector one loads the signing chunk). Writes bench/results/footprint.json.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { resolveSpec } from '../core/src/api/defaults.js';
import type { XRayTracingSpec } from '../core/src/api/types.js';
import { DIRECT_EXPORT, Env, InstrumentationImagePaths } from '../core/src/constants.js';
import { injectPod } from '../core/src/injection/index.js';
import { E2E_REGION as REGION } from '../e2e/harness/region.js';
import { repoRoot } from '../e2e/harness/paths.js';
import { runPod, type RunningPod } from '../e2e/harness/pod-runner.js';
import { SIGNING_CHUNK } from '../instrumentation-image/src/aws-signing/types.js';
import { startXRayApiFake, type XRayApiFake } from '../instrumentation-image/test/support/xray-api-fake.js';
import { startXRayProxyFake } from '../instrumentation-image/test/support/xray-proxy-fake.js';
import { median, round } from './stats.js';

const APPS_DIR = join(repoRoot, 'instrumentation-image', 'test', 'apps');
const ROUNDS = 3;
const REQUESTS = 20_000;
const CONNECTIONS = 10;
/**
 * Requests per second, the same for every pod: below what the machine serves, so each pod does the same work in the
 * same time (an app saturated by the load generator falls behind its own span rate without a collector, whose
 * queue and compression sit in another process; that is a finding of its own, not the footprint).
 */
const RATE = 2_500;
/** After start: the sampler's first rules poll is done and start-up garbage is collected or not, alike for all. */
const IDLE_SETTLE_MS = 5_000;
/** Spans are flushed once no more arrive for this long (the preload batches every 5 s at most). */
const QUIET_MS = 6_000;
const POD_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDFOOTPRINT', AWS_SECRET_ACCESS_KEY: 'footprint-secret', AWS_EC2_METADATA_DISABLED: 'true' };

interface Variant {
  readonly name: 'app-only' | 'sidecar' | 'no-collector';
  /** Undefined: the pod as written, not injected. */
  readonly spec: ((xrayEndpoint: string) => XRayTracingSpec) | undefined;
}

const VARIANTS: readonly Variant[] = [
  { name: 'app-only', spec: undefined },
  { name: 'sidecar', spec: (awsEndpoint) => ({ collector: { mode: 'sidecar', exporter: 'otlp', region: REGION, awsEndpoint }, sampling: { pollingIntervalSeconds: 10 } }) },
  { name: 'no-collector', spec: (awsEndpoint) => ({ collector: { mode: 'none', region: REGION, awsEndpoint }, sampling: { pollingIntervalSeconds: 10 } }) },
];

function appPod(): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'footprint', namespace: 'bench', labels: { app: 'footprint' } },
    spec: { containers: [{ name: 'app', image: 'example.invalid/footprint:1', command: ['node', '/app/hello-app.cjs'] }] },
  };
}

function podFor(variant: Variant, xrayEndpoint: string): V1Pod {
  if (!variant.spec) return appPod();
  const outcome = injectPod(appPod(), resolveSpec(variant.spec(xrayEndpoint)), {
    namespace: 'bench', tracingName: 'default', nativeSidecarsSupported: true, getConfigMap: () => undefined,
  });
  if (outcome.action !== 'injected') throw new Error(`${variant.name}: not injected: ${outcome.reason}`);
  return outcome.pod as V1Pod;
}

const pidsOf = (pod: RunningPod): number[] => [pod.app.child.pid!, ...(pod.collector ? [pod.collector.child.pid!] : [])];

function rssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kib / 1024;
}

/** User + system CPU time of the process, in microseconds (clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function appPort(pod: RunningPod): Promise<number> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    const match = /listening (\d+)/.exec(pod.app.tail(20));
    if (match) return Number(match[1]);
    await sleep(100);
  }
  throw new Error(`The app did not start:\n${pod.app.tail()}`);
}

/** Waits until no span has arrived for QUIET_MS (at most a minute). */
async function flushed(xray: XRayApiFake): Promise<void> {
  let last = xray.spanCount;
  let quietSince = Date.now();
  for (const started = Date.now(); Date.now() - started < 60_000 && Date.now() - quietSince < QUIET_MS; await sleep(250)) {
    if (xray.spanCount !== last) {
      last = xray.spanCount;
      quietSince = Date.now();
    }
  }
}

interface Sample {
  readonly rssMiBIdle: number;
  readonly rssMiBIdleByProcess: Record<string, number>;
  readonly rssMiBAfterLoad: number;
  readonly rssMiBAfterLoadByProcess: Record<string, number>;
  readonly cpuMicrosPerRequest: number;
  readonly cpuMicrosPerRequestByProcess: Record<string, number>;
  readonly requestsPerSecond: number;
  readonly spansExported: number;
}

async function measure(variant: Variant, xray: XRayApiFake): Promise<Sample> {
  const pod = await runPod(podFor(variant, xray.endpoint), { hostPaths: { '/app': APPS_DIR }, appEnv: POD_CREDENTIALS, region: REGION });
  try {
    const port = await appPort(pod);
    await sleep(IDLE_SETTLE_MS);
    const pids = pidsOf(pod);
    const names = pod.collector ? ['app', 'collector'] : ['app'];
    const idle = pids.map(rssMiB);
    const spansBefore = xray.spanCount;
    const cpuBefore = pids.map(cpuMicros);
    // In a worker thread: this process's event loop stays free for the X-Ray stand-in, which must not slow the export.
    const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, amount: REQUESTS, overallRate: RATE, workers: 1 });
    if (variant.spec) await flushed(xray);
    const cpu = pids.map((pid, i) => (cpuMicros(pid) - cpuBefore[i]!) / result.requests.total);
    const rss = pids.map(rssMiB);
    return {
      rssMiBIdle: sum(idle),
      rssMiBIdleByProcess: Object.fromEntries(names.map((name, i) => [name, round(idle[i]!, 1)])),
      rssMiBAfterLoad: sum(rss),
      rssMiBAfterLoadByProcess: Object.fromEntries(names.map((name, i) => [name, round(rss[i]!, 1)])),
      cpuMicrosPerRequest: sum(cpu),
      cpuMicrosPerRequestByProcess: Object.fromEntries(names.map((name, i) => [name, round(cpu[i]!, 1)])),
      requestsPerSecond: result.requests.average,
      spansExported: xray.spanCount - spansBefore,
    };
  } finally {
    await pod.stop();
  }
}

interface VariantResult {
  rssMiBIdle: number;
  rssMiBIdleByProcess: Record<string, number>;
  rssMiBAfterLoad: number;
  rssMiBAfterLoadByProcess: Record<string, number>;
  cpuMicrosPerRequest: number;
  cpuMicrosPerRequestByProcess: Record<string, number>;
  requestsPerSecond: number;
  spansExported: number;
  rounds: Sample[];
}

function summarise(samples: Sample[]): VariantResult {
  const med = (pick: (s: Sample) => number, digits = 1): number => round(median(samples.map(pick)), digits);
  const byProcess = (pick: (s: Sample) => Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.keys(pick(samples[0]!)).map((name) => [name, med((s) => pick(s)[name]!)]));
  return {
    rssMiBIdle: med((s) => s.rssMiBIdle),
    rssMiBIdleByProcess: byProcess((s) => s.rssMiBIdleByProcess),
    rssMiBAfterLoad: med((s) => s.rssMiBAfterLoad),
    rssMiBAfterLoadByProcess: byProcess((s) => s.rssMiBAfterLoadByProcess),
    cpuMicrosPerRequest: med((s) => s.cpuMicrosPerRequest),
    cpuMicrosPerRequestByProcess: byProcess((s) => s.cpuMicrosPerRequestByProcess),
    requestsPerSecond: med((s) => s.requestsPerSecond, 0),
    spansExported: med((s) => s.spansExported, 0),
    rounds: samples,
  };
}

const SIGNING_CHUNK_PATH = join(repoRoot, 'instrumentation-image', 'build', 'autoinstrumentation', SIGNING_CHUNK);
const LOADER = join(repoRoot, 'instrumentation-image', 'build', 'autoinstrumentation', InstrumentationImagePaths.loaderFile);
const STARTS = 9;
/** Nothing listens there: start-up must not wait for the network. */
const DEAD_ENDPOINT = 'http://127.0.0.1:9';
const START_ENV: Record<'sidecar' | 'no-collector', NodeJS.ProcessEnv> = {
  sidecar: { [Env.tracesSampler]: 'xray', [Env.tracesSamplerArg]: `endpoint=${DEAD_ENDPOINT},polling_interval=60`, [Env.otlpEndpoint]: DEAD_ENDPOINT },
  'no-collector': {
    [Env.tracesSampler]: 'xray', [Env.tracesSamplerArg]: 'polling_interval=60',
    [Env.exportMode]: DIRECT_EXPORT, [Env.xrayEndpoint]: DEAD_ENDPOINT, AWS_REGION: REGION, ...POD_CREDENTIALS,
  },
};

/** Spawn → the app's first line, with the preload (which starts synchronously, before the app's code runs). */
async function startupMs(env: NodeJS.ProcessEnv): Promise<number> {
  const began = process.hrtime.bigint();
  const child = spawn(process.execPath, ['-e', 'console.log("ready"); setInterval(() => {}, 1000)'], {
    env: { PATH: process.env.PATH, [Env.serviceName]: 'footprint', [Env.nodeOptions]: `--require ${LOADER}`, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout, 'data');
  const elapsed = Number(process.hrtime.bigint() - began) / 1e6;
  child.kill('SIGKILL');
  await once(child, 'exit');
  return elapsed;
}

/** Start-up of the preload in each traced mode, interleaved so load from other processes hits them alike. */
async function startups(): Promise<Record<'sidecar' | 'no-collector', number[]>> {
  const samples = { sidecar: [] as number[], 'no-collector': [] as number[] };
  for (let i = 0; i < STARTS; i++) {
    for (const mode of ['sidecar', 'no-collector'] as const) samples[mode].push(await startupMs(START_ENV[mode]));
  }
  return samples;
}

async function main(): Promise<void> {
  const starts = await startups();
  // Every span sampled: the export path works hardest, and both traced pods export the same spans.
  const sampling = await startXRayProxyFake([{ RuleName: 'Default', Priority: 10000, FixedRate: 1, ReservoirSize: 0 }]);
  const xray = await startXRayApiFake(sampling.endpoint, { keep: false });
  const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v.name, []]));
  try {
    // Rounds interleaved across variants, so load from other processes on the machine hits them alike.
    for (let i = 0; i < ROUNDS; i++) {
      for (const variant of VARIANTS) {
        const sample = await measure(variant, xray);
        samples.get(variant.name)!.push(sample);
        console.log(`round ${i + 1} ${variant.name}: ${JSON.stringify(sample)}`);
      }
    }
  } finally {
    await xray.close();
    await sampling.close();
  }
  const results = Object.fromEntries(VARIANTS.map((v) => [v.name, summarise(samples.get(v.name)!)])) as Record<Variant['name'], VariantResult>;
  const { 'app-only': baseline, sidecar, 'no-collector': direct } = results;
  const ratios = {
    noCollectorVsSidecarRssIdle: round(direct.rssMiBIdle / sidecar.rssMiBIdle, 2),
    noCollectorVsSidecarRssAfterLoad: round(direct.rssMiBAfterLoad / sidecar.rssMiBAfterLoad, 2),
    noCollectorVsSidecarCpuPerRequest: round(direct.cpuMicrosPerRequest / sidecar.cpuMicrosPerRequest, 2),
    // What tracing adds over the uninstrumented app, in each mode.
    tracingRssOverheadNoCollectorVsSidecarAfterLoad: round((direct.rssMiBAfterLoad - baseline.rssMiBAfterLoad) / (sidecar.rssMiBAfterLoad - baseline.rssMiBAfterLoad), 2),
  };
  const targets = {
    noCollectorAtMostHalfTheSidecarPodsMemoryAfterLoad: ratios.noCollectorVsSidecarRssAfterLoad <= 0.5,
    noCollectorAtMostHalfTheSidecarPodsMemoryIdle: ratios.noCollectorVsSidecarRssIdle <= 0.5,
    equalWork: sidecar.spansExported === direct.spansExported,
  };
  console.table(Object.fromEntries(VARIANTS.map((v) => [v.name, {
    'RSS MiB idle': results[v.name].rssMiBIdle,
    'RSS MiB after 20k req': results[v.name].rssMiBAfterLoad,
    'CPU µs/req': results[v.name].cpuMicrosPerRequest,
    'req/s': results[v.name].requestsPerSecond,
    'spans exported': results[v.name].spansExported,
  }])));
  console.log(`Start-up with the preload (median of ${STARTS}): sidecar pod's app ${round(median(starts.sidecar), 1)} ms, no collector (signing chunk loaded) ${round(median(starts['no-collector']), 1)} ms; signing chunk ${statSync(SIGNING_CHUNK_PATH).size} bytes`);
  console.table(ratios);
  console.table(targets);
  const report = {
    node: process.versions.node,
    spansExportedTo: 'local stand-in for X-Ray (OTLP /v1/traces and the sampling API), Default rule FixedRate 1',
    settings: { rounds: ROUNDS, requests: REQUESTS, requestsPerSecond: RATE, connections: CONNECTIONS, idleSettleMs: IDLE_SETTLE_MS },
    preloadStartupMsMedian: { sidecar: round(median(starts.sidecar), 1), noCollector: round(median(starts['no-collector']), 1) },
    preloadStartupMsSamples: { sidecar: starts.sidecar.map((ms) => round(ms, 1)), noCollector: starts['no-collector'].map((ms) => round(ms, 1)) },
    signingChunkBytes: statSync(SIGNING_CHUNK_PATH).size,
    results,
    ratios,
    targets,
  };
  mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench', 'results', 'footprint.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('Wrote bench/results/footprint.json');
}

await main();
