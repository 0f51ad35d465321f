// The server side of `npm run bench:webhook`, run in its own (CPU-pinned) process:
//   webhook  — the real admission webhook (engine, patch, metrics, one info log line per review to /dev/null)
//   webhook-uncached — the same with the answer cache off: every pod computed afresh (all pods distinct)
//   baseline — a fastify HTTPS server that only parses the AdmissionReview and answers allowed, no patch
//   baseline-sized — the baseline answering with the webhook's patch, computed once (the cost of sending it)
//   computed — the baseline computing every answer as webhook-uncached does, without its metrics and log line
//   computed-twice — computed, computing each answer a second time right after the first (and sending that one): what
//                    the same work costs once the first has brought its code and data back into the CPU's caches
// Both webhook modes read the cluster through the operator's InformerClusterView (over in-memory caches), as deployed.
// Prints {"url": …} once listening; answers "stats" messages on the IPC channel with its memory, CPU time and GC.
import { readFileSync } from 'node:fs';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import type { NodeGCPerformanceDetail, PerformanceEntry } from 'node:perf_hooks';
import fastify, { LogController } from 'fastify';
import { Registry } from 'prom-client';
import { parseAdmissionReview, reviewResponse, serializeReviewResponse } from '../webhook/src/admission-review.js';
import type { AdmissionResponse, Base64 } from '../webhook/src/admission-review.js';
import { answerPod, cachedAnswerer } from '../webhook/src/pod-answers.js';
import { reviewPod } from '../webhook/src/review-pod.js';
import type { V1PodLike } from '../core/src/injection/index.js';
import { createWebhookServer, DEFAULT_BODY_LIMIT_BYTES, MUTATE_POD_PATH } from '../webhook/src/server.js';
import type { ClusterCaches } from '../operator/src/k8s/caches.js';
import { InformerClusterView } from '../operator/src/k8s/cluster-view.js';
import { createLogger, logDestination } from '../operator/src/logging.js';
import { cachedResolver, fixtureView } from '../webhook/src/testing/fixtures.js';

const [mode, certFile, keyFile] = process.argv.slice(2);
if (!['webhook', 'webhook-uncached', 'baseline', 'baseline-sized', 'computed', 'computed-twice'].includes(mode ?? '') || !certFile || !keyFile) {
  throw new Error('usage: webhook-server.ts webhook|webhook-uncached|baseline|baseline-sized|computed|computed-twice CERT_FILE KEY_FILE');
}
const tls = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
// The operator's logger and its buffered destination, writing to /dev/null.
const logger = createLogger('info', logDestination('/dev/null'));

/**
 * baseline-sized: the baseline answering with the webhook's patch for the pod (computed once for each distinct
 * review): what sending those bytes costs (JSON, TLS, the socket) apart from computing them. computed: the baseline
 * running the webhook's uncached answer (engine, diff, encoding) for every review and sending it: the webhook without
 * its metrics, log line and fastify logger. computed-twice: computed running it twice per review, so the second run's
 * cost (computed-twice − computed) is the work itself with warm caches, and the first's (computed − sized) adds what
 * bringing that code and data back costs after TLS, HTTP and parsing have had the CPU.
 */
function baselineServer(kind: BaselineKind) {
  const patches = new Map<string, Base64 | undefined>();
  const view = informerView();
  const resolve = cachedResolver();
  const answer = cachedAnswerer({ view, resolve, maxEntries: 0 });
  const app = fastify({
    https: { ...tls, minVersion: 'TLSv1.2' },
    bodyLimit: DEFAULT_BODY_LIMIT_BYTES,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.post(MUTATE_POD_PATH, (request, reply) => {
    const admission = parseAdmissionReview(request.body);
    if (kind === 'bare') return reply.send(reviewResponse({ uid: admission.uid, allowed: true }));
    if (kind === 'computed' || kind === 'computed-twice') {
      if (kind === 'computed-twice') reviewPod(admission, { answer, onEventError: () => undefined });
      const review = reviewPod(admission, { answer, onEventError: () => undefined });
      return reply.type('application/json; charset=utf-8').send(serializeReviewResponse(review.response));
    }
    // The load generator repeats one review: its uid is a key that costs nothing to look up, unlike the pod's JSON.
    if (!patches.has(admission.uid)) patches.set(admission.uid, answerPod(admission.object as V1PodLike, 'shop', view, resolve).patch);
    const patch = patches.get(admission.uid);
    const response: AdmissionResponse = patch ? { uid: admission.uid, allowed: true, patchType: 'JSONPatch', patch } : { uid: admission.uid, allowed: true };
    return reply.type('application/json; charset=utf-8').send(serializeReviewResponse(response));
  });
  return app;
}

/** The fixture's XRayTracing and its namespace, served the way the operator serves them from its informer caches. */
function informerView(): InformerClusterView {
  const [tracing] = fixtureView().listXRayTracings('shop');
  const namespace = { metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } };
  const caches = {
    xrayTracings: { list: (ns?: string) => (ns === undefined || ns === 'shop' ? [tracing] : []) },
    namespaces: { get: (name: string) => (name === 'shop' ? namespace : undefined) },
    configMaps: { get: () => undefined },
  } as unknown as ClusterCaches;
  return new InformerClusterView(caches, { clusterName: 'prod-eu', nativeSidecars: true });
}

type BaselineKind = 'bare' | 'sized' | 'computed' | 'computed-twice';
const BASELINE_KINDS: Readonly<Record<string, BaselineKind>> = { baseline: 'bare', 'baseline-sized': 'sized', computed: 'computed', 'computed-twice': 'computed-twice' };
const baselineKind = BASELINE_KINDS[mode ?? ''];
const app = baselineKind
  ? baselineServer(baselineKind)
  : createWebhookServer({
      view: informerView(),
      resolve: cachedResolver(),
      logger,
      tls,
      metricsRegistry: new Registry(),
      answerCacheSize: mode === 'webhook-uncached' ? 0 : undefined,
      ready: () => true,
    }).app;

/** Garbage collections so far, and how long they stopped the main thread. */
const gc = { young: 0, full: 0, pauseMicros: 0 };
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) {
    if ((entry as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) gc.full++;
    else gc.young++;
    gc.pauseMicros += entry.duration * 1000;
  }
}).observe({ entryTypes: ['gc'] });

process.on('message', (message) => {
  if (message !== 'stats') return;
  const cpu = process.cpuUsage();
  process.send?.({ rssBytes: process.memoryUsage().rss, maxRssBytes: process.resourceUsage().maxRSS * 1024, cpuMicros: cpu.user + cpu.system, gc: { ...gc } });
});
process.on('disconnect', () => void app.close().then(() => process.exit(0)));

const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ url }));
