// `xray-operator run`: one process with the controller (leader-elected) and the admission webhook (every replica),
// sharing one informer cache; health and metrics on a plain-HTTP port.
import { readFileSync } from 'node:fs';
import { XRayClient } from '@aws-sdk/client-xray';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ResolvedSpec, XRayTracing } from '../../../core/src/api/types.js';
import type { AdmissionEventSink } from '../../../core/src/ports.js';
import { createHealthServer } from '../../../webhook/src/health-server.js';
import { createWebhookServer, type WebhookServer } from '../../../webhook/src/server.js';
import { watchTlsFiles } from '../../../webhook/src/tls/watch-files.js';
import { startCertManager } from '../certs/cert-manager.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { startController } from '../controller/start.js';
import { TracingConfigs } from '../controller/tracing/tracing-config.js';
import { makeKubeClients } from '../k8s/clients.js';
import { describeFieldErrors } from '../controller/tracing/status.js';
import { createEventRecorder, type EventRecorder } from '../k8s/events.js';
import { loadKubeConfig } from '../k8s/kubeconfig.js';
import { createLogger, type Logger } from '../logging.js';

const OWNER_API_VERSIONS: Readonly<Record<string, string>> = {
  ReplicaSet: 'apps/v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

/** Pods admitted without injection get an Event on their owner (the pod itself has no name or uid yet). */
function admissionEvents(recorder: EventRecorder): AdmissionEventSink {
  return {
    podNotInjected(namespace, podName, reason, owner) {
      const apiVersion = owner ? OWNER_API_VERSIONS[owner.kind] : undefined;
      const object = owner && apiVersion ? { apiVersion, kind: owner.kind, namespace, name: owner.name, uid: owner.uid } : { apiVersion: 'v1', kind: 'Pod', namespace, name: podName };
      void recorder.record(object, 'Warning', 'NotInjected', `Pod ${podName} was admitted without X-Ray instrumentation: ${reason}`);
    },
  };
}

/** The webhook only injects from XRayTracings that validate; an invalid one is reported in the pod's warnings. */
function specResolver(configs: TracingConfigs): (tracing: XRayTracing) => ResolvedSpec {
  return (tracing) => {
    const config = configs.of(tracing);
    if (config.ok) return config.spec;
    throw new Error(`XRayTracing ${tracing.metadata.namespace}/${tracing.metadata.name} is invalid (${describeFieldErrors(config.errors)})`);
  };
}

interface ServingTls {
  cert: string;
  key: string;
  /** Starts keeping the webhook's certificate current. */
  follow(webhook: WebhookServer): void;
  stop(): void;
}

async function servingTls(config: Readonly<OperatorConfig>, kubeConfig: ReturnType<typeof loadKubeConfig>, logger: Logger): Promise<ServingTls> {
  if (config.certMode === 'files') {
    const certFile = config.tlsCertFile ?? '';
    const keyFile = config.tlsKeyFile ?? '';
    const current = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    let watcher: { close(): void } | undefined;
    return {
      ...current,
      follow: (webhook) => {
        watcher = watchTlsFiles({ certFile, keyFile, current, logger, onUpdate: (cert, key) => webhook.updateTls(cert, key) });
      },
      stop: () => watcher?.close(),
    };
  }
  let target: WebhookServer | undefined;
  const manager = await startCertManager({
    kubeConfig,
    namespace: config.namespace,
    secretName: config.certSecretName,
    serviceName: config.webhookServiceName,
    webhookConfigName: config.webhookConfigName,
    logger,
    onCertificate: (cert, key) => target?.updateTls(cert, key),
  });
  return { cert: manager.cert, key: manager.key, follow: (webhook) => (target = webhook), stop: () => manager.stop() };
}

export async function runOperator(config: Readonly<OperatorConfig>): Promise<void> {
  const logger = createLogger(config.logLevel);
  const kubeConfig = loadKubeConfig({ kubeconfigPath: config.kubeconfig });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const controller = await startController({
    kubeConfig,
    logger,
    registry,
    config: {
      clusterName: config.clusterName,
      region: config.region,
      xrayEndpoint: config.xrayEndpoint,
      operatorNamespace: config.namespace,
      leaseName: config.leaseName,
      leaderElect: config.leaderElect,
      operatorDefaults: config.defaults,
    },
    // The sync retries throttling itself, with backoff it can see and count.
    xrayClientFactory: ({ region, endpoint }) => new XRayClient({ region, endpoint, maxAttempts: 1 }),
  });
  const tls = await servingTls(config, kubeConfig, logger);
  const webhook = createWebhookServer({
    view: controller.view,
    resolve: specResolver(
      new TracingConfigs({ clusterName: config.clusterName, nativeSidecarsSupported: controller.view.nativeSidecarsSupported() }, config.defaults),
    ),
    events: admissionEvents(createEventRecorder({ core: makeKubeClients(kubeConfig).core, logger })),
    logger,
    tls,
    metricsRegistry: registry,
    ready: () => controller.ready(),
  });
  tls.follow(webhook);
  const health = createHealthServer({ logger, ready: () => controller.ready(), metricsRegistry: registry });
  await webhook.app.listen({ host: config.webhookListen.host, port: config.webhookListen.port });
  await health.listen({ host: config.healthListen.host, port: config.healthListen.port });
  logger.info({ operation: 'start', webhook: config.webhookListen, health: config.healthListen, clusterName: config.clusterName }, 'Operator started');

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ operation: 'shutdown', signal }, 'Operator stopping');
    // Stop taking reviews first (the API server retries another replica), then drain the controller.
    void webhook.app
      .close()
      .then(() => controller.stop())
      .then(() => health.close())
      .catch((error: unknown) => logger.error({ err: error, operation: 'shutdown' }, 'Failed to stop cleanly'))
      .finally(() => {
        tls.stop();
        logger.flush();
        process.exitCode ??= 0;
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
