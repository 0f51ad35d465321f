// The HTTPS admission webhook: POST /mutate-v1-pod, plus the health routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ResolvedSpec, XRayTracing } from '../../core/src/api/types.js';
import type { AdmissionEventSink, ClusterView } from '../../core/src/ports.js';
import { InvalidReviewError, parseAdmissionReview, serializeReviewResponse } from './admission-review.js';
import type { AdmissionRequest } from './admission-review.js';
import { healthRoutes } from './health-routes.js';
import { webhookMetrics } from './metrics.js';
import type { ReviewOutcome, WebhookMetrics } from './metrics.js';
import { podLogName, reviewPod } from './review-pod.js';
import type { PodReview } from './review-pod.js';
import { cachedAnswerer } from './pod-answers.js';
import { checkTlsPair } from './tls/pair.js';
import type { TlsMaterial } from './tls/pair.js';

export const MUTATE_POD_PATH = '/mutate-v1-pod';
/** The API server refuses request bodies over 3 MiB; a review wraps the object with request metadata. */
export const DEFAULT_BODY_LIMIT_BYTES = 4 * 1024 * 1024;
const TLS_MIN_VERSION = 'TLSv1.2';
/** What fastify sends with a body it serializes itself. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface WebhookServerOptions {
  view: ClusterView;
  resolve: (tracing: XRayTracing) => ResolvedSpec;
  /** Where pods admitted without an XRayTracing are reported (Kubernetes Events in the operator). */
  events?: AdmissionEventSink;
  logger: Logger;
  tls: TlsMaterial;
  metricsRegistry: Registry;
  bodyLimitBytes?: number;
  /** Answers remembered for identical pods (ReplicaSet scale-ups); default 256, 0 turns the cache off. */
  answerCacheSize?: number;
  ready: () => boolean;
}

export interface WebhookServer {
  app: FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger>;
  /** Serves `cert`/`key` to new connections from now on; throws (and keeps the old pair) if they do not match. */
  updateTls(cert: string | Buffer, key: string | Buffer): void;
}

export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const { logger, view, resolve } = options;
  checkTlsPair(options.tls);
  const app = fastify<Server>({
    https: { cert: options.tls.cert, key: options.tls.key, minVersion: TLS_MIN_VERSION },
    loggerInstance: logger,
    // One line per review is logged by the handler instead of fastify's two per request.
    logController: new LogController({ disableRequestLogging: true }),
    // That line carries the review's uid, and nothing logs through a request: fastify's child logger per request
    // (a request id binding) was made and dropped: 4–5 µs of an uncached review's CPU, in an A/B of the two servers.
    childLoggerFactory: (parent) => parent,
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    // The API server gives up on a webhook after at most 30 s; a request still arriving after that is abuse.
    requestTimeout: 30_000,
    return503OnClosing: true,
  });
  const metrics = webhookMetrics(options.metricsRegistry);
  const answer = cachedAnswerer({ view, resolve, maxEntries: options.answerCacheSize });

  app.post(MUTATE_POD_PATH, (request, reply) => {
    const started = process.hrtime.bigint();
    let admission: AdmissionRequest;
    try {
      admission = parseAdmissionReview(request.body);
    } catch (error) {
      return rejectInvalid(reply, error as Error, metrics, logger);
    }
    let review: PodReview;
    try {
      review = reviewPod(admission, {
        answer,
        events: admission.dryRun ? undefined : options.events,
        onEventError: (error) => logger.error({ err: error, namespace: admission.namespace, uid: admission.uid }, 'Failed to record the not-injected Event'),
      });
    } catch (error) {
      return rejectInvalid(reply, error as Error, metrics, logger);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.reviews.inc({ outcome: review.outcome });
    metrics.reviewDuration.observe({ outcome: review.outcome }, seconds);
    logReview(logger, admission, review, seconds);
    if (logger.isLevelEnabled('debug')) logger.debug({ uid: admission.uid, review: request.body, response: review.response }, 'Answered AdmissionReview');
    return reply.type(JSON_CONTENT_TYPE).send(serializeReviewResponse(review.response));
  });

  // Body too large, not JSON, wrong content type: the request never reached the handler.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if ((error.statusCode ?? 500) < 500 && request.routeOptions.url === MUTATE_POD_PATH) return rejectInvalid(reply, error, metrics, logger);
    logger.error({ err: error, url: request.url }, 'Failed to serve a request');
    return reply.code(error.statusCode ?? 500).send({ error: 'Internal Server Error', message: 'Internal server error' });
  });

  void app.register(healthRoutes, { ready: options.ready, metricsRegistry: options.metricsRegistry });

  return {
    app,
    updateTls(cert, key): void {
      checkTlsPair({ cert, key });
      app.server.setSecureContext({ cert, key, minVersion: TLS_MIN_VERSION });
    },
  };
}

function rejectInvalid(reply: FastifyReply, error: Error, metrics: WebhookMetrics, logger: Logger): FastifyReply {
  const known = error instanceof InvalidReviewError || (error as FastifyError).code?.startsWith('FST_');
  if (!known) throw error;
  const outcome: ReviewOutcome = 'invalid';
  metrics.reviews.inc({ outcome });
  logger.warn({ reason: error.message, outcome }, 'Rejected an invalid AdmissionReview');
  return reply.code(400).send({ error: 'Bad Request', message: `Invalid AdmissionReview: ${error.message}` });
}

function logReview(logger: Logger, admission: AdmissionRequest, review: PodReview, seconds: number): void {
  // Most pods of a cluster never asked for tracing: a line each at info would be most of the log, and of its cost.
  if (review.notOptedIn && !logger.isLevelEnabled('debug')) return;
  const fields = {
    namespace: admission.namespace,
    name: podLogName(admission.object, admission),
    uid: admission.uid,
    operation: admission.operation,
    kind: admission.kind.kind,
    dryRun: admission.dryRun || undefined,
    outcome: review.outcome,
    durationMs: Math.round(seconds * 1e6) / 1e3,
  };
  if (review.outcome === 'error') logger.error({ ...fields, err: review.error }, 'Admitted the pod unchanged after an internal error');
  else if (review.outcome === 'injected') logger.info({ ...fields, tracing: review.detail }, 'Injected the pod');
  else if (review.notOptedIn) logger.debug({ ...fields, reason: review.detail }, 'Admitted unchanged');
  else logger.info({ ...fields, reason: review.detail }, 'Admitted unchanged');
}
