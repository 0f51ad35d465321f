// Controller scale benchmark on the real e2e control plane (etcd, kube-apiserver, kube-controller-manager) with the
// real operator process: N namespaces, each with an XRayTracing and annotated Deployments. Measures how long the
// API server takes to accept the objects (the baseline), how long after that until every XRayTracing is Ready for
// its generation and every pod is stored injected, reconciles/s, and the operator's RSS. One fresh control plane
// per sampling mode. Writes bench/results/controller.json and prints a table.
// Usage: npm run bench:controller [-- --namespaces 500 --modes centralized,local --launchers bundle,modules --cpu-prof]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OPERATOR_CLI, OPERATOR_CLI_UNBUNDLED } from '../e2e/harness/operator.js';
import { repoRoot } from '../e2e/harness/paths.js';
import type { SamplingMode } from './controller/objects.js';
import { operatorImageNodeFlags } from './controller/image-flags.js';
import { runControllerBenchmark, type RunResult } from './controller/run.js';
import { round } from './stats.js';

const TARGET = { readyAfterCreationSeconds: 30, peakRssMiB: 120 };

const { values } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '500' },
    deployments: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '20' },
    'timeout-seconds': { type: 'string', default: '600' },
    'rule-limit': { type: 'string', default: '2000' },
    modes: { type: 'string', default: 'centralized,local' },
    'cpu-prof': { type: 'boolean', default: false },
    'wait-pods': { type: 'string', default: 'true' },
    'operator-node-args': { type: 'string', default: '' },
    'node-flags': { type: 'string', default: 'image' },
    launchers: { type: 'string', default: 'bundle' },
  },
});

const modes = (values.modes ?? '').split(',').filter((mode): mode is SamplingMode => mode === 'centralized' || mode === 'local');
if (modes.length === 0) throw new Error(`--modes must list centralized and/or local, got "${values.modes}"`);
const profileDir = values['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'xo-bench-controller-prof-')) : undefined;

// image: the Node.js flags of the operator image's ENTRYPOINT; none: plain `node` (what V8 does untuned).
const flagSets = (values['node-flags'] ?? '').split(',').filter((set): set is 'image' | 'none' => set === 'image' || set === 'none');
if (flagSets.length === 0) throw new Error(`--node-flags must list image and/or none, got "${values['node-flags']}"`);
// bundle: bin/xray-operator.js, which runs the esbuild bundle (as shipped); modules: the tsc output as it is, every
// import loaded from node_modules (what the operator was before the bundle: client-node's every API and model).
const LAUNCHERS = { bundle: OPERATOR_CLI, modules: OPERATOR_CLI_UNBUNDLED } as const;
type Launcher = keyof typeof LAUNCHERS;
const launchers = (values.launchers ?? '').split(',').filter((name): name is Launcher => name in LAUNCHERS);
if (launchers.length === 0) throw new Error(`--launchers must list bundle and/or modules, got "${values.launchers}"`);
type BenchRun = RunResult & { nodeFlags: 'image' | 'none'; launcher: Launcher };

const verdict = (run: RunResult): { readyWithinTarget: boolean; rssWithinTarget: boolean } => ({
  readyWithinTarget: run.readyAfterCreationSeconds !== null && run.readyAfterCreationSeconds <= TARGET.readyAfterCreationSeconds,
  rssWithinTarget: run.operatorRssMiB.peakKernel <= TARGET.peakRssMiB,
});

const resultOf = (runs: readonly BenchRun[]) => ({
  benchmark: 'controller',
  date: new Date().toISOString(),
  machine: { nproc: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: round(totalmem() / 1024 ** 3, 1), node: process.version, platform: process.platform },
  setup: {
    apiServer: 'kube-apiserver v1.34 + etcd + kube-controller-manager on loopback (no scheduler, no kubelet: pods stay Pending)',
    operator: 'node [flags] <launcher> run with the chart Deployment\'s flags, --log-level=info, leader election on; nodeFlags image = the Dockerfile ENTRYPOINT\'s Node.js flags, none = plain node; launcher bundle = bin/xray-operator.js (the esbuild bundle, as shipped), modules = dist/operator/src/cli/main.js (tsc output, every module from node_modules)',
    xray: 'fake X-Ray API on loopback (operator/src/test-support/fake-xray.ts), GetSamplingRules pages of 10',
    clientConcurrency: Number(values.concurrency),
    deploymentsPerNamespace: Number(values.deployments),
    notes: [
      'Baseline: creationSeconds is how long the API server takes to accept every object (with the operator watching).',
      'readyAfterCreationSeconds counts from the last create to the first 1 s poll that sees every XRayTracing Ready for its generation.',
      `The fake account holds up to ${values['rule-limit']} rules so every namespace fits; a real account holds far fewer, and past its quota the XRayTracings report RuleLimitExceeded instead.`,
    ],
  },
  target: TARGET,
  runs: runs.map((run) => ({ ...run, verdict: verdict(run) })),
  cpuProfiles: profileDir ?? null,
});

/** Written after every run, so a later run that fails keeps the figures of the ones before it. */
function writeResults(runs: readonly BenchRun[]): void {
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench/results/controller.json'), `${JSON.stringify(resultOf(runs), null, 2)}\n`);
}

const runs: BenchRun[] = [];
const combinations = modes.flatMap((mode) => flagSets.flatMap((set) => launchers.map((launcher) => [mode, set, launcher] as const)));
for (const [mode, nodeFlags, launcher] of combinations) {
  process.stderr.write(`controller benchmark: ${values.namespaces} namespaces, sampling ${mode}, node flags ${nodeFlags}, launcher ${launcher}\n`);
  const run = await runControllerBenchmark({
    mode,
    namespaces: Number(values.namespaces),
    deploymentsPerNamespace: Number(values.deployments),
    concurrency: Number(values.concurrency),
    timeoutMs: Number(values['timeout-seconds']) * 1000,
    ruleLimit: Number(values['rule-limit']),
    operatorNodeArgs: [
      ...(nodeFlags === 'image' ? operatorImageNodeFlags() : []),
      ...(values['operator-node-args'] ?? '').split(' ').filter(Boolean),
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, `${mode}-${nodeFlags}-${launcher}`)}`] : []),
    ],
    operatorCli: LAUNCHERS[launcher],
    waitForPods: values['wait-pods'] !== 'false',
  });
  runs.push({ ...run, nodeFlags, launcher });
  writeResults(runs);
}

const show = (value: number | null | boolean) => (value === null ? '—' : String(value));
const rows: [string, (run: RunResult) => number | null | boolean][] = [
  ['creation (API server accepts all), s', (run) => run.creationSeconds],
  ['all Ready after creation, s', (run) => run.readyAfterCreationSeconds],
  ['all Ready from first create, s', (run) => run.readyFromFirstCreateSeconds],
  ['Ready / creation ratio', (run) => run.readyVsCreationRatio],
  ['XRayTracings Ready', (run) => run.readyReached],
  ['all pods injected from first create, s', (run) => run.podsInjectedFromFirstCreateSeconds],
  ['XRayTracing reconciles/s until Ready', (run) => run.tracingReconcilesPerSecondUntilReady],
  ['max XRayTracing queue depth', (run) => run.maxTracingQueueDepth],
  ['operator RSS idle, MiB', (run) => run.operatorRssMiB.idle],
  ['operator RSS peak, MiB', (run) => run.operatorRssMiB.peakKernel],
  ['operator RSS end, MiB', (run) => run.operatorRssMiB.end],
  ['X-Ray rules owned / expected', (run) => run.xrayRules.inFakeAccount / Math.max(1, run.xrayRules.expected)],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`\nController benchmark, ${values.namespaces} namespaces × (1 XRayTracing + ${values.deployments} Deployments), ${cpus().length} CPUs, Node ${process.version}`);
console.log(`${''.padEnd(width)}  ${runs.map((run) => run.mode.padStart(12)).join('  ')}`);
console.log(`${'node flags'.padEnd(width)}  ${runs.map((run) => run.nodeFlags.padStart(12)).join('  ')}`);
console.log(`${'launcher'.padEnd(width)}  ${runs.map((run) => run.launcher.padStart(12)).join('  ')}`);
for (const [label, pick] of rows) console.log(`${label.padEnd(width)}  ${runs.map((run) => show(pick(run)).padStart(12)).join('  ')}`);
console.log(`target: Ready ≤ ${TARGET.readyAfterCreationSeconds} s after creation, peak RSS ≤ ${TARGET.peakRssMiB} MiB`);
if (profileDir) console.log(`operator CPU profiles: ${profileDir}`);
