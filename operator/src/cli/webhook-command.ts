// `xray-operator webhook`: the admission webhook without a cluster, XRayTracing objects from files.
import { Registry } from 'prom-client';
import type { ResolvedSpec, XRayTracing } from '../../../core/src/api/types.js';
import { StaticClusterView } from '../../../core/src/cluster-view/static-view.js';
import { resolveSpec } from '../../../core/src/api/defaults.js';
import { parseHostPort } from '../config/operator-config.js';
import { createLogger } from '../logging.js';
import { serveAdmission, servingTlsFromFiles } from './serve-admission.js';
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
  const view = new StaticClusterView({
    xrayTracings: options.tracings.map((t) => t.tracing),
    builtInDefaults: options.tracings.length === 0,
    clusterName: options.clusterName,
  });
  const specs = new Map<XRayTracing, ResolvedSpec>(options.tracings.map((t) => [t.tracing, t.spec]));
  await serveAdmission({
    role: 'Webhook',
    logger,
    view,
    resolve: (tracing) => specs.get(tracing) ?? resolveSpec(tracing.spec),
    tls: servingTlsFromFiles(options.certFile, options.keyFile, logger),
    registry: new Registry(),
    ready: () => true,
    webhookListen: parseHostPort(options.listen, 'listen'),
    healthListen: options.healthListen ? parseHostPort(options.healthListen, 'health-listen') : undefined,
  });
}
