// Prometheus metrics of the admission path.
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export type ReviewOutcome = 'injected' | 'skipped' | 'unchanged' | 'error' | 'invalid';

export interface WebhookMetrics {
  reviews: Counter<'outcome'>;
  reviewDuration: Histogram<'outcome'>;
}

const REVIEWS_TOTAL = 'xray_operator_webhook_reviews_total';
const REVIEW_DURATION = 'xray_operator_webhook_review_duration_seconds';

/** The webhook's metrics in `registry`, registered on first use (several servers may share one registry). */
export function webhookMetrics(registry: Registry): WebhookMetrics {
  const reviews =
    (registry.getSingleMetric(REVIEWS_TOTAL) as Counter<'outcome'> | undefined) ??
    new Counter({
      name: REVIEWS_TOTAL,
      help: 'AdmissionReviews answered, by outcome (injected, unchanged, error: admitted unchanged after an internal error, invalid: HTTP 400)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  const reviewDuration =
    (registry.getSingleMetric(REVIEW_DURATION) as Histogram<'outcome'> | undefined) ??
    new Histogram({
      name: REVIEW_DURATION,
      help: 'Time from a parsed AdmissionReview to its response, by outcome',
      labelNames: ['outcome'],
      // The API server's webhook timeout is 10 s by default; admission should take well under 10 ms.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10],
      registers: [registry],
    });
  return { reviews, reviewDuration };
}
