// One benchmark run on a fresh control plane: install the operator (chart + process, as the e2e tests do), create
// N namespaces of objects with bounded concurrency, then poll until every XRayTracing is Ready for its generation
// and every pod is stored injected, sampling the operator's RSS and /metrics along the way.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { adminGet, startControlPlane, type ControlPlane } from '../../e2e/harness/control-plane.js';
import { installOperator } from '../../e2e/harness/install.js';
import { isInjectedPod, type StoredXRayTracing } from '../../e2e/harness/workloads.js';
import { FakeXRay } from '../../operator/src/test-support/fake-xray.js';
import { round } from '../stats.js';
import { createNamespaceObjects, expectedXRayRules, inPool, NAMESPACE_PREFIX, type SamplingMode } from './objects.js';
import { isReadyForGeneration, listXRayTracings, memoryOf, metricBy, metricSum, parsePrometheusText, RssSampler, scrapeMetrics, type MetricSample } from './probes.js';

export interface RunOptions {
  mode: SamplingMode;
  namespaces: number;
  deploymentsPerNamespace: number;
  concurrency: number;
  timeoutMs: number;
  /** Rules the fake X-Ray account may hold. */
  ruleLimit: number;
  /** Node.js flags for the operator process (e.g. --cpu-prof). */
  operatorNodeArgs?: string[];
  /** The script the operator process runs (default: the launcher, which runs the bundle). */
  operatorCli?: string;
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

export async function runControllerBenchmark(options: RunOptions) {
  const controlPlane = await startControlPlane();
  const fakeXRay = await FakeXRay.start({ region: REGION, ruleLimit: options.ruleLimit });
  try {
    const { operator } = await installOperator(controlPlane, {
      operator: { xrayEndpoint: fakeXRay.endpoint, region: REGION, extraArgs: ['--log-level=info'], nodeArgs: options.operatorNodeArgs, cli: options.operatorCli },
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
    const rss = new RssSampler(pid);

    const started = Date.now();
    const indexes = Array.from({ length: options.namespaces }, (_, index) => index);
    await inPool(indexes, options.concurrency, (index) => createNamespaceObjects(kc, index, options.mode, options.deploymentsPerNamespace));
    const createdMs = Date.now() - started;

    const expectedPods = options.namespaces * options.deploymentsPerNamespace;
    const deadline = started + options.timeoutMs;
    const progress: ProgressPoint[] = [];
    let allReadyMs: number | undefined;
    let allInjectedMs: number | undefined;
    let readyMetrics: MetricSample[] | undefined;
    let maxTracingQueueDepth = 0;
    let ready = 0;
    let injected = 0;
    let notReady: Record<string, number> = {};
    const done = () => allReadyMs !== undefined && (allInjectedMs !== undefined || !options.waitForPods);
    while (Date.now() < deadline && !done()) {
      const [tracings, pods, metrics] = await Promise.all([listXRayTracings(kc), countInjectedPods(kc), scrapeMetrics(healthBaseUrl)]);
      const now = Date.now() - started;
      ready = tracings.filter(isReadyForGeneration).length;
      notReady = notReadyReasons(tracings);
      injected = pods.injected;
      const tracingQueueDepth = queueDepth(metrics, 'xraytracing');
      maxTracingQueueDepth = Math.max(maxTracingQueueDepth, tracingQueueDepth);
      progress.push({ t: round(now / 1000, 1), ready, injectedPods: injected, tracingQueueDepth });
      if (allReadyMs === undefined && tracings.length === options.namespaces && ready === options.namespaces) {
        allReadyMs = now;
        readyMetrics = metrics;
      }
      if (allInjectedMs === undefined && pods.total === expectedPods && injected === expectedPods) allInjectedMs = now;
      process.stderr.write(`  ${round(now / 1000, 1)}s: ${ready}/${options.namespaces} Ready ${JSON.stringify(notReady)}, ${injected}/${expectedPods} pods injected, tracing queue ${tracingQueueDepth}, RSS ${round(memoryOf(pid).rssMiB, 1)} MiB\n`);
      await sleep(POLL_MS);
    }
    const settled = await settle(healthBaseUrl);
    const peak = rss.stop();
    const endMemory = memoryOf(pid);
    const heapMiB = (name: string) => round(metricSum(settled.metrics, name) / 1024 / 1024, 1);
    const atReady = readyMetrics ? controllerFigures(readyMetrics) : undefined;
    const tracingReconcilesAtReady = readyMetrics ? metricSum(readyMetrics, 'xray_operator_reconciles_total', { controller: 'xraytracing' }) : undefined;
    const result = {
      mode: options.mode,
      namespaces: options.namespaces,
      xrayTracings: options.namespaces,
      deployments: expectedPods,
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
      operatorRssMiB: { idle: round(idleRssMiB, 1), peakSampled: round(peak.peakMiB, 1), peakKernel: round(endMemory.hwmMiB, 1), end: round(endMemory.rssMiB, 1), samples: peak.samples },
      operatorHeapAtEndMiB: { used: heapMiB('nodejs_heap_size_used_bytes'), total: heapMiB('nodejs_heap_size_total_bytes'), external: heapMiB('nodejs_external_memory_bytes') },
      operatorNodeArgs: options.operatorNodeArgs ?? [],
      xrayRules: { expected: expectedXRayRules(options.mode, options.namespaces), inFakeAccount: fakeXRay.store.all().filter((record) => record.rule.RuleName !== 'Default').length, ruleLimit: options.ruleLimit },
      atAllReady: atReady ?? null,
      afterSettle: { settled: settled.settled, ...controllerFigures(settled.metrics), apiServerWrites: await apiServerWrites(controlPlane) },
      progress,
    };
    await operator.stop();
    return result;
  } finally {
    await fakeXRay.close();
    await controlPlane.stop();
  }
}

export type RunResult = Awaited<ReturnType<typeof runControllerBenchmark>>;
