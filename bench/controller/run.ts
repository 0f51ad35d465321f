// One benchmark run on a fresh control plane: install the operator (chart + process, as the e2e tests do), create
// N namespaces of objects with bounded concurrency, then poll until every XRayTracing is Ready for its generation
// and every pod is stored injected, sampling the operator's RSS and /metrics along the way.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { adminGet, startControlPlane, type ControlPlane } from '../../e2e/harness/control-plane.js';
import { installOperator } from '../../e2e/harness/install.js';
import { isInjectedPod, waitForWebhookToInject, type StoredXRayTracing } from '../../e2e/harness/workloads.js';
import { FakeXRay } from '../../operator/src/test-support/fake-xray.js';
import { linearFit, round } from '../stats.js';
import { createAnnotatedPod, createNamespaceObjects, createTracedBenchNamespace, expectedXRayRules, inPool, NAMESPACE_PREFIX, namespaceName, type SamplingMode } from './objects.js';
import { idleBreakdown, residentOf, type IdleBreakdown } from './idle.js';
import { isReadyForGeneration, listXRayTracings, memoryOf, metricBy, metricSum, parsePrometheusText, RssSampler, scrapeMetrics, type MetricSample } from './probes.js';

export interface RunOptions {
  mode: SamplingMode;
  /**
   * Namespaces at each measured point, ascending: the run grows one cluster point by point and measures at each.
   * In pods-only mode (`podPoints`), only the first counts: that many namespaces hold the pods.
   */
  namespacePoints: readonly number[];
  deploymentsPerNamespace: number;
  /** Pods-only mode: bare annotated pods (no workloads) at each measured point, spread over the namespaces. */
  podPoints?: readonly number[];
  concurrency: number;
  timeoutMs: number;
  /** Rules the fake X-Ray account may hold. */
  ruleLimit: number;
  /** Node.js flags for the operator process (e.g. --cpu-prof). */
  operatorNodeArgs?: string[];
  /** The script the operator process runs (default: the launcher, which runs the bundle). */
  operatorCli?: string;
  /** Writes a heap snapshot of the operator here once every point is measured (it raises the RSS: figures are read first). */
  heapSnapshotDir?: string;
  /** Environment of the operator process (the image's ENV). */
  operatorEnv?: Readonly<Record<string, string>>;
  /** Also wait until every pod is stored injected (bounded by kube-controller-manager's client QPS, not the operator). */
  waitForPods: boolean;
}

export interface ProgressPoint {
  /** Seconds since the first create. */
  t: number;
  ready: number;
  injectedPods: number;
  tracingQueueDepth: number;
}

const REGION = 'us-east-1';
const POLL_MS = 1_000;
const SETTLE_QUIET_MS = 3_000;
const SETTLE_MAX_MS = 60_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function countInjectedPods(kc: KubeConfig): Promise<{ total: number; injected: number }> {
  const pods = (await kc.makeApiClient(CoreV1Api).listPodForAllNamespaces({ labelSelector: 'app' })).items
    .filter((pod) => pod.metadata?.namespace?.startsWith(NAMESPACE_PREFIX) && !pod.metadata.deletionTimestamp);
  return { total: pods.length, injected: pods.filter(isInjectedPod).length };
}

/** How many XRayTracings are not Ready, by the Ready condition's reason (or why they do not count). */
function notReadyReasons(tracings: readonly StoredXRayTracing[]): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (const tracing of tracings.filter((t) => !isReadyForGeneration(t))) {
    const ready = tracing.status?.conditions?.find((condition) => condition.type === 'Ready');
    const reason = !ready ? 'NoReadyCondition' : ready.status === 'True' ? 'StaleGeneration' : `${ready.status}/${ready.reason ?? ''}`;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  return reasons;
}

const queueDepth = (metrics: readonly MetricSample[], controller: string) => metricSum(metrics, 'xray_operator_workqueue_depth', { controller });
const reconcileCount = (metrics: readonly MetricSample[]) => metricSum(metrics, 'xray_operator_reconciles_total');

/**
 * Waits (bounded) until no reconcile finished for SETTLE_QUIET_MS. (The queue depth gauge also counts keys parked
 * for the periodic resync, so it does not drop to 0 when the work is done.)
 */
async function settle(healthBaseUrl: string): Promise<{ settled: boolean; metrics: MetricSample[] }> {
  const deadline = Date.now() + SETTLE_MAX_MS;
  let metrics = await scrapeMetrics(healthBaseUrl);
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(500);
    const next = await scrapeMetrics(healthBaseUrl);
    if (reconcileCount(next) !== reconcileCount(metrics)) quietSince = Date.now();
    metrics = next;
    if (Date.now() - quietSince >= SETTLE_QUIET_MS) return { settled: true, metrics };
  }
  return { settled: false, metrics };
}

function controllerFigures(metrics: readonly MetricSample[]) {
  const durationSum = (controller: string) => metricSum(metrics, 'xray_operator_reconcile_duration_seconds_sum', { controller });
  const durationCount = (controller: string) => metricSum(metrics, 'xray_operator_reconcile_duration_seconds_count', { controller });
  const meanMs = (controller: string) => (durationCount(controller) ? round((durationSum(controller) / durationCount(controller)) * 1000, 1) : null);
  return {
    reconciles: {
      xraytracing: metricBy(metrics, 'xray_operator_reconciles_total', 'result', { controller: 'xraytracing' }),
      workload: metricBy(metrics, 'xray_operator_reconciles_total', 'result', { controller: 'workload' }),
    },
    reconcileMeanMs: { xraytracing: meanMs('xraytracing'), workload: meanMs('workload') },
    reconcileErrorsByKind: metricBy(metrics, 'xray_operator_reconcile_errors_total', 'kind'),
    xrayApiCalls: metricBy(metrics, 'xray_operator_xray_api_calls_total', 'operation'),
    workloadRollouts: metricBy(metrics, 'xray_operator_workload_rollouts_total', 'reason'),
  };
}

/**
 * Writes the API server served for ConfigMaps and XRayTracings, by `verb resource[/subresource]` (APPLY is server-side
 * apply). APPLY configmaps and PATCH xraytracings[/status] are the operator's alone; POST/PUT configmaps are
 * kube-controller-manager's kube-root-ca.crt, POST xraytracings the benchmark's creates.
 */
async function apiServerWrites(controlPlane: ControlPlane): Promise<Record<string, number>> {
  const response = await adminGet(controlPlane.server, controlPlane.pki, '/metrics');
  const writes: Record<string, number> = {};
  for (const sample of parsePrometheusText(response.body)) {
    const { verb = '', resource = '', subresource = '' } = sample.labels;
    if (sample.name !== 'apiserver_request_total' || !['APPLY', 'PATCH', 'POST', 'PUT'].includes(verb)) continue;
    if (!['configmaps', 'xraytracings'].includes(resource)) continue;
    const key = `${verb} ${resource}${subresource ? `/${subresource}` : ''}`;
    writes[key] = (writes[key] ?? 0) + sample.value;
  }
  return writes;
}

const SNAPSHOT_TIMEOUT_MS = 120_000;

/** Signals the operator to write a heap snapshot and waits until the file stops growing. */
async function heapSnapshot(pid: number, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  let size = -1;
  for (let waited = 0; waited < SNAPSHOT_TIMEOUT_MS; waited += 1000) {
    await sleep(1000);
    const file = readdirSync(dir).find((name) => name.endsWith('.heapsnapshot') && !before.has(name));
    if (!file) continue;
    const now = statSync(join(dir, file)).size;
    if (now === size && now > 0) return;
    size = now;
  }
  throw new Error(`The operator wrote no heap snapshot to ${dir} within ${SNAPSHOT_TIMEOUT_MS / 1000} s`);
}

/** What the cluster holds at one measured point. */
interface Point {
  namespaces: number;
  /** Pods-only mode: bare pods; otherwise namespaces × Deployments (one replica each). */
  pods: number;
}

/** Where the cluster grows next: creates what `to` adds to `from` (both cumulative). */
async function grow(kc: KubeConfig, options: RunOptions, from: Point, to: Point): Promise<{ injectedAtCreate: number }> {
  const newNamespaces = Array.from({ length: to.namespaces - from.namespaces }, (_, k) => from.namespaces + k);
  if (!options.podPoints) {
    await inPool(newNamespaces, options.concurrency, (index) => createNamespaceObjects(kc, index, options.mode, options.deploymentsPerNamespace));
    return { injectedAtCreate: 0 };
  }
  await inPool(newNamespaces, options.concurrency, (index) => createTracedBenchNamespace(kc, index, options.mode));
  // Every namespace's XRayTracing must be in the webhook's cache before its pods come, or they are admitted uninjected.
  for (let index = 0; index < to.namespaces; index++) await waitForWebhookToInject(kc, namespaceName(index));
  let injectedAtCreate = 0;
  const newPods = Array.from({ length: to.pods - from.pods }, (_, k) => from.pods + k);
  await inPool(newPods, options.concurrency, async (index) => {
    if (await createAnnotatedPod(kc, namespaceName(index % to.namespaces), index)) injectedAtCreate++;
  });
  return { injectedAtCreate };
}

function pointsOf(options: RunOptions): Point[] {
  const [podNamespaces = 1] = options.namespacePoints;
  return options.podPoints
    ? options.podPoints.map((pods) => ({ namespaces: podNamespaces, pods }))
    : options.namespacePoints.map((namespaces) => ({ namespaces, pods: namespaces * options.deploymentsPerNamespace }));
}

/** KiB of RSS (or heap) per namespace or per pod, fitted over the points, with the line's value at zero. */
function slopeOf(series: readonly { x: number; y: number }[]): { kibPer: number; interceptMiB: number } | null {
  const fit = linearFit(series);
  return fit && { kibPer: round(fit.slope * 1024, 1), interceptMiB: round(fit.intercept, 1) };
}

export async function runControllerBenchmark(options: RunOptions) {
  const controlPlane = await startControlPlane();
  const fakeXRay = await FakeXRay.start({ region: REGION, ruleLimit: options.ruleLimit });
  try {
    const { operator } = await installOperator(controlPlane, {
      operator: {
        xrayEndpoint: fakeXRay.endpoint,
        region: REGION,
        extraArgs: ['--log-level=info'],
        nodeArgs: [...(options.operatorNodeArgs ?? []), ...(options.heapSnapshotDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${options.heapSnapshotDir}`] : [])],
        cli: options.operatorCli,
        env: options.operatorEnv,
      },
    });
    const { kc } = controlPlane;
    const { healthBaseUrl } = operator;
    const pid = operator.process.child.pid!;
    // Leader election runs first: measure from a leading, idle operator.
    const leading = async () => metricSum(await scrapeMetrics(healthBaseUrl), 'xray_operator_leader') === 1;
    for (let waited = 0; !(await leading()); waited += 250) {
      if (waited > 60_000) throw new Error('The operator did not become leader within 60 s');
      await sleep(250);
    }
    const idleRssMiB = memoryOf(pid).rssMiB;
    const idle: IdleBreakdown = await idleBreakdown(pid, await scrapeMetrics(healthBaseUrl), { nodeArgs: options.operatorNodeArgs ?? [], env: options.operatorEnv ?? {} });
    const rss = new RssSampler(pid);
    const points = pointsOf(options);
    const steps: Awaited<ReturnType<typeof measurePoint>>[] = [];
    let reached: Point = { namespaces: 0, pods: 0 };
    for (const point of points) {
      steps.push(await measurePoint(point));
      reached = point;
    }

    async function measurePoint(point: Point) {
      // CPU time, unlike the Ready time, hardly depends on what else the shared machine runs meanwhile.
      const cpuAtStart = metricSum(await scrapeMetrics(healthBaseUrl), 'process_cpu_seconds_total');
      const started = Date.now();
      const { injectedAtCreate } = await grow(kc, options, reached, point);
      const createdMs = Date.now() - started;
      const deadline = started + options.timeoutMs;
      const progress: ProgressPoint[] = [];
      let allReadyMs: number | undefined;
      let allInjectedMs: number | undefined = options.podPoints && injectedAtCreate === point.pods - reached.pods ? createdMs : undefined;
      let readyMetrics: MetricSample[] | undefined;
      let maxTracingQueueDepth = 0;
      let ready = 0;
      let injected = options.podPoints ? reached.pods + injectedAtCreate : 0;
      let notReady: Record<string, number> = {};
      // Pods-only mode knows from the create answers whether the webhook injected: no list of every pod per poll.
      const done = () => allReadyMs !== undefined && (allInjectedMs !== undefined || !options.waitForPods || options.podPoints !== undefined);
      while (Date.now() < deadline && !done()) {
        const [tracings, pods, metrics] = await Promise.all([
          listXRayTracings(kc),
          options.podPoints ? undefined : countInjectedPods(kc),
          scrapeMetrics(healthBaseUrl),
        ]);
        const now = Date.now() - started;
        ready = tracings.filter(isReadyForGeneration).length;
        notReady = notReadyReasons(tracings);
        if (pods) injected = pods.injected;
        const tracingQueueDepth = queueDepth(metrics, 'xraytracing');
        maxTracingQueueDepth = Math.max(maxTracingQueueDepth, tracingQueueDepth);
        progress.push({ t: round(now / 1000, 1), ready, injectedPods: injected, tracingQueueDepth });
        if (allReadyMs === undefined && tracings.length === point.namespaces && ready === point.namespaces) {
          allReadyMs = now;
          readyMetrics = metrics;
        }
        if (allInjectedMs === undefined && pods && pods.total === point.pods && injected === point.pods) allInjectedMs = now;
        process.stderr.write(`  ${round(now / 1000, 1)}s: ${ready}/${point.namespaces} Ready ${JSON.stringify(notReady)}, ${injected}/${point.pods} pods injected, tracing queue ${tracingQueueDepth}, RSS ${round(memoryOf(pid).rssMiB, 1)} MiB\n`);
        await sleep(POLL_MS);
      }
      const settled = await settle(healthBaseUrl);
      const memory = memoryOf(pid);
      const heapMiB = (name: string) => round(metricSum(settled.metrics, name) / 1024 / 1024, 1);
      const tracingReconcilesAtReady = readyMetrics ? metricSum(readyMetrics, 'xray_operator_reconciles_total', { controller: 'xraytracing' }) : undefined;
      return {
        ...point,
        creationSeconds: round(createdMs / 1000),
        allReady: allReadyMs !== undefined,
        readyAfterCreationSeconds: allReadyMs === undefined ? null : round((allReadyMs - createdMs) / 1000),
        readyFromFirstCreateSeconds: allReadyMs === undefined ? null : round(allReadyMs / 1000),
        readyVsCreationRatio: allReadyMs === undefined ? null : round(allReadyMs / createdMs),
        readyReached: ready,
        notReadyReasons: notReady,
        allPodsInjected: allInjectedMs !== undefined,
        podsInjectedFromFirstCreateSeconds: allInjectedMs === undefined ? null : round(allInjectedMs / 1000),
        podsInjectedReached: injected,
        tracingReconcilesPerSecondUntilReady: allReadyMs && tracingReconcilesAtReady !== undefined ? round(tracingReconcilesAtReady / (allReadyMs / 1000), 1) : null,
        maxTracingQueueDepth,
        operatorCpuSeconds: {
          untilReady: readyMetrics ? round(metricSum(readyMetrics, 'process_cpu_seconds_total') - cpuAtStart) : null,
          untilSettled: round(metricSum(settled.metrics, 'process_cpu_seconds_total') - cpuAtStart),
        },
        /** peakKernel is the process's high-water mark so far (VmHWM): the peak up to this point. */
        operatorRssMiB: { peakKernel: round(memory.hwmMiB, 1), end: round(memory.rssMiB, 1) },
        /** At the end: what is anonymous (V8 heap, malloc) and what file-backed (the node binary's pages). */
        operatorResidentAtEndMiB: residentOf(pid),
        operatorHeapAtEndMiB: { used: heapMiB('nodejs_heap_size_used_bytes'), total: heapMiB('nodejs_heap_size_total_bytes'), external: heapMiB('nodejs_external_memory_bytes') },
        readyMetrics,
        settled,
        progress,
      };
    }

    const peak = rss.stop();
    if (options.heapSnapshotDir) await heapSnapshot(pid, options.heapSnapshotDir);
    const [first] = steps;
    const last = steps.at(-1)!;
    const strip = ({ readyMetrics: _r, settled: _s, progress: _p, ...figures }: (typeof steps)[number]) => figures;
    const x = (step: (typeof steps)[number]) => (options.podPoints ? step.pods : step.namespaces);
    const fitted = (pick: (step: (typeof steps)[number]) => number) => slopeOf(steps.map((step) => ({ x: x(step), y: pick(step) })));
    const result = {
      mode: options.mode,
      workload: options.podPoints ? 'pods-only' as const : 'namespaces' as const,
      // The first point's figures, as a single-point run reports them.
      ...strip(first!),
      namespaces: first!.namespaces,
      xrayTracings: first!.namespaces,
      deployments: options.podPoints ? 0 : first!.pods,
      operatorRssMiB: { idle: round(idleRssMiB, 1), peakSampled: round(peak.peakMiB, 1), peakKernel: first!.operatorRssMiB.peakKernel, end: first!.operatorRssMiB.end, samples: peak.samples },
      idleBreakdown: idle,
      operatorNodeArgs: options.operatorNodeArgs ?? [],
      operatorEnv: options.operatorEnv ?? {},
      xrayRules: { expected: expectedXRayRules(options.mode, last.namespaces), inFakeAccount: fakeXRay.store.all().filter((record) => record.rule.RuleName !== 'Default').length, ruleLimit: options.ruleLimit },
      atAllReady: first!.readyMetrics ? controllerFigures(first!.readyMetrics) : null,
      afterSettle: { settled: first!.settled.settled, ...controllerFigures(last.settled.metrics), apiServerWrites: await apiServerWrites(controlPlane) },
      series: steps.map(strip),
      // Memory per namespace (each with its XRayTracing and Deployments) or per pod, fitted over the series.
      slope: steps.length < 2 ? null : {
        per: options.podPoints ? 'pod' as const : 'namespace' as const,
        rssEnd: fitted((step) => step.operatorRssMiB.end),
        rssPeak: fitted((step) => step.operatorRssMiB.peakKernel),
        heapUsed: fitted((step) => step.operatorHeapAtEndMiB.used),
      },
      progress: first!.progress,
    };
    await operator.stop();
    return result;
  } finally {
    await fakeXRay.close();
    await controlPlane.stop();
  }
}

export type RunResult = Awaited<ReturnType<typeof runControllerBenchmark>>;
