// What injection costs a pod's start, on the e2e bed's real node (kubelet + containerd, e2e/harness/node/) with the
// operator installed by its chart as real pods. N pods of the same Express app image, in these variants:
//   plain     not injected;
//   ours      injected by the operator with our instrumentation image (bundled preload), with the collector sidecar;
//   upstream  injected by the same webhook with an image built like the OpenTelemetry Operator's Node.js image
//             (@opentelemetry/auto-instrumentations-node from npm, unbundled, copied with `cp -r`: bench/upstream-image);
//   ours-no-sidecar, upstream-no-sidecar: the same with `inject-sidecar: "false"`, so the preload's own cost shows
//             without the collector's start (which both injected variants share).
// Pods start in batches (each variant in turn, so drift hits all alike). Per variant: median and p90 of create ->
// Ready and create -> first HTTP 200, the preload init container's run time (containerd task events), and the
// preload volume's size and file count. Writes bench/results/pod-start.json and prints a summary.
// Usage: npm run bench:pod-start [-- --pods 20 --batch 4]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { Annotations } from '../core/src/constants.js';
import { createNamespace, waitFor } from '../e2e/harness/kube.js';
import { E2E_IMAGES } from '../e2e/harness/node/images.js';
import { repoRoot } from '../e2e/harness/paths.js';
import { APP_PORT, appPodSpec } from '../e2e/harness/real-node-apps.js';
import { startRealNodeBed, waitForReadyPods, type RealNodeBed } from '../e2e/harness/real-node.js';
import { E2E_REGION } from '../e2e/harness/region.js';
import { cliTools, runWithKubeconfig } from '../e2e/harness/tools.js';
import { createXRayTracing, waitForWebhookToInject } from '../e2e/harness/workloads.js';
import { runBatch, type PodTiming } from './pod-start/batch.js';
import { watchTaskEvents } from './pod-start/task-events.js';
import { median, percentile, round } from './stats.js';

const TARGET = { addedShareOfUpstream: 0.25, addedMedianMs: 1_000 };
const VARIANTS = ['plain', 'ours', 'upstream', 'ours-no-sidecar', 'upstream-no-sidecar'] as const;
type Variant = (typeof VARIANTS)[number];
/** Namespace of a variant: its XRayTracing picks the instrumentation image. */
const namespaceOf = (variant: Variant): string => `bench-${variant.replace('-no-sidecar', '')}`;

const { values } = parseArgs({ options: { pods: { type: 'string', default: '20' }, batch: { type: 'string', default: '4' } } });
const podCount = Number(values.pods);
const batchSize = Number(values.batch);
if (!(podCount >= 1 && batchSize >= 1)) throw new Error('--pods and --batch must be positive numbers');

function upstreamImage(): { image: string; archive: string } {
  const output = execFileSync('bash', [join(repoRoot, 'bench/upstream-image/build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = new Map(output.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
  return { image: lines.get('IMAGE')!, archive: lines.get('ARCHIVE')! };
}

async function prepareNamespaces(bed: RealNodeBed, upstream: string): Promise<void> {
  const { kc } = bed.controlPlane;
  const collector = { region: E2E_REGION, awsEndpoint: bed.fakeXRay.endpoint };
  for (const namespace of new Set(VARIANTS.map(namespaceOf))) await createNamespace(kc, namespace);
  await createXRayTracing(kc, 'bench-ours', 'default', { sampling: { mode: 'local', fixedRate: 1 }, collector });
  await createXRayTracing(kc, 'bench-upstream', 'default', {
    sampling: { mode: 'local', fixedRate: 1 }, collector, instrumentation: { image: upstream, imagePullPolicy: 'Never' },
  });
  await waitForWebhookToInject(kc, 'bench-ours');
  await waitForWebhookToInject(kc, 'bench-upstream');
}

function podsOf(variant: Variant, round: number, count: number): V1Pod[] {
  const annotations: Record<string, string> = variant === 'plain' ? {} : { [Annotations.injectNodejs]: 'true' };
  if (variant.endsWith('-no-sidecar')) annotations[Annotations.injectSidecar] = 'false';
  return Array.from({ length: count }, (_, index) => ({
    metadata: {
      name: `${variant}-${round}-${index}`,
      labels: { bench: variant },
      annotations,
    },
    spec: appPodSpec({ image: E2E_IMAGES.checkoutNode20, credentialsAgent: false }),
  }));
}

/** Bytes and files in one running pod's preload volume (what the init container copied). */
async function preloadVolume(bed: RealNodeBed, namespace: string, name: string): Promise<{ bytes: number; files: number }> {
  const { stdout } = await runWithKubeconfig(cliTools().kubectl, ['exec', '-n', namespace, name, '-c', 'app', '--', 'sh', '-c',
    'du -sb /xray-operator/nodejs | cut -f1; find /xray-operator/nodejs -type f | wc -l'], bed.controlPlane.kubeconfigPath);
  const [bytes, files] = stdout.trim().split('\n').map(Number);
  return { bytes: bytes!, files: files! };
}

function summary(timings: PodTiming[]) {
  const stat = (samples: number[]) => ({ medianMs: round(median(samples), 0), p90Ms: round(percentile(samples, 90), 0) });
  const init = timings.flatMap((timing) => (timing.initContainerMs === undefined ? [] : [timing.initContainerMs]));
  return {
    pods: timings.length,
    createToReady: stat(timings.map((timing) => timing.createToReadyMs)),
    createToServing: stat(timings.map((timing) => timing.createToServingMs)),
    ...(init.length > 0 ? { initContainer: { ...stat(init), samples: init.length } } : {}),
    phasesMedianMs: phaseMedians(timings),
  };
}

/** Median of each start phase over the pods that have it (see PodPhases). */
function phaseMedians(timings: PodTiming[]): Record<string, number> {
  const names = [...new Set(timings.flatMap((timing) => Object.keys(timing.phases)))] as (keyof PodTiming['phases'])[];
  return Object.fromEntries(names.map((name) => [name, round(median(timings.flatMap((timing) => timing.phases[name] ?? [])), 0)]));
}

async function main(): Promise<void> {
  const upstream = upstreamImage();
  const running = await startRealNodeBed();
  const events = watchTaskEvents(running.bed.node.containerd.socket);
  try {
    const { bed } = running;
    await bed.node.containerd.importImage(upstream.archive);
    await waitForReadyPods(bed.controlPlane, 'xray-system', 'app.kubernetes.io/instance=xray-operator', 2);
    await prepareNamespaces(bed, upstream.image);
    const core = bed.controlPlane.kc.makeApiClient(CoreV1Api);
    const timings = Object.fromEntries(VARIANTS.map((variant) => [variant, [] as PodTiming[]])) as Record<Variant, PodTiming[]>;
    const volumes: Partial<Record<Variant, { bytes: number; files: number }>> = {};
    for (let round = 0; timings.plain.length < podCount; round += 1) {
      const count = Math.min(batchSize, podCount - timings.plain.length);
      for (const variant of VARIANTS) {
        const pods = podsOf(variant, round, count);
        if (round === 0 && (variant === 'ours' || variant === 'upstream')) {
          // One extra pod per injected variant, kept long enough to measure its preload volume.
          const probe = podsOf(variant, 99, 1)[0]!;
          const namespace = namespaceOf(variant);
          await core.createNamespacedPod({ namespace, body: probe });
          await waitForReadyPods(bed.controlPlane, namespace, `bench=${variant}`, 1);
          volumes[variant] = await preloadVolume(bed, namespace, probe.metadata!.name!);
          await core.deleteNamespacedPod({ namespace, name: probe.metadata!.name!, gracePeriodSeconds: 0 });
          await waitFor(`the probe pod in ${namespace} to be gone`, async () => (await core.listNamespacedPod({ namespace })).items.length === 0, { timeoutMs: 60_000 });
        }
        timings[variant].push(...await runBatch(bed.controlPlane.kc, namespaceOf(variant), pods, APP_PORT, events));
        console.log(`round ${round}: ${variant} ${timings[variant].length}/${podCount}`);
      }
    }
    const results = Object.fromEntries(VARIANTS.map((variant) => [variant, { ...summary(timings[variant]), ...(volumes[variant] ? { preloadVolume: volumes[variant] } : {}) }]));
    const plainMedian = results.plain!.createToReady.medianMs;
    const added = (variant: Variant) => results[variant]!.createToReady.medianMs - plainMedian;
    const share = (ours: Variant, upstreamVariant: Variant) => (added(upstreamVariant) > 0 ? round(added(ours) / added(upstreamVariant), 2) : null);
    const verdict = {
      oursAddedMedianMs: added('ours'),
      upstreamAddedMedianMs: added('upstream'),
      oursShareOfUpstreamAdded: share('ours', 'upstream'),
      withoutSidecar: {
        oursAddedMedianMs: added('ours-no-sidecar'),
        upstreamAddedMedianMs: added('upstream-no-sidecar'),
        oursShareOfUpstreamAdded: share('ours-no-sidecar', 'upstream-no-sidecar'),
      },
      target: TARGET,
      met: added('ours') <= TARGET.addedMedianMs && (share('ours', 'upstream') ?? Infinity) <= TARGET.addedShareOfUpstream,
    };
    const output = {
      description: 'Pod start on the e2e real node (kubelet 1.34 + containerd 1.6 + runc), N pods per variant in batches; times from the create call',
      machine: { cpus: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1) },
      podsPerVariant: podCount,
      batchSize,
      upstreamImage: upstream.image,
      results,
      verdict,
    };
    mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
    writeFileSync(join(repoRoot, 'bench/results/pod-start.json'), `${JSON.stringify(output, null, 2)}\n`);
    console.log(JSON.stringify({ results, verdict }, null, 2));
  } finally {
    events.stop();
    await running.stop();
  }
}

await main();
