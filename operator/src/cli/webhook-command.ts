// `xray-operator webhook`: the admission webhook without a cluster, XRayTracing objects from files.
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import type { ResolvedSpec, XRayTracing } from '../../../core/src/api/types.js';
import { StaticClusterView } from '../../../core/src/cluster-view/static-view.js';
import { resolveSpec } from '../../../core/src/api/defaults.js';
import { parseHostPort } from '../config/operator-config.js';
import { createHealthServer } from '../../../webhook/src/health-server.js';
import { createWebhookServer } from '../../../webhook/src/server.js';
import { watchTlsFiles } from '../../../webhook/src/tls/watch-files.js';
import { createLogger } from '../logging.js';
import type { LoadedTracing } from './tracing-files.js';

export interface ServeWebhookOptions {
  tracings: readonly LoadedTracing[];
  listen: string;
  healthListen?: string;
  certFile: string;
  keyFile: string;
  clusterName?: string;
  logLevel: string;
}

export async function serveWebhook(options: ServeWebhookOptions): Promise<void> {
  const logger = createLogger(options.logLevel);
  const listen = parseHostPort(options.listen, 'listen');
  const view = new StaticClusterView({
    xrayTracings: options.tracings.map((t) => t.tracing),
    builtInDefaults: options.tracings.length === 0,
    clusterName: options.clusterName,
  });
  const specs = new Map<XRayTracing, ResolvedSpec>(options.tracings.map((t) => [t.tracing, t.spec]));
  const registry = new Registry();
  const tls = { cert: readFileSync(options.certFile, 'utf8'), key: readFileSync(options.keyFile, 'utf8') };
  const webhook = createWebhookServer({
    view,
    resolve: (tracing) => specs.get(tracing) ?? resolveSpec(tracing.spec),
    logger,
    tls,
    metricsRegistry: registry,
    ready: () => true,
  });
  const watcher = watchTlsFiles({
    certFile: options.certFile,
    keyFile: options.keyFile,
    current: tls,
    onUpdate: (cert, key) => webhook.updateTls(cert, key),
    logger,
  });
  await webhook.app.listen({ host: listen.host, port: listen.port });
  const health = options.healthListen ? createHealthServer({ logger, ready: () => true, metricsRegistry: registry }) : undefined;
  if (health && options.healthListen) {
    const at = parseHostPort(options.healthListen, 'health-listen');
    await health.listen({ host: at.host, port: at.port });
  }
  logger.info({ operation: 'serve', address: webhook.app.addresses() }, 'Webhook started');

  const stop = (signal: string): void => {
    logger.info({ operation: 'shutdown', signal }, 'Webhook stopping');
    watcher.close();
    void Promise.all([webhook.app.close(), health?.close()]).finally(() => logger.flush());
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
