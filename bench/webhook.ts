// npm run bench:webhook — throughput, server CPU per review and latency of the admission webhook (answer cache on,
// and off: every review computed) against a baseline fastify HTTPS server that only parses the AdmissionReview, all
// in the same run, server pinned to CPU 0 and load generator to CPU 1.
// Every server runs as the operator image runs the webhook: bundled by scripts/bundle-operator.mjs, with the Node.js
// flags and env of the image (Dockerfile; they favour memory: --optimize-for-size costs the uncached review 10–25 % CPU).
//   --source      run the servers' TypeScript through tsx instead (no bundle, no image flags)
//   --no-image-flags  the bundle without the image's Node.js flags and env
//   --profile     also write a V8 CPU profile of the webhook server to bench/results/profiles/
//   --round=S     seconds of each full-speed round (default 5; 4 rounds per server and shape, order ABBA)
//   --fixed=S     seconds of each round at 500 reviews/s, one every 2 ms (default 5; 3 rounds per server and shape)
//   --shapes=A,B  only these pod shapes (default all: small, multi-container, not-opted-in)
//   --latency-priority  run the 500/s phase with server and load generator at nice -10 (needs root), so builds of
//                 other users of a shared machine do not preempt them: closer to a pod with a dedicated CPU
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { createCertificateAuthority, createServingCertificate } from '../operator/src/certs/pki.js';
import { MUTATE_POD_PATH } from '../webhook/src/server.js';
import { fixtureText } from '../webhook/src/testing/fixtures.js';
import { httpsRequest } from '../webhook/src/testing/https-client.js';
import type { FixtureName } from '../webhook/src/testing/fixtures.js';
import { operatorImageEnv, operatorImageNodeFlags } from './controller/image-flags.js';
import { openLoopLoad } from './open-loop-load.js';
import type { OpenLoopResult } from './open-loop-load.js';
import { median, percentile, round } from './stats.js';

const args = process.argv.slice(2);
/** Seconds of each full-speed round and of each fixed-rate run. */
const ROUND_S = Number(args.find((a) => a.startsWith('--round='))?.split('=')[1] ?? 5);
const FIXED_RATE_S = Number(args.find((a) => a.startsWith('--fixed='))?.split('=')[1] ?? 5);
const PROFILE = args.includes('--profile');
const FROM_SOURCE = args.includes('--source');
const IMAGE_FLAGS = !FROM_SOURCE && !args.includes('--no-image-flags');
const ONLY_SHAPES = args.find((a) => a.startsWith('--shapes='))?.split('=')[1]?.split(',');
const LATENCY_PRIORITY = args.includes('--latency-priority');
const WARMUP_S = 3;
const CONNECTIONS = 8;
const ROUNDS = 4;
/** Latency at a fixed rate is what other load on a shared machine moves most: medians over these rounds. */
const FIXED_RATE_ROUNDS = 3;
const FIXED_RATE = 500;
/**
 * webhook (cached): throughput and p99 at 500/s; webhook-uncached (issue 14, goal 3): server CPU per review at most
 * 2.5× the baseline's for the shapes it injects, p99 at 500/s for every shape.
 */
const TARGETS = { throughputRatioMin: 0.6, p99MaxMsAtFixedRate: 5, uncachedCpuRatioMax: 2.5 };
const SHAPES: Record<string, { fixture: FixtureName; patched: boolean }> = {
  small: { fixture: 'small-pod', patched: true },
  'multi-container': { fixture: 'multi-container', patched: true },
  'not-opted-in': { fixture: 'not-opted-in', patched: false },
};
/** webhook: as deployed (identical pods answered from its cache, as in a scale-up); webhook-uncached: every pod distinct. */
/**
 * baseline-sized: the baseline sending the webhook's answer bytes (not computing them), to tell sending from computing.
 * computed: the baseline computing every answer as the uncached webhook does, without its metrics and log line;
 * computed-twice: computing it twice, to tell the work itself from bringing it back into the CPU's caches.
 */
type Mode = 'baseline' | 'baseline-sized' | 'computed' | 'computed-twice' | 'webhook' | 'webhook-uncached';
const MODES: readonly Mode[] = ['baseline', 'baseline-sized', 'computed', 'computed-twice', 'webhook', 'webhook-uncached'];
const noRounds = <T>(): Record<Mode, T[]> => ({ baseline: [], 'baseline-sized': [], computed: [], 'computed-twice': [], webhook: [], 'webhook-uncached': [] });

/** The machine is shared: how busy it was when the run started and ended goes into the results. */
const LOAD_AT_START = loadavg();
const taskset = spawnSync('taskset', ['--version']).status === 0 && availableParallelism() >= 2;

interface ServerStats {
  rssBytes: number;
  maxRssBytes: number;
  /** CPU time the server process has used so far (user + system). */
  cpuMicros: number;
  /** Garbage collections so far (young generation, full) and the time they stopped the main thread. */
  gc: { young: number; full: number; pauseMicros: number };
}

interface ServerProcess {
  child: ChildProcess;
  url: string;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

/** The server program: the bundle built into `dir`, or the TypeScript source. */
function serverProgram(dir: string): string[] {
  if (FROM_SOURCE) return ['--import', 'tsx', 'bench/webhook-server.ts'];
  const built = spawnSync(process.execPath, ['scripts/bundle-operator.mjs', '--entry=bench/webhook-server.ts', `--outdir=${dir}`], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('Bundling bench/webhook-server.ts failed');
  return [...(IMAGE_FLAGS ? operatorImageNodeFlags() : []), join(dir, 'webhook-server.mjs')];
}

async function startServer(mode: Mode, program: readonly string[], certFile: string, keyFile: string): Promise<ServerProcess> {
  const profile = PROFILE && mode !== 'baseline' ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles'] : [];
  const command = [process.execPath, ...profile, ...program, mode, certFile, keyFile];
  const [file, ...rest] = taskset ? ['taskset', '-c', '0', ...command] : command;
  const env = IMAGE_FLAGS ? { ...process.env, ...operatorImageEnv() } : process.env;
  const child = spawn(file!, rest, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`The ${mode} server exited with ${code} before listening`)));
  });
  const { url } = JSON.parse(firstLine) as { url: string };
  return {
    child,
    url,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as ServerStats));
        child.send('stats');
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

interface ModeResult {
  throughputRounds: LoadResult[];
  /** Median over the rounds of each round's median reviews/s. */
  reviewsPerSecond: number;
  /** Median over the rounds. */
  serverCpuMicrosPerReview: number;
  /** Median over the rounds of this mode's CPU per review ÷ the baseline's in the same round. */
  serverCpuRatioToBaseline: number;
  /** Medians over the rounds. */
  gcPauseMicrosPerReview: number;
  reviewsPerFullGc: number;
  fixedRateRounds: OpenLoopResult[];
  /** Medians over the fixed-rate rounds. */
  fixedRateLatencyMs: { p50: number; p99: number };
  rssMiB: number;
  maxRssMiB: number;
}

interface LoadResult {
  reviewsPerSecondMedian: number;
  reviewsPerSecondMean: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** CPU time the server spent per answered review: unlike reviews/s, barely moved by other load on the machine. */
  serverCpuMicrosPerReview: number;
  /** Time garbage collections stopped the server's main thread, per review. */
  gcPauseMicrosPerReview: number;
  youngGcs: number;
  /** Full (mark-compact) collections: each stops the server for milliseconds, so they decide the slowest answers. */
  fullGcs: number;
  responses: number;
  non2xx: number;
  errors: number;
  /** Share of one CPU the load generator used: near 1 means it, not the server, may be the limit. */
  loadGeneratorCpu: number;
}

async function load(server: ServerProcess, body: string, durationS: number): Promise<LoadResult> {
  const url = server.url;
  const latencies: number[] = [];
  const serverBefore = await server.stats();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}${MUTATE_POD_PATH}?timeout=10s`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: CONNECTIONS,
        duration: durationS,
      },
      (error, done) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done)),
    );
    // autocannon's own histogram has 1 ms resolution; keep the exact response times.
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === 200) latencies.push(responseTime);
    });
  });
  const wallUs = Number(process.hrtime.bigint() - started) / 1e3;
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = await server.stats();
  const reviews = Math.max(1, latencies.length);
  return {
    serverCpuMicrosPerReview: round((serverAfter.cpuMicros - serverBefore.cpuMicros) / reviews, 1),
    gcPauseMicrosPerReview: round((serverAfter.gc.pauseMicros - serverBefore.gc.pauseMicros) / reviews, 1),
    youngGcs: serverAfter.gc.young - serverBefore.gc.young,
    fullGcs: serverAfter.gc.full - serverBefore.gc.full,
    reviewsPerSecondMedian: result.requests.p50,
    reviewsPerSecondMean: round(result.requests.average, 1),
    latencyMs: { p50: round(median(latencies), 3), p99: round(percentile(latencies, 99), 3), max: round(latencies.reduce((a, b) => Math.max(a, b), 0), 3) },
    responses: latencies.length,
    non2xx: result.non2xx,
    errors: result.errors,
    loadGeneratorCpu: round((cpu.user + cpu.system) / wallUs, 2),
  };
}

/** One request, verifying the certificate, to make sure the server answers what the shape expects. */
async function checkAnswer(url: string, ca: string, body: string, expectPatch: boolean): Promise<void> {
  const response = await httpsRequest({ url: `${url}${MUTATE_POD_PATH}`, ca, body });
  const review = JSON.parse(response.body) as { response?: { allowed?: boolean; patch?: string } };
  if (response.status !== 200 || review.response?.allowed !== true || (review.response.patch !== undefined) !== expectPatch) {
    throw new Error(`Unexpected answer from ${url} (expected ${expectPatch ? 'a patch' : 'no patch'}): ${response.status} ${response.body.slice(0, 200)}`);
  }
}

async function withLatencyPriority<T>(server: ServerProcess, run: () => Promise<T>): Promise<T> {
  const pids = [process.pid, server.child.pid].filter((pid): pid is number => pid !== undefined);
  if (LATENCY_PRIORITY) for (const pid of pids) setPriority(pid, -10);
  try {
    return await run();
  } finally {
    if (LATENCY_PRIORITY) for (const pid of pids) setPriority(pid, 0);
  }
}

function pinLoadGenerator(): void {
  if (!taskset) return;
  spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
}

async function main(): Promise<void> {
  pinLoadGenerator();
  const dir = mkdtempSync(join(tmpdir(), 'xo-bench-webhook-'));
  try {
    const ca = await createCertificateAuthority({ commonName: 'bench-ca', validForDays: 1 });
    const serving = await createServingCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validForDays: 1 });
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    writeFileSync(certFile, serving.certPem);
    writeFileSync(keyFile, serving.keyPem);
    if (PROFILE) mkdirSync('bench/results/profiles', { recursive: true });

    const results: Record<string, Record<Mode, ModeResult>> = {};
    // Both servers run for the whole benchmark and are measured in alternating rounds, so a change in background
    // load (the machine is shared) hits both alike; figures are medians over the rounds.
    const servers = {} as Record<Mode, ServerProcess>;
    const program = serverProgram(dir);
    for (const mode of MODES) servers[mode] = await startServer(mode, program, certFile, keyFile);
    try {
      for (const [shape, { fixture, patched }] of Object.entries(SHAPES).filter(([name]) => !ONLY_SHAPES || ONLY_SHAPES.includes(name))) {
        const body = JSON.stringify(JSON.parse(fixtureText(fixture)));
        for (const mode of MODES) {
          await checkAnswer(servers[mode].url, ca.certPem, body, patched && mode !== 'baseline');
          await load(servers[mode], body, WARMUP_S);
        }
        console.error(
          `${shape}: ${ROUNDS} rounds of ${ROUND_S} s per server at full speed, then ${FIXED_RATE_ROUNDS} rounds of ${FIXED_RATE_S} s each at ${FIXED_RATE}/s`,
        );
        const rounds = noRounds<LoadResult>();
        for (let round = 0; round < ROUNDS; round++) {
          for (const mode of roundOrder(round)) rounds[mode].push(await load(servers[mode], body, ROUND_S));
        }
        const fixedRounds = noRounds<OpenLoopResult>();
        for (let round = 0; round < FIXED_RATE_ROUNDS; round++) {
          for (const mode of roundOrder(round)) {
            const url = `${servers[mode].url}${MUTATE_POD_PATH}?timeout=10s`;
            const run = () => openLoopLoad({ url, ca: ca.certPem, body, ratePerSecond: FIXED_RATE, durationS: FIXED_RATE_S });
            fixedRounds[mode].push(await withLatencyPriority(servers[mode], run));
          }
        }
        const entry = {} as Record<Mode, ModeResult>;
        for (const mode of MODES) {
          const memory = await servers[mode].stats();
          entry[mode] = {
            throughputRounds: rounds[mode],
            reviewsPerSecond: median(rounds[mode].map((r) => r.reviewsPerSecondMedian)),
            serverCpuMicrosPerReview: median(rounds[mode].map((r) => r.serverCpuMicrosPerReview)),
            serverCpuRatioToBaseline: round(
              median(rounds[mode].map((r, i) => r.serverCpuMicrosPerReview / (rounds.baseline[i]?.serverCpuMicrosPerReview ?? Number.NaN))),
              2,
            ),
            gcPauseMicrosPerReview: median(rounds[mode].map((r) => r.gcPauseMicrosPerReview)),
            reviewsPerFullGc: round(median(rounds[mode].map((r) => r.responses / Math.max(1, r.fullGcs))), 0),
            fixedRateRounds: fixedRounds[mode],
            fixedRateLatencyMs: {
              p50: median(fixedRounds[mode].map((r) => r.latencyMs.p50)),
              p99: median(fixedRounds[mode].map((r) => r.latencyMs.p99)),
            },
            rssMiB: round(memory.rssBytes / 2 ** 20, 1),
            maxRssMiB: round(memory.maxRssBytes / 2 ** 20, 1),
          };
        }
        results[shape] = entry;
      }
    } finally {
      await Promise.all(MODES.map((mode) => servers[mode].stop()));
    }
    report(results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The uncached review's CPU taken apart by the servers that differ in one step each. The computation is measured
 * twice: first as it runs in the webhook (after TLS, HTTP and parsing have had the CPU's caches), then repeated at once.
 */
function uncachedCostParts(r: Record<Mode, ModeResult>): Record<string, number> {
  const cpu = (mode: Mode): number => r[mode].serverCpuMicrosPerReview;
  return {
    'bare server': cpu('baseline'),
    'sending the patch': round(cpu('baseline-sized') - cpu('baseline'), 1),
    'computing it': round(cpu('computed') - cpu('baseline-sized'), 1),
    'computing it again, caches warm': round(cpu('computed-twice') - cpu('computed'), 1),
    'metrics, log line, fastify logger': round(cpu('webhook-uncached') - cpu('computed'), 1),
    'uncached webhook': cpu('webhook-uncached'),
    'GC, bare server': r.baseline.gcPauseMicrosPerReview,
    'GC, computed': r.computed.gcPauseMicrosPerReview,
    'GC, uncached webhook': r['webhook-uncached'].gcPauseMicrosPerReview,
    'reviews per full GC, uncached': r['webhook-uncached'].reviewsPerFullGc,
  };
}

/** The order rotates and reverses from round to round, cancelling order effects. */
function roundOrder(round: number): Mode[] {
  const rotated = [...MODES.slice(round % MODES.length), ...MODES.slice(0, round % MODES.length)];
  return round % 2 === 0 ? rotated : rotated.reverse();
}

function report(results: Record<string, Record<Mode, ModeResult>>): void {
  const ratio = (r: Record<Mode, ModeResult>, mode: Mode): number =>
    round(median(r[mode].throughputRounds.map((w, i) => w.reviewsPerSecondMedian / (r.baseline.throughputRounds[i]?.reviewsPerSecondMedian ?? Number.NaN))), 3);
  const rows = Object.entries(results).map(([shape, r]) => ({
    shape,
    'baseline rev/s': r.baseline.reviewsPerSecond,
    'webhook rev/s': r.webhook.reviewsPerSecond,
    ratio: ratio(r, 'webhook'),
    'uncached rev/s': r['webhook-uncached'].reviewsPerSecond,
    'uncached ratio': ratio(r, 'webhook-uncached'),
    'CPU µs/rev base|hook|uncached': `${r.baseline.serverCpuMicrosPerReview} | ${r.webhook.serverCpuMicrosPerReview} | ${r['webhook-uncached'].serverCpuMicrosPerReview}`,
    'CPU uncached÷base': r['webhook-uncached'].serverCpuRatioToBaseline,
    'CPU sized base µs (÷base)': `${r['baseline-sized'].serverCpuMicrosPerReview} (${r['baseline-sized'].serverCpuRatioToBaseline})`,
    'CPU computed µs (÷base)': `${r.computed.serverCpuMicrosPerReview} (${r.computed.serverCpuRatioToBaseline})`,
    [`p50 ms @${FIXED_RATE}/s`]: r.webhook.fixedRateLatencyMs.p50,
    [`p99 ms @${FIXED_RATE}/s`]: r.webhook.fixedRateLatencyMs.p99,
    'uncached p50|p99 ms': `${r['webhook-uncached'].fixedRateLatencyMs.p50} | ${r['webhook-uncached'].fixedRateLatencyMs.p99}`,
    'baseline p50|p99 ms': `${r.baseline.fixedRateLatencyMs.p50} | ${r.baseline.fixedRateLatencyMs.p99}`,
    'RSS MiB base|hook|uncached': `${r.baseline.rssMiB} | ${r.webhook.rssMiB} | ${r['webhook-uncached'].rssMiB}`,
  }));
  console.table(rows);
  const costParts = Object.fromEntries(Object.entries(results).map(([shape, r]) => [shape, uncachedCostParts(r)]));
  console.log('Where an uncached review\'s server CPU goes, µs (GC: time collections stopped the server, per review):');
  console.table(costParts);
  const meetsTargets = rows.every((row) => row.ratio >= TARGETS.throughputRatioMin && row[`p99 ms @${FIXED_RATE}/s`] <= TARGETS.p99MaxMsAtFixedRate);
  const uncached = Object.entries(results).map(([shape, r]) => ({
    shape,
    cpuRatio: r['webhook-uncached'].serverCpuRatioToBaseline,
    p99Ms: r['webhook-uncached'].fixedRateLatencyMs.p99,
    cpuRatioTarget: SHAPES[shape]?.patched === true,
  }));
  const uncachedMeetsTargets = uncached.every((u) => (!u.cpuRatioTarget || u.cpuRatio <= TARGETS.uncachedCpuRatioMax) && u.p99Ms <= TARGETS.p99MaxMsAtFixedRate);
  const errors = Object.values(results)
    .flatMap((r) => MODES.map((mode) => r[mode]))
    .flatMap((r) => [...r.throughputRounds, ...r.fixedRateRounds])
    .reduce((n, t) => n + t.non2xx + t.errors, 0);
  console.log(`Targets, cached (throughput ≥ ${TARGETS.throughputRatioMin * 100} % of baseline, p99 ≤ ${TARGETS.p99MaxMsAtFixedRate} ms at ${FIXED_RATE}/s): ${meetsTargets ? 'met' : 'MISSED'}`);
  console.log(
    `Targets, uncached (CPU per review ≤ ${TARGETS.uncachedCpuRatioMax}× baseline for injected shapes, p99 ≤ ${TARGETS.p99MaxMsAtFixedRate} ms at ${FIXED_RATE}/s for every shape): ` +
      `${uncachedMeetsTargets ? 'met' : 'MISSED'}; failed requests: ${errors}`,
  );
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    'bench/results/webhook.json',
    `${JSON.stringify(
      {
        benchmark: 'webhook',
        date: new Date().toISOString(),
        node: process.version,
        cpu: cpus()[0]?.model,
        pinning: taskset ? 'server on CPU 0, load generator on CPU 1 (taskset)' : 'none (taskset unavailable or a single CPU)',
        settings: {
          servers: FROM_SOURCE ? 'TypeScript source through tsx' : `bundle (scripts/bundle-operator.mjs)${IMAGE_FLAGS ? `, image flags ${operatorImageNodeFlags().join(' ')} and env ${JSON.stringify(operatorImageEnv())}` : ', no image flags'}`,
          latencyPriority: LATENCY_PRIORITY,
          roundSeconds: ROUND_S,
          fixedRateSeconds: FIXED_RATE_S,
          rounds: ROUNDS,
          fixedRateRounds: FIXED_RATE_ROUNDS,
          warmupSeconds: WARMUP_S,
          connections: CONNECTIONS,
          fixedRatePerSecond: FIXED_RATE,
          profile: PROFILE,
        },
        loadAverage: { start: LOAD_AT_START.map((l) => round(l, 2)), end: loadavg().map((l) => round(l, 2)) },
        ratioDefinition: 'median over rounds of webhook reviews/s ÷ baseline reviews/s measured back to back',
        cpuRatioDefinition: 'median over rounds of server CPU µs per review ÷ the baseline server\'s in the same round',
        latencyDefinition: `medians over ${FIXED_RATE_ROUNDS} rounds of each round's p50 and p99, requests sent every ${1000 / FIXED_RATE} ms whether or not earlier ones were answered (bench/open-loop-load.ts), from writing the request to the end of the answer`,
        modes: {
          baseline: 'fastify HTTPS, parses the AdmissionReview, answers allowed without a patch',
          'baseline-sized': 'the baseline answering with the patch the webhook gives the pod (computed once): the cost of sending the bytes',
          computed: 'the baseline computing each answer as the uncached webhook does (engine, diff, encoding) and sending it, without the webhook\'s metrics and log line',
          'computed-twice': 'computed, running the computation a second time right after the first and sending the second answer: the work with warm CPU caches',
          webhook: 'the admission webhook as deployed (InformerClusterView); the benchmark repeats one pod, so answers come from its cache (a scale-up)',
          'webhook-uncached': 'the webhook with its answer cache off: engine, diff and encoding on every review (all pods distinct)',
        },
        targets: TARGETS,
        meetsTargets,
        uncachedMeetsTargets,
        uncached,
        failedRequests: errors,
        summary: rows,
        uncachedCostParts: costParts,
        shapes: results,
      },
      null,
      2,
    )}\n`,
  );
  console.log('Wrote bench/results/webhook.json');
}

await main();
