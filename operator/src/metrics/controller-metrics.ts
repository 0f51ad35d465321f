// Prometheus metrics of the controller side, registered in the registry the process passes in.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type ReconcileResult = 'success' | 'error';

export interface ControllerMetrics {
  reconciles: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller' | 'kind'>;
  reconcileDuration: Histogram<'controller'>;
  queueDepth: Gauge<'controller'>;
  xrayApiCalls: Counter<'operation' | 'outcome'>;
  leader: Gauge;
  informerConnected: Gauge<'informer'>;
  workloadRollouts: Counter<'reason'>;
  fleetPods: Gauge<'namespace' | 'xraytracing' | 'state'>;
  rollouts: Gauge<'namespace' | 'state'>;
}

/** One metric by name: the existing one when the registry has it (several controllers may share a registry). */
function once<M>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

export function controllerMetrics(registry: Registry): ControllerMetrics {
  const registers = [registry];
  return {
    reconciles: once(registry, 'xray_operator_reconciles_total', () => new Counter({
      name: 'xray_operator_reconciles_total', help: 'Reconciles finished, by controller and result', labelNames: ['controller', 'result'], registers,
    })),
    reconcileErrors: once(registry, 'xray_operator_reconcile_errors_total', () => new Counter({
      name: 'xray_operator_reconcile_errors_total',
      help: 'Failed reconciles by controller and error kind (Conflict, TooManyRequests, Network, AWSUnreachable…)',
      labelNames: ['controller', 'kind'],
      registers,
    })),
    reconcileDuration: once(registry, 'xray_operator_reconcile_duration_seconds', () => new Histogram({
      name: 'xray_operator_reconcile_duration_seconds',
      help: 'Time one reconcile took, by controller',
      labelNames: ['controller'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    })),
    queueDepth: once(registry, 'xray_operator_workqueue_depth', () => new Gauge({
      name: 'xray_operator_workqueue_depth', help: 'Keys waiting in the work queue, by controller', labelNames: ['controller'], registers,
    })),
    xrayApiCalls: once(registry, 'xray_operator_xray_api_calls_total', () => new Counter({
      name: 'xray_operator_xray_api_calls_total',
      help: 'X-Ray API calls made by the sampling rule sync, by operation and outcome',
      labelNames: ['operation', 'outcome'],
      registers,
    })),
    leader: once(registry, 'xray_operator_leader', () => new Gauge({
      name: 'xray_operator_leader', help: '1 while this replica holds the leader Lease and runs the controllers', registers,
    })),
    informerConnected: once(registry, 'xray_operator_informer_connected', () => new Gauge({
      name: 'xray_operator_informer_connected', help: '1 while the informer of a kind is connected to the API server', labelNames: ['informer'], registers,
    })),
    workloadRollouts: once(registry, 'xray_operator_workload_rollouts_total', () => new Counter({
      name: 'xray_operator_workload_rollouts_total',
      help: 'Workloads the operator rolled, by reason (config-changed, missed-injection, opt-in-propagated, rollback, rollback-cleared)',
      labelNames: ['reason'],
      registers,
    })),
    fleetPods: once(registry, 'xray_operator_pods', () => new Gauge({
      name: 'xray_operator_pods',
      help: 'Pods an XRayTracing covers, by state (current, outdated, skipped, uninjected), as in its status.fleet',
      labelNames: ['namespace', 'xraytracing', 'state'],
      registers,
    })),
    rollouts: once(registry, 'xray_operator_rollouts', () => new Gauge({
      name: 'xray_operator_rollouts',
      help: 'Operator-caused rollouts of a namespace, by state (in-progress: holding a place in the budget, queued: waiting for one)',
      labelNames: ['namespace', 'state'],
      registers,
    })),
  };
}
