// npm run bench:preload — what the Node.js preload costs two apps (a hello-world HTTP server, and an Express 5 service
// with JSON middleware, a middleware of its own and an outgoing call per request), against no preload, against the
// upstream `--require @opentelemetry/auto-instrumentations-node/register` (unbundled, same OpenTelemetry line), against
// our preload with nothing sampled (ours-sampling-off), and against the floor: bench/propagation-floor.cjs, a preload
// that only extracts, carries and injects the trace context (no OpenTelemetry, no spans). Spans go over OTLP
// http/protobuf to a local sink. Writes bench/results/preload.json.
// PRELOAD_BEFORE=<another build's autoinstrumentation.js> adds that build as `xray-operator-before` (e.g. main's, built
// from a checkout of it), to show a change's before and after in one run.
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Env, InstrumentationImagePaths } from '../core/src/constants.js';
import { median, round } from './stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE = join(ROOT, 'instrumentation-image');
const BUILD_DIR = join(IMAGE, 'build', 'autoinstrumentation');
const LOADER = join(BUILD_DIR, InstrumentationImagePaths.loaderFile);
const APPS = {
  hello: { file: join(IMAGE, 'test', 'apps', 'hello-app.cjs'), path: '/' },
  'express-service': { file: join(IMAGE, 'test', 'apps', 'express-service.cjs'), path: '/api/items/42' },
} as const;
type AppName = keyof typeof APPS;
const imageRequire = createRequire(join(IMAGE, 'package.json'));
const UPSTREAM_REGISTER = imageRequire.resolve('@opentelemetry/auto-instrumentations-node/register');
const PROPAGATION_FLOOR = join(ROOT, 'bench', 'propagation-floor.cjs');

const STARTS = 9;
const LOAD_ROUNDS = 3;
/** Warm-up by request count, not time: RSS after warm-up is then compared at equal work across variants. */
const WARMUP_REQUESTS = 20_000;
const LOAD_SECONDS = 4;
const CONNECTIONS = 10;

interface Variant {
  readonly name: string;
  readonly nodeOptions: string | undefined;
}
const BEFORE_LOADER = process.env.PRELOAD_BEFORE;
const VARIANTS: Variant[] = [
  { name: 'none', nodeOptions: undefined },
  { name: 'xray-operator', nodeOptions: `--require ${LOADER}` },
  ...(BEFORE_LOADER ? [{ name: 'xray-operator-before', nodeOptions: `--require ${BEFORE_LOADER}` }] : []),
  { name: 'upstream-register', nodeOptions: `--require ${UPSTREAM_REGISTER}` },
  // Our preload sampling nothing, whatever the sampling setting.
  { name: 'ours-sampling-off', nodeOptions: `--require ${LOADER}` },
  // What propagating context alone costs (the sampling setting means nothing to it).
  { name: 'propagation-floor', nodeOptions: `--require ${PROPAGATION_FLOOR}` },
];

async function startSink(): Promise<{ server: Server; endpoint: string; requests: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => count };
}

/**
 * `all`: every request sampled and exported. `default`: what pods get by default — ours the X-Ray sampler, whose
 * built-in fallback is 1 request/s + 5 % (the proxy is unreachable here, as before the first rules poll); upstream
 * cannot use that sampler, so it gets the nearest standard one (parentbased_traceidratio 0.05).
 */
type Sampling = 'all' | 'default';

function samplerEnv(variant: Variant, sampling: Sampling): NodeJS.ProcessEnv {
  if (variant.name === 'ours-sampling-off') return { [Env.tracesSampler]: 'parentbased_always_off' };
  if (sampling === 'all') return { [Env.tracesSampler]: 'parentbased_always_on' };
  if (variant.name.startsWith('xray-operator')) return { [Env.tracesSampler]: 'xray', [Env.tracesSamplerArg]: 'endpoint=http://127.0.0.1:9,polling_interval=60' };
  return { [Env.tracesSampler]: 'parentbased_traceidratio', [Env.tracesSamplerArg]: '0.05' };
}

function appEnv(variant: Variant, otlpEndpoint: string, sampling: Sampling): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DOWNSTREAM_URL: downstreamUrl,
    [Env.serviceName]: 'bench',
    [Env.resourceAttributes]: 'k8s.namespace.name=bench,cloud.platform=aws_eks',
    ...samplerEnv(variant, sampling),
    [Env.otlpEndpoint]: otlpEndpoint,
    [Env.otlpProtocol]: 'http/protobuf',
    [Env.metricsExporter]: 'none',
    [Env.logsExporter]: 'none',
    // Upstream's default `all` probes cloud metadata endpoints; use the local detectors the preload uses.
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,container',
    ...(variant.nodeOptions ? { [Env.nodeOptions]: variant.nodeOptions } : {}),
  };
}

/** The service the express app calls: not instrumented, keep-alive, a small JSON answer. */
let downstreamUrl = '';
async function startDownstream(): Promise<Server> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"items":[1,2,3]}'));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  downstreamUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return server;
}

function get(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    }).on('error', reject).end();
  });
}

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly startupMs: number;
}

/** Spawn → first HTTP response, in milliseconds. */
function startApp(variant: Variant, otlpEndpoint: string, sampling: Sampling = 'all', app: AppName = 'hello'): Promise<Started> {
  const began = process.hrtime.bigint();
  const child = spawn(process.execPath, [APPS[app].file], { env: appEnv(variant, otlpEndpoint, sampling), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant.name}: app did not start in 30 s`)), 30_000);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (!match) return;
      const port = Number(match[1]);
      get(port).then(() => {
        clearTimeout(timer);
        resolve({ child, port, startupMs: Number(process.hrtime.bigint() - began) / 1e6 });
      }, reject);
    });
  });
}

/** SIGTERM like the kubelet; true when the app exited by itself within 3 s (else it is killed). */
function stop(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal !== 'SIGKILL');
    });
    child.kill('SIGTERM');
  });
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kib / 1024;
}

/** User + system CPU time the process has used, in microseconds (clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

interface LoadResult {
  readonly requestsPerSecond: number;
  /**
   * The app's CPU time per request. Throughput here is capped by autocannon and by whatever else runs on the
   * machine; the CPU an app process spends per request is what the preload adds, and it barely moves with load.
   */
  readonly cpuMicrosPerRequest: number;
}

async function warmUp(port: number, app: AppName): Promise<void> {
  await autocannon({ url: `http://127.0.0.1:${port}${APPS[app].path}`, connections: CONNECTIONS, amount: WARMUP_REQUESTS });
}

async function load(pid: number, port: number, seconds: number, app: AppName): Promise<LoadResult> {
  const cpuBefore = cpuMicros(pid);
  const result = await autocannon({ url: `http://127.0.0.1:${port}${APPS[app].path}`, connections: CONNECTIONS, duration: seconds });
  return { requestsPerSecond: result.requests.average, cpuMicrosPerRequest: (cpuMicros(pid) - cpuBefore) / result.requests.total };
}

interface LoadFigures {
  rssMiBIdle: number;
  /** After WARMUP_REQUESTS requests, all sampled. */
  rssMiBAfterWarmup: number;
  requestsPerSecondAllSampled: number;
  requestsPerSecondDefaultSampling: number;
  cpuMicrosPerRequestAllSampled: number;
  cpuMicrosPerRequestDefaultSampling: number;
}

/** The hello app's figures at the top level (as before the realistic app existed), the realistic app's below. */
interface VariantResult extends LoadFigures {
  startupMsMedian: number;
  startupMsSamples: number[];
  expressService: LoadFigures;
  exitsOnSigterm: boolean;
}

/** Start-up samples, interleaved across variants so load from other processes hits them alike. */
async function measureStartups(otlpEndpoint: string): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  for (let i = 0; i < STARTS; i++) {
    for (const variant of VARIANTS) {
      const started = await startApp(variant, otlpEndpoint);
      samples.get(variant.name)!.push(started.startupMs);
      await stop(started.child);
    }
  }
  return samples;
}

interface LoadSample {
  readonly rssIdle: number;
  readonly rssAfterWarmup: number;
  readonly allSampled: LoadResult;
  readonly defaultSampling: LoadResult;
  readonly exitsOnSigterm: boolean;
}

async function loadOnce(variant: Variant, otlpEndpoint: string, app: AppName): Promise<LoadSample> {
  const started = await startApp(variant, otlpEndpoint, 'all', app);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const rssIdle = rssMiB(started.child.pid!);
  await warmUp(started.port, app);
  const rssAfterWarmup = rssMiB(started.child.pid!);
  const allSampled = await load(started.child.pid!, started.port, LOAD_SECONDS, app);
  const exitsOnSigterm = await stop(started.child);
  const defaultSampled = await startApp(variant, otlpEndpoint, 'default', app);
  await warmUp(defaultSampled.port, app);
  const defaultSampling = await load(defaultSampled.child.pid!, defaultSampled.port, LOAD_SECONDS, app);
  await stop(defaultSampled.child);
  return { rssIdle, rssAfterWarmup, allSampled, defaultSampling, exitsOnSigterm };
}

/** Load rounds, interleaved across variants like the start-ups; medians per variant. */
async function measureLoad(otlpEndpoint: string, app: AppName): Promise<Map<string, LoadSample[]>> {
  const samples = new Map<string, LoadSample[]>(VARIANTS.map((v) => [v.name, []]));
  for (let round = 0; round < LOAD_ROUNDS; round++) {
    for (const variant of VARIANTS) samples.get(variant.name)!.push(await loadOnce(variant, otlpEndpoint, app));
  }
  return samples;
}

function loadFigures(runs: readonly LoadSample[]): LoadFigures {
  const med = (pick: (sample: LoadSample) => number): number => median(runs.map(pick));
  return {
    rssMiBIdle: round(med((r) => r.rssIdle), 1),
    rssMiBAfterWarmup: round(med((r) => r.rssAfterWarmup), 1),
    requestsPerSecondAllSampled: round(med((r) => r.allSampled.requestsPerSecond), 0),
    requestsPerSecondDefaultSampling: round(med((r) => r.defaultSampling.requestsPerSecond), 0),
    cpuMicrosPerRequestAllSampled: round(med((r) => r.allSampled.cpuMicrosPerRequest), 1),
    cpuMicrosPerRequestDefaultSampling: round(med((r) => r.defaultSampling.cpuMicrosPerRequest), 1),
  };
}

/** What the preload adds to the app, as a share of what upstream adds (and of what the propagation floor adds). */
function addedCostRatios(figures: Record<string, LoadFigures>) {
  const none = figures.none!;
  const added = (variant: string, pick: (f: LoadFigures) => number): number => pick(figures[variant]!) - pick(none);
  const ratio = (a: number, b: number): number => round(a / b, 2);
  const defaultCpu = (f: LoadFigures) => f.cpuMicrosPerRequestDefaultSampling;
  const allCpu = (f: LoadFigures) => f.cpuMicrosPerRequestAllSampled;
  const rss = (f: LoadFigures) => f.rssMiBAfterWarmup;
  return {
    addedCpuMicrosPerRequest: {
      defaultSampling: {
        ours: round(added('xray-operator', defaultCpu), 1),
        upstream: round(added('upstream-register', defaultCpu), 1),
        oursSamplingOff: round(added('ours-sampling-off', defaultCpu), 1),
        propagationFloor: round(added('propagation-floor', defaultCpu), 1),
      },
      allSampled: { ours: round(added('xray-operator', allCpu), 1), upstream: round(added('upstream-register', allCpu), 1) },
    },
    addedRssMiBAfterWarmup: {
      ours: round(added('xray-operator', rss), 1),
      upstream: round(added('upstream-register', rss), 1),
      propagationFloor: round(added('propagation-floor', rss), 1),
    },
    addedCpuVsUpstreamDefaultSampling: ratio(added('xray-operator', defaultCpu), added('upstream-register', defaultCpu)),
    addedCpuVsUpstreamAllSampled: ratio(added('xray-operator', allCpu), added('upstream-register', allCpu)),
    addedRssAfterWarmupVsUpstream: ratio(added('xray-operator', rss), added('upstream-register', rss)),
    addedCpuDefaultSamplingVsPropagationFloor: ratio(added('xray-operator', defaultCpu), added('propagation-floor', defaultCpu)),
    addedCpuSamplingOffVsPropagationFloor: ratio(added('ours-sampling-off', defaultCpu), added('propagation-floor', defaultCpu)),
    ...(figures['xray-operator-before'] ? {
      before: {
        addedCpuMicrosPerRequest: { defaultSampling: round(added('xray-operator-before', defaultCpu), 1), allSampled: round(added('xray-operator-before', allCpu), 1) },
        addedRssMiBAfterWarmup: round(added('xray-operator-before', rss), 1),
        addedCpuVsUpstreamDefaultSampling: ratio(added('xray-operator-before', defaultCpu), added('upstream-register', defaultCpu)),
        addedCpuVsUpstreamAllSampled: ratio(added('xray-operator-before', allCpu), added('upstream-register', allCpu)),
        addedRssAfterWarmupVsUpstream: ratio(added('xray-operator-before', rss), added('upstream-register', rss)),
      },
    } : {}),
  };
}

function filesUnder(dir: string, skipNested: boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return skipNested && entry.name === 'node_modules' ? [] : filesUnder(join(dir, entry.name), skipNested);
    return [join(dir, entry.name)];
  });
}

/** The upstream register's installed closure: the package, its dependencies (npm resolution order) and the api. */
function upstreamInstall(): { bytes: number; files: number; packages: number } {
  const lock = JSON.parse(readFileSync(join(IMAGE, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }> };
  const seen = new Set<string>();
  const visit = (pkgPath: string): void => {
    if (seen.has(pkgPath) || !lock.packages[pkgPath]) return;
    seen.add(pkgPath);
    for (const dep of Object.keys(lock.packages[pkgPath]?.dependencies ?? {})) {
      let base = pkgPath;
      for (;;) {
        const candidate = `${base}/node_modules/${dep}`;
        if (lock.packages[candidate]) {
          visit(candidate);
          break;
        }
        const cut = base.lastIndexOf('/node_modules/');
        if (cut < 0) {
          visit(`node_modules/${dep}`);
          break;
        }
        base = base.slice(0, cut);
      }
    }
  };
  visit('node_modules/@opentelemetry/auto-instrumentations-node');
  visit('node_modules/@opentelemetry/api');
  const files = [...seen].flatMap((pkgPath) => filesUnder(join(IMAGE, pkgPath), true));
  return { bytes: files.reduce((sum, f) => sum + statSync(f).size, 0), files: files.length, packages: seen.size };
}

function ours(): { bytes: number; files: number } {
  const files = filesUnder(BUILD_DIR, false);
  return { bytes: files.reduce((sum, f) => sum + statSync(f).size, 0), files: files.length };
}

async function main(): Promise<void> {
  if (!existsSync(LOADER)) throw new Error('The preload build is missing: run `npm run build:instrumentation` first');
  const sink = await startSink();
  const downstream = await startDownstream();
  const startups = await measureStartups(sink.endpoint);
  const loads = await measureLoad(sink.endpoint, 'hello');
  const serviceLoads = await measureLoad(sink.endpoint, 'express-service');
  const results: Record<string, VariantResult> = {};
  for (const variant of VARIANTS) {
    const samples = startups.get(variant.name)!;
    const runs = loads.get(variant.name)!;
    results[variant.name] = {
      startupMsMedian: round(median(samples), 1),
      startupMsSamples: samples.map((s) => round(s, 1)),
      expressService: loadFigures(serviceLoads.get(variant.name)!),
      ...loadFigures(runs),
      exitsOnSigterm: runs.every((r) => r.exitsOnSigterm),
    };
    console.log(`${variant.name}: ${JSON.stringify(results[variant.name])}`);
  }
  sink.server.close();
  downstream.close();
  const addedCost = {
    hello: addedCostRatios(Object.fromEntries(VARIANTS.map((v) => [v.name, results[v.name]!]))),
    'express-service': addedCostRatios(Object.fromEntries(VARIANTS.map((v) => [v.name, results[v.name]!.expressService]))),
  };
  const none = results.none!;
  const mine = results['xray-operator']!;
  const upstream = results['upstream-register']!;
  const payload = { ours: ours(), upstream: upstreamInstall() };
  const ratios = {
    startupOverheadVsUpstream: round((mine.startupMsMedian - none.startupMsMedian) / (upstream.startupMsMedian - none.startupMsMedian), 2),
    idleRssOverheadVsUpstream: round((mine.rssMiBIdle - none.rssMiBIdle) / (upstream.rssMiBIdle - none.rssMiBIdle), 2),
    rssOverheadVsUpstream: round((mine.rssMiBAfterWarmup - none.rssMiBAfterWarmup) / (upstream.rssMiBAfterWarmup - none.rssMiBAfterWarmup), 2),
    throughputVsNoPreloadAllSampled: round(mine.requestsPerSecondAllSampled / none.requestsPerSecondAllSampled, 2),
    upstreamThroughputVsNoPreloadAllSampled: round(upstream.requestsPerSecondAllSampled / none.requestsPerSecondAllSampled, 2),
    throughputVsNoPreloadDefaultSampling: round(mine.requestsPerSecondDefaultSampling / none.requestsPerSecondAllSampled, 2),
    upstreamThroughputVsNoPreloadDefaultSampling: round(upstream.requestsPerSecondDefaultSampling / none.requestsPerSecondAllSampled, 2),
    // No-preload CPU per request ÷ the variant's: the throughput ratio a CPU-bound app would see.
    cpuThroughputVsNoPreloadAllSampled: round(none.cpuMicrosPerRequestAllSampled / mine.cpuMicrosPerRequestAllSampled, 2),
    upstreamCpuThroughputVsNoPreloadAllSampled: round(none.cpuMicrosPerRequestAllSampled / upstream.cpuMicrosPerRequestAllSampled, 2),
    cpuThroughputVsNoPreloadDefaultSampling: round(none.cpuMicrosPerRequestAllSampled / mine.cpuMicrosPerRequestDefaultSampling, 2),
    upstreamCpuThroughputVsNoPreloadDefaultSampling: round(none.cpuMicrosPerRequestAllSampled / upstream.cpuMicrosPerRequestDefaultSampling, 2),
    payloadBytesVsUpstream: round(payload.ours.bytes / payload.upstream.bytes, 3),
  };
  const service = addedCost['express-service'];
  const targets = {
    // Issue 14, on the realistic app: what we add per request at X-Ray's default sampling, all sampled, and in RSS.
    addedCpuDefaultSamplingAtMostHalfOfUpstream: service.addedCpuVsUpstreamDefaultSampling <= 0.5,
    addedCpuAllSampledAtMost60PercentOfUpstream: service.addedCpuVsUpstreamAllSampled <= 0.6,
    addedRssAfterWarmupAtMost40PercentOfUpstream: service.addedRssAfterWarmupVsUpstream <= 0.4,
    startupOverheadAtMostHalfOfUpstream: ratios.startupOverheadVsUpstream <= 0.5,
    rssOverheadAfterWarmupAtMost60PercentOfUpstream: ratios.rssOverheadVsUpstream <= 0.6,
    idleRssOverheadAtMost60PercentOfUpstream: ratios.idleRssOverheadVsUpstream <= 0.6,
    throughputWithin10PercentOfNoPreloadDefaultSampling: ratios.throughputVsNoPreloadDefaultSampling >= 0.9,
    throughputWithin10PercentOfNoPreloadAllSampled: ratios.throughputVsNoPreloadAllSampled >= 0.9,
    payloadAtMost8MBIn10Files: payload.ours.bytes <= 8 * 1024 * 1024 && payload.ours.files <= 10,
  };
  const report = {
    node: process.versions.node,
    spansExportedTo: 'local OTLP/HTTP sink (http/protobuf)',
    settings: { starts: STARTS, loadRounds: LOAD_ROUNDS, warmupRequests: WARMUP_REQUESTS, loadSeconds: LOAD_SECONDS, connections: CONNECTIONS },
    results,
    payload,
    ratios,
    addedCost,
    targets,
    sinkRequests: sink.requests(),
  };
  console.table(Object.fromEntries(VARIANTS.map((v) => [v.name, {
    'startup ms (median)': results[v.name]!.startupMsMedian,
    'RSS MiB idle': results[v.name]!.rssMiBIdle,
    'RSS MiB after warm-up': results[v.name]!.rssMiBAfterWarmup,
    'req/s all sampled': results[v.name]!.requestsPerSecondAllSampled,
    'req/s default sampling': results[v.name]!.requestsPerSecondDefaultSampling,
    'CPU µs/req all sampled': results[v.name]!.cpuMicrosPerRequestAllSampled,
    'CPU µs/req default sampling': results[v.name]!.cpuMicrosPerRequestDefaultSampling,
    'exits on SIGTERM': results[v.name]!.exitsOnSigterm,
  }])));
  console.table({
    'xray-operator': { 'MiB': round(payload.ours.bytes / 1024 / 1024, 2), files: payload.ours.files },
    'upstream node_modules': { 'MiB': round(payload.upstream.bytes / 1024 / 1024, 2), files: payload.upstream.files },
  });
  console.table(Object.fromEntries(VARIANTS.map((v) => [v.name, results[v.name]!.expressService])));
  console.table(ratios);
  for (const [app, cost] of Object.entries(addedCost)) {
    console.log(`${app}: added CPU µs/request ${JSON.stringify(cost.addedCpuMicrosPerRequest)}`);
    console.table({ [app]: { ...cost, addedCpuMicrosPerRequest: undefined } });
  }
  console.table(targets);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'preload.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('Wrote bench/results/preload.json');
}

await main();
