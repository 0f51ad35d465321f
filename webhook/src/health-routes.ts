// /healthz, /readyz and /metrics: served on the plain-HTTP health server (probes, scraping) and on the webhook's
// HTTPS port as well, so either can be used.
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthRoutesOptions {
  /** Whether this replica should receive admission traffic (caches synced, certificate loaded). */
  ready: () => boolean;
  metricsRegistry: Registry;
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok'));
  app.get('/readyz', async (_request, reply) =>
    options.ready() ? reply.type('text/plain').send('ok') : reply.code(503).type('text/plain').send('not ready'),
  );
  app.get('/metrics', async (_request, reply) =>
    reply.type(options.metricsRegistry.contentType).send(await options.metricsRegistry.metrics()),
  );
  return Promise.resolve();
};
