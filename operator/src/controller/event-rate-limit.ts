// Events per namespace on a token bucket: whoever can make the operator record Events (pods admitted without an
// XRayTracing, workloads rolled) must not be able to flood a namespace's Events, or the API server, through it.
import type { EventRecorder } from '../k8s/events.js';
import { TokenBucket, type RateLimit } from '../runtime/token-bucket.js';

/** About one Event every 2 s per namespace, bursts of 20: far above what a healthy namespace produces. */
export const DEFAULT_EVENT_RATE_LIMIT: RateLimit = Object.freeze({ perSecond: 0.5, burst: 20 });

export interface EventRateLimitOptions {
  limit?: RateLimit;
  /** Bound on namespaces with a bucket (least recently used dropped first, so memory stays bounded). */
  maxNamespaces?: number;
  /** Called for each dropped Event (a metric or a debug log; never a log line per drop at info). */
  onDropped?: (namespace: string, reason: string) => void;
  now?: () => number;
}

export function rateLimitEventsPerNamespace(recorder: EventRecorder, options: EventRateLimitOptions = {}): EventRecorder {
  const limit = options.limit ?? DEFAULT_EVENT_RATE_LIMIT;
  const maxNamespaces = options.maxNamespaces ?? 4096;
  const buckets = new Map<string, TokenBucket>();

  const bucketOf = (namespace: string): TokenBucket => {
    let bucket = buckets.get(namespace);
    if (bucket) buckets.delete(namespace);
    else bucket = new TokenBucket(limit, options.now);
    buckets.set(namespace, bucket);
    if (buckets.size > maxNamespaces) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    return bucket;
  };

  return {
    record(object, type, reason, message) {
      // Cluster-scoped objects' Events go to `default`, as the recorder writes them.
      const namespace = object.namespace ?? 'default';
      if (bucketOf(namespace).take() > 0) {
        options.onDropped?.(namespace, reason);
        return Promise.resolve();
      }
      return recorder.record(object, type, reason, message);
    },
  };
}
