// Plain-HTTP /healthz, /readyz and /metrics on their own port: kubelet probes and Prometheus scrapes need no TLS
// configuration, and keep working while the webhook's certificate is being rotated.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { healthRoutes } from './health-routes.js';
import type { HealthRoutesOptions } from './health-routes.js';

export interface HealthServerOptions extends HealthRoutesOptions {
  logger: Logger;
}

export type HealthServer = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

export function createHealthServer(options: HealthServerOptions): HealthServer {
  const app = fastify({ loggerInstance: options.logger, logController: new LogController({ disableRequestLogging: true }), return503OnClosing: true });
  void app.register(healthRoutes, { ready: options.ready, metricsRegistry: options.metricsRegistry });
  return app;
}
