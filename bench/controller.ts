// Controller scale benchmark on the real e2e control plane (etcd, kube-apiserver, kube-controller-manager) with the
// real operator process: N namespaces, each with an XRayTracing and annotated Deployments. Measures how long the
// API server takes to accept the objects (the baseline), how long after that until every XRayTracing is Ready for
// its generation and every pod is stored injected, reconciles/s, and the operator's RSS. One fresh control plane
// per sampling mode. A series (--namespaces 500,1000,2000) grows one cluster point by point and fits the RSS per
// namespace; the pods-only mode (--pods 2000,5000,10000 --pod-namespaces 10) fills a few traced namespaces with bare
// annotated pods and fits the RSS per pod. Writes bench/results/controller.json (or --out) and prints a table.
// Usage: npm run bench:controller [-- --namespaces 500 --modes centralized,local --launchers bundle,modules --cpu-prof --heap-snapshot]
// Before/after in one run: build the other revision, copy its dist/xray-operator.mjs (and dist/xray-operator-chunks/,
// if it has them) into a directory under dist/ (the bundle resolves `require` from where it sits), and add it as a
// launcher: --baseline-bundle dist/baseline/xray-operator.mjs --launchers baseline,bundle,baseline,bundle
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OPERATOR_CLI, OPERATOR_CLI_UNBUNDLED } from '../e2e/harness/operator.js';
import { repoRoot } from '../e2e/harness/paths.js';
import type { SamplingMode } from './controller/objects.js';
import { operatorImageEnv, operatorImageNodeFlags } from './controller/image-flags.js';
import { runControllerBenchmark, type RunResult } from './controller/run.js';
import { round } from './stats.js';

const TARGET = { readyAfterCreationSeconds: 30, peakRssMiB: 120 };

const { values } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '500' },
    pods: { type: 'string', default: '' },
    'pod-namespaces': { type: 'string', default: '10' },
    out: { type: 'string', default: 'bench/results/controller.json' },
    deployments: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '20' },
    'timeout-seconds': { type: 'string', default: '600' },
    'rule-limit': { type: 'string', default: '2000' },
    modes: { type: 'string', default: 'centralized,local' },
    'cpu-prof': { type: 'boolean', default: false },
    'heap-snapshot': { type: 'boolean', default: false },
    'wait-pods': { type: 'string', default: 'true' },
    'operator-node-args': { type: 'string', default: '' },
    'operator-env': { type: 'string', default: '' },
    'node-flags': { type: 'string', default: 'image' },
    launchers: { type: 'string', default: 'bundle' },
    'baseline-bundle': { type: 'string', default: '' },
  },
});

/** A comma-separated ascending list of positive counts, e.g. `500,1000,2000`. */
function countsOf(flag: string, text: string): number[] {
  const counts = text.split(',').filter(Boolean).map(Number);
  if (counts.length === 0 || counts.some((n, i) => !Number.isInteger(n) || n < 1 || (i > 0 && n <= counts[i - 1]!))) {
    throw new Error(`--${flag} must be ascending positive counts separated by commas, got "${text}"`);
  }
  return counts;
}
const podPoints = values.pods ? countsOf('pods', values.pods) : undefined;
const namespacePoints = podPoints ? countsOf('pod-namespaces', values['pod-namespaces'] ?? '') : countsOf('namespaces', values.namespaces ?? '');
const workloadLabel = podPoints
  ? `${podPoints.join(' / ')} bare annotated pods in ${namespacePoints[0]} namespaces`
  : `${namespacePoints.join(' / ')} namespaces × (1 XRayTracing + ${values.deployments} Deployments)`;

const modes = (values.modes ?? '').split(',').filter((mode): mode is SamplingMode => mode === 'centralized' || mode === 'local');
if (modes.length === 0) throw new Error(`--modes must list centralized and/or local, got "${values.modes}"`);
const snapshotDir = values['heap-snapshot'] ? mkdtempSync(join(tmpdir(), 'xo-bench-controller-heap-')) : undefined;
const profileDir = values['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'xo-bench-controller-prof-')) : undefined;

// image: the Node.js flags of the operator image's ENTRYPOINT; none: plain `node` (what V8 does untuned).
const flagSets = (values['node-flags'] ?? '').split(',').filter((set): set is 'image' | 'none' => set === 'image' || set === 'none');
if (flagSets.length === 0) throw new Error(`--node-flags must list image and/or none, got "${values['node-flags']}"`);
// bundle: bin/xray-operator.js, which runs the esbuild bundle (as shipped); modules: the tsc output as it is, every
// import loaded from node_modules (what the operator was before the bundle: client-node's every API and model).
// baseline: another build's bundle (--baseline-bundle), to compare two revisions on one control plane setup and machine.
const LAUNCHERS = { bundle: OPERATOR_CLI, modules: OPERATOR_CLI_UNBUNDLED, baseline: values['baseline-bundle'] ? resolve(values['baseline-bundle']) : '' } as const;
type Launcher = keyof typeof LAUNCHERS;
const launchers = (values.launchers ?? '').split(',').filter((name): name is Launcher => name in LAUNCHERS && LAUNCHERS[name as Launcher] !== '');
if (launchers.length === 0) throw new Error(`--launchers must list bundle, modules and/or baseline (with --baseline-bundle), got "${values.launchers}"`);
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
    operator: 'node [flags] <launcher> run with the chart Deployment\'s flags, --log-level=info, leader election on; nodeFlags image = the Dockerfile ENTRYPOINT\'s Node.js flags, none = plain node; launcher bundle = bin/xray-operator.js (the esbuild bundle, as shipped), modules = dist/operator/src/cli/main.js (tsc output, every module from node_modules), baseline = the bundle given by --baseline-bundle',
    xray: 'fake X-Ray API on loopback (operator/src/test-support/fake-xray.ts), GetSamplingRules pages of 10',
    workload: workloadLabel,
    clientConcurrency: Number(values.concurrency),
    deploymentsPerNamespace: Number(values.deployments),
    notes: [
      'Baseline: creationSeconds is how long the API server takes to accept every object (with the operator watching); idleBreakdown.bareNode is a bare node process with the same flags and environment.',
      'A series grows one cluster (one operator process) point by point; each point\'s peakKernel is the high-water mark so far, end the RSS once reconciles have stopped; the slope is a least-squares fit over the points (KiB per namespace or per pod).',
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
  const out = resolve(repoRoot, values.out ?? '');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(resultOf(runs), null, 2)}\n`);
}

// --operator-env 'KEY=value KEY2=value': added to (or replacing) the image's ENV, to compare settings.
const extraEnv = Object.fromEntries((values['operator-env'] ?? '').split(' ').filter(Boolean).map((pair) => [pair.split('=')[0]!, pair.split('=').slice(1).join('=')]));
const runs: BenchRun[] = [];
const combinations = modes.flatMap((mode) => flagSets.flatMap((set) => launchers.map((launcher) => [mode, set, launcher] as const)));
for (const [mode, nodeFlags, launcher] of combinations) {
  process.stderr.write(`controller benchmark: ${workloadLabel}, sampling ${mode}, node flags ${nodeFlags}, launcher ${launcher}\n`);
  const run = await runControllerBenchmark({
    mode,
    namespacePoints,
    podPoints,
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
    operatorEnv: { ...(nodeFlags === 'image' ? operatorImageEnv() : {}), ...extraEnv },
    waitForPods: values['wait-pods'] !== 'false',
    heapSnapshotDir: snapshotDir ? join(snapshotDir, `${mode}-${nodeFlags}-${launcher}`) : undefined,
  });
  runs.push({ ...run, nodeFlags, launcher });
  writeResults(runs);
}

type Cell = number | string | null | boolean;
const show = (value: Cell) => (value === null ? '—' : String(value));
/** Peak and end RSS at every point of a series after the first (the first point is the rows above). */
function pointRows(): [string, (run: RunResult) => Cell][] {
  const points = (podPoints ?? namespacePoints).slice(1);
  const unit = podPoints ? 'pods' : 'namespaces';
  return points.flatMap((_, k) => [
    [`at ${points[k]} ${unit}: RSS peak / end, MiB`, (run: RunResult) => { const step = run.series[k + 1]; return step ? `${step.operatorRssMiB.peakKernel} / ${step.operatorRssMiB.end}` : null; }],
    [`at ${points[k]} ${unit}: creation, s`, (run: RunResult) => run.series[k + 1]?.creationSeconds ?? null],
  ] as [string, (run: RunResult) => Cell][]);
}
const rows: [string, (run: RunResult) => Cell][] = [
  ['creation (API server accepts all), s', (run) => run.creationSeconds],
  ['all Ready after creation, s', (run) => run.readyAfterCreationSeconds],
  ['all Ready from first create, s', (run) => run.readyFromFirstCreateSeconds],
  ['Ready / creation ratio', (run) => run.readyVsCreationRatio],
  ['XRayTracings Ready', (run) => run.readyReached],
  ['all pods injected from first create, s', (run) => run.podsInjectedFromFirstCreateSeconds],
  ['XRayTracing reconciles/s until Ready', (run) => run.tracingReconcilesPerSecondUntilReady],
  ['max XRayTracing queue depth', (run) => run.maxTracingQueueDepth],
  ['operator CPU until Ready / settled, s', (run) => `${run.operatorCpuSeconds.untilReady ?? '—'} / ${run.operatorCpuSeconds.untilSettled}`],
  ['bare node RSS (same flags), MiB', (run) => run.idleBreakdown.bareNode.rssMiB],
  ['operator RSS idle, MiB', (run) => run.operatorRssMiB.idle],
  ['  idle anonymous / file-backed, MiB', (run) => `${run.idleBreakdown.operator.anonymousMiB} / ${run.idleBreakdown.operator.fileMiB}`],
  ['  idle V8 heap used, MiB', (run) => run.idleBreakdown.operator.heapUsedMiB],
  ['operator RSS peak, MiB', (run) => run.operatorRssMiB.peakKernel],
  ['operator RSS end, MiB', (run) => run.operatorRssMiB.end],
  ...pointRows(),
  ['RSS end per namespace/pod, KiB', (run) => run.slope?.rssEnd?.kibPer ?? null],
  ['RSS peak per namespace/pod, KiB', (run) => run.slope?.rssPeak?.kibPer ?? null],
  ['X-Ray rules owned / expected', (run) => run.xrayRules.inFakeAccount / Math.max(1, run.xrayRules.expected)],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`\nController benchmark, ${workloadLabel}, ${cpus().length} CPUs, Node ${process.version}`);
console.log(`${''.padEnd(width)}  ${runs.map((run) => run.mode.padStart(12)).join('  ')}`);
console.log(`${'node flags'.padEnd(width)}  ${runs.map((run) => run.nodeFlags.padStart(12)).join('  ')}`);
console.log(`${'launcher'.padEnd(width)}  ${runs.map((run) => run.launcher.padStart(12)).join('  ')}`);
for (const [label, pick] of rows) console.log(`${label.padEnd(width)}  ${runs.map((run) => show(pick(run)).padStart(12)).join('  ')}`);
console.log(`target: Ready ≤ ${TARGET.readyAfterCreationSeconds} s after creation, peak RSS ≤ ${TARGET.peakRssMiB} MiB`);
if (profileDir) console.log(`operator CPU profiles: ${profileDir}`);
if (snapshotDir) console.log(`operator heap snapshots (after the last point): ${snapshotDir}`);
