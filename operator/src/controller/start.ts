// Starts the controller side of the operator process: the shared informer caches (served to the webhook as a
// ClusterView on every replica), leader election, and — on the leader only — the reconcilers.
import { hostname } from 'node:os';
import type { XRayClient } from '@aws-sdk/client-xray';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { OperatorDefaults } from '../../../core/src/api/defaults.js';
import { DEFAULT_RULE_BUDGET, type RuleBudget } from '../../../core/src/sampling/budget.js';
import type { AdmissionEventSink, ClusterView } from '../../../core/src/ports.js';
import { webhookServes, type WebhookSelection } from '../../../core/src/selection/webhook-selection.js';
import { createClusterCaches } from '../k8s/caches.js';
import { makeKubeClients } from '../k8s/clients.js';
import { InformerClusterView } from '../k8s/cluster-view.js';
import { webhookReachability } from '../k8s/webhook-reachability.js';
import { detectNativeSidecars } from './cluster-version.js';
import { TraceDestinationProbe } from '../xray/trace-destination.js';
import { createEventRecorder } from '../k8s/events.js';
import type { InformerState } from '../k8s/informer.js';
import { kubernetesLeaseStore } from '../k8s/lease-store.js';
import { controllerMetrics, type ControllerMetrics } from '../metrics/controller-metrics.js';
import { admissionEventSink } from './admission-events.js';
import { Controllers } from './controllers.js';
import { TracingStateRecords } from './workload/tracing-state.js';
import { rateLimitEventsPerNamespace } from './event-rate-limit.js';
import { DEFAULT_LEADER_ELECTION_TIMING, LeaderElector, type LeaderElectionTiming } from './leader-election.js';
import { TracingReconciler } from './tracing/reconciler.js';
import { samplingRulesPort } from './tracing/sampling-port.js';
import { SamplingRuleSync } from '../xray/index.js';
import { TracingConfigs } from './tracing/tracing-config.js';
import { WorkloadReconciler } from './workload/reconciler.js';
import { RolloutPacer } from './workload/rollout-pacer.js';

export interface ControllerConfig {
  clusterName: string;
  region?: string;
  xrayEndpoint?: string;
  /** Namespace of the operator: where its Lease lives. */
  operatorNamespace: string;
  leaseName: string;
  /** false: this process is the only replica and runs the controllers at once. */
  leaderElect: boolean;
  /** Holder identity in the Lease (the pod name); default: the host name. */
  identity?: string;
  leaderElection?: LeaderElectionTiming;
  /** Full re-enqueue and X-Ray drift check period. Default 5 minutes. */
  resyncPeriodMs?: number;
  /** Installation-wide defaults (images) under every XRayTracing. */
  operatorDefaults?: OperatorDefaults;
  /** Sampling rules XRayTracings may own; default DEFAULT_RULE_BUDGET. */
  ruleBudget?: RuleBudget;
  /** The webhook configuration's selectors; default: everything. */
  webhookSelection?: WebhookSelection;
  /** The MutatingWebhookConfiguration whose Service must have a ready endpoint before a workload is rolled. */
  webhookConfigName?: string;
  /** Operator-caused rollouts at once in the cluster (each namespace has its own cap too); undefined: no cap. */
  maxConcurrentRollouts?: number;
}

/** Builds the X-Ray API client (tests point it at a fake and give it fixed credentials). */
export type XRayClientFactory = (settings: { region?: string; endpoint?: string }) => XRayClient;

export interface StartControllerOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  registry: Registry;
  config: Readonly<ControllerConfig>;
  xrayClientFactory: XRayClientFactory;
}

export interface RunningController {
  /** The informer-backed view the webhook admits pods with. */
  view: ClusterView;
  /** The validated config of each XRayTracing, one per process: the reconcilers and the webhook share it. */
  configs: TracingConfigs;
  /** Where the webhook reports pods admitted without instrumentation: checked against the caches, rate-limited. */
  admissionEvents: AdmissionEventSink;
  /**
   * The caches the webhook admits pods from have been filled once (readiness of this replica). The pod and
   * workload caches are not waited for: listing every pod of a big cluster must not delay admission.
   */
  ready(): boolean;
  isLeader(): boolean;
  informers(): Record<string, InformerState>;
  /** Stops reconciling (draining work in flight), releases the Lease and stops the informers. */
  stop(): Promise<void>;
}

const DEFAULT_RESYNC_MS = 5 * 60_000;
const GAUGE_REFRESH_MS = 5_000;
const CACHE_SYNC_POLL_MS = 250;

export async function startController(options: StartControllerOptions): Promise<RunningController> {
  const { kubeConfig, registry } = options;
  const config: Readonly<ControllerConfig> = Object.isFrozen(options.config) ? options.config : Object.freeze({ ...options.config });
  const logger = options.logger.child({ component: 'controller' });
  const timing = config.leaderElection ?? DEFAULT_LEADER_ELECTION_TIMING;
  const clients = makeKubeClients(kubeConfig, { leaseMs: timing.renewDeadlineMs / 2 });
  const metrics = controllerMetrics(registry);
  const nativeSidecarsSupported = await detectNativeSidecars(clients, { logger });
  const caches = createClusterCaches(clients, logger);
  const view = new InformerClusterView(caches, { clusterName: config.clusterName, nativeSidecars: nativeSidecarsSupported });
  const configs = new TracingConfigs({ clusterName: config.clusterName, nativeSidecarsSupported }, config.operatorDefaults);
  const identity = config.identity ?? hostname();
  // One recorder for the controllers and the webhook, so the per-namespace limit counts both.
  const events = rateLimitEventsPerNamespace(createEventRecorder({ core: clients.core, logger, instance: identity }), {
    onDropped: (namespace, reason) => logger.debug({ namespace, operation: 'record-event', reason }, 'Dropped an Event over the namespace\'s rate limit'),
  });
  const resyncPeriodMs = config.resyncPeriodMs ?? DEFAULT_RESYNC_MS;
  const selection = config.webhookSelection ?? {};
  const serves = (namespace: string, templateLabels: Readonly<Record<string, string>> | undefined): boolean =>
    webhookServes(selection, namespace, caches.namespaces.get(namespace)?.metadata?.labels, templateLabels);
  const xray = options.xrayClientFactory({ region: config.region, endpoint: config.xrayEndpoint });
  const sampling = samplingRulesPort(new SamplingRuleSync({ client: xray, calls: metrics.xrayApiCalls, logger }), config.clusterName);
  const traceDestination = new TraceDestinationProbe({ client: xray, calls: metrics.xrayApiCalls, logger, maxAgeMs: resyncPeriodMs });
  const pacer = new RolloutPacer({ caches, configs, metrics, perCluster: config.maxConcurrentRollouts });
  const controllers = new Controllers({
    caches,
    configs,
    metrics,
    logger,
    resyncPeriodMs,
    pacer,
    tracingReconciler: new TracingReconciler({
      clients, caches, configs, sampling, events, logger, resyncPeriodMs, traceDestination, metrics, ruleBudget: config.ruleBudget ?? DEFAULT_RULE_BUDGET, rollouts: pacer,
    }),
    workloadReconciler: new WorkloadReconciler({
      clients, caches, configs, events, logger, metrics, serves, pacer,
      ...(config.webhookConfigName ? { webhook: webhookReachability(kubeConfig, config.webhookConfigName, logger) } : {}),
      tracingStates: new TracingStateRecords({ clients, caches, configs, logger, serves }),
    }),
  });
  const elector = config.leaderElect
    ? new LeaderElector({
        identity,
        store: kubernetesLeaseStore(clients, config.operatorNamespace, config.leaseName),
        timing,
        logger,
        onStartedLeading: () => lead(true),
        onStoppedLeading: () => lead(false),
      })
    : undefined;

  let leading = false;
  let syncWait: NodeJS.Timeout | undefined;
  /** Reconcilers start once every cache is filled: decisions from a half-listed cache would be wrong. */
  function startWhenSynced(): void {
    syncWait = undefined;
    if (!leading) return;
    if (caches.synced()) controllers.start();
    else syncWait = setTimeout(startWhenSynced, CACHE_SYNC_POLL_MS).unref();
  }
  function lead(isLeader: boolean): void {
    leading = isLeader;
    metrics.leader.set(isLeader ? 1 : 0);
    if (isLeader) startWhenSynced();
    else void controllers.stop();
  }

  await caches.start();
  const gauges = startGaugeRefresh(metrics, () => caches.states());
  if (elector) elector.start();
  else lead(true);
  logger.info({ operation: 'start', nativeSidecarsSupported, leaderElect: config.leaderElect }, 'Started the controller');

  return {
    view,
    configs,
    admissionEvents: admissionEventSink({ caches, events, logger, serves }),
    ready: () => caches.viewSynced(),
    isLeader: () => (elector ? elector.isLeader() : true),
    informers: () => caches.states(),
    async stop() {
      clearInterval(gauges);
      leading = false;
      if (syncWait) clearTimeout(syncWait);
      if (elector) await elector.stop();
      await controllers.stop();
      metrics.leader.set(0);
      await caches.stop();
      xray.destroy();
    },
  };
}

function startGaugeRefresh(metrics: ControllerMetrics, states: () => Record<string, InformerState>): NodeJS.Timeout {
  const refresh = (): void => {
    for (const [informer, state] of Object.entries(states())) metrics.informerConnected.set({ informer }, state.connected ? 1 : 0);
  };
  refresh();
  const timer = setInterval(refresh, GAUGE_REFRESH_MS);
  timer.unref();
  return timer;
}
