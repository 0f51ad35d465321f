// `xray-operator run`: one process with the controller (leader-elected) and the admission webhook (every replica),
// sharing one informer cache; health and metrics on a plain-HTTP port.
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ResolvedSpec, XRayTracing } from '../../../core/src/api/types.js';
import type { WebhookServer } from '../../../webhook/src/server.js';
import { startCertManager } from '../certs/cert-manager.js';
import type { OperatorConfig } from '../config/operator-config.js';
import { startController } from '../controller/start.js';
import type { TracingConfigs } from '../controller/tracing/tracing-config.js';
import { describeFieldErrors } from '../controller/tracing/status.js';
import { loadKubeConfig } from '../k8s/kubeconfig.js';
import { createLogger, type Logger } from '../logging.js';
import { createXRayClient } from '../xray/index.js';
import { serveAdmission, servingTlsFromFiles, type ServingTls } from './serve-admission.js';

/** The webhook only injects from XRayTracings that validate; an invalid one is reported in the pod's warnings. */
function specResolver(configs: TracingConfigs): (tracing: XRayTracing) => ResolvedSpec {
  return (tracing) => {
    const config = configs.of(tracing);
    if (config.ok) return config.spec;
    throw new Error(`XRayTracing ${tracing.metadata.namespace}/${tracing.metadata.name} is invalid (${describeFieldErrors(config.errors)})`);
  };
}

async function servingTls(config: Readonly<OperatorConfig>, kubeConfig: ReturnType<typeof loadKubeConfig>, logger: Logger): Promise<ServingTls> {
  if (config.certMode === 'files') return servingTlsFromFiles(config.tlsCertFile ?? '', config.tlsKeyFile ?? '', logger);
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
      webhookConfigName: config.webhookConfigName,
      leaseName: config.leaseName,
      leaderElect: config.leaderElect,
      operatorDefaults: config.defaults,
      ruleBudget: config.ruleBudget,
      webhookSelection: config.webhookSelection,
      maxConcurrentRollouts: config.maxConcurrentRollouts,
    },
    // The sync retries throttling itself, with backoff it can see and count.
    xrayClientFactory: ({ region, endpoint }) => createXRayClient({ region, endpoint }),
  });
  await serveAdmission({
    role: 'Operator',
    logger,
    view: controller.view,
    resolve: specResolver(controller.configs),
    events: controller.admissionEvents,
    tls: await servingTls(config, kubeConfig, logger),
    registry,
    ready: () => controller.ready(),
    webhookListen: config.webhookListen,
    healthListen: config.healthListen,
    startFields: { webhook: config.webhookListen, health: config.healthListen, clusterName: config.clusterName },
    drain: () => controller.stop(),
  });
}
