// `serve admission`: the one composition of the admission webhook (HTTPS), its certificate source, the plain-HTTP
// health/metrics server and the signal handling. `xray-operator run` and `xray-operator webhook` both use it; they
// differ only in the cluster view, the certificate source and what drains between the webhook and health stopping.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ResolvedSpec, XRayTracing } from '../../../core/src/api/types.js';
import type { AdmissionEventSink, ClusterView } from '../../../core/src/ports.js';
import { createHealthServer } from '../../../webhook/src/health-server.js';
import { createWebhookServer, type WebhookServer } from '../../../webhook/src/server.js';
import { watchTlsFiles } from '../../../webhook/src/tls/watch-files.js';
import type { HostPort } from '../config/operator-config.js';

/** The webhook's serving certificate and where renewals come from. */
export interface ServingTls {
  cert: string;
  key: string;
  /** Starts keeping the webhook's certificate current. */
  follow(webhook: WebhookServer): void;
  stop(): void;
}

/** A certificate and key from files (mounted Secret, cert-manager), reloaded when the files change. */
export function servingTlsFromFiles(certFile: string, keyFile: string, logger: Logger): ServingTls {
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

export interface ServeAdmissionOptions {
  /** What is serving, for log lines: "Operator" or "Webhook". */
  role: string;
  logger: Logger;
  view: ClusterView;
  resolve: (tracing: XRayTracing) => ResolvedSpec;
  events?: AdmissionEventSink;
  tls: ServingTls;
  registry: Registry;
  ready: () => boolean;
  webhookListen: HostPort;
  /** No health server without it. */
  healthListen?: HostPort;
  /** Fields of the start-up log line. */
  startFields?: Record<string, unknown>;
  /** Runs after the webhook stopped taking reviews and before the health server closes (the controller drains here). */
  drain?: () => Promise<void>;
}

export async function serveAdmission(options: ServeAdmissionOptions): Promise<void> {
  const { logger, tls, registry, ready } = options;
  const webhook = createWebhookServer({ view: options.view, resolve: options.resolve, events: options.events, logger, tls, metricsRegistry: registry, ready });
  tls.follow(webhook);
  const health = options.healthListen ? createHealthServer({ logger, ready, metricsRegistry: registry }) : undefined;
  await webhook.app.listen({ host: options.webhookListen.host, port: options.webhookListen.port });
  if (health && options.healthListen) await health.listen({ host: options.healthListen.host, port: options.healthListen.port });
  logger.info({ operation: 'start', address: webhook.app.addresses(), ...options.startFields }, `${options.role} started`);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ operation: 'shutdown', signal }, `${options.role} stopping`);
    // Stop taking reviews first (the API server retries another replica), then drain, then stop answering probes.
    void webhook.app
      .close()
      .then(() => options.drain?.())
      .then(() => health?.close())
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
