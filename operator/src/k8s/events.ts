// Kubernetes Events (core/v1, what `kubectl describe` and `kubectl get events` show) with client-side
// aggregation: the same (object, type, reason, message) within the aggregation window bumps `count` and
// `lastTimestamp` on the existing Event instead of creating a new one, as client-go's recorder does.
import type { CoreV1Event } from '@kubernetes/client-node';
import type { CoreApi } from './rest/core.js';
import type { Logger } from 'pino';
import { MANAGED_BY_VALUE } from '../../../core/src/constants.js';
import { LruMap } from '../../../core/src/lru-map.js';
import { mergePatch } from './patch.js';
import { classifyApiError, describeApiError } from './errors.js';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Records an Event; never throws (an Event is best effort), failures are logged. */
  record(object: InvolvedObject, type: EventType, reason: string, message: string): Promise<void>;
}

interface SeenEvent {
  eventName: string;
  namespace: string;
  count: number;
  firstSeenMs: number;
}

export interface EventRecorderOptions {
  core: CoreApi;
  logger: Logger;
  /** `source.component` / `reportingComponent`. */
  component?: string;
  /** `reportingInstance`: which replica (the Lease identity, the pod name). Default: the component. */
  instance?: string;
  /** Repeats within this window aggregate into one Event (default 10 minutes; Events expire after 1 h). */
  aggregationWindowMs?: number;
  /** Bound on remembered events (oldest dropped first). */
  maxTracked?: number;
  now?: () => number;
}

/**
 * Longest Event message written, in UTF-8 bytes (the events.k8s.io `note` limit). Messages can quote user input
 * (reasons built from annotations, forged AdmissionReviews): without a cap one Event could hold a megabyte.
 */
export const MAX_EVENT_MESSAGE_BYTES = 1024;
const TRUNCATED_SUFFIX = ' [truncated]';

/** `message` cut to MAX_EVENT_MESSAGE_BYTES on a character boundary, marked when cut. */
export function truncateEventMessage(message: string): string {
  if (Buffer.byteLength(message, 'utf8') <= MAX_EVENT_MESSAGE_BYTES) return message;
  const budget = MAX_EVENT_MESSAGE_BYTES - Buffer.byteLength(TRUNCATED_SUFFIX, 'utf8');
  let bytes = 0;
  let end = 0;
  for (const char of message) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return message.slice(0, end) + TRUNCATED_SUFFIX;
}

/** The Event's namespace: the object's own, or `default` for cluster-scoped objects (as kubectl does). */
function eventNamespace(object: InvolvedObject): string {
  return object.namespace ?? 'default';
}

export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const { core, logger } = options;
  const component = options.component ?? MANAGED_BY_VALUE;
  const windowMs = options.aggregationWindowMs ?? 10 * 60_000;
  const maxTracked = options.maxTracked ?? 4096;
  const now = options.now ?? Date.now;
  const seen = new LruMap<string, SeenEvent>(maxTracked);
  const remember = (key: string, value: SeenEvent): void => seen.set(key, value);

  const create = async (key: string, object: InvolvedObject, type: EventType, reason: string, message: string): Promise<void> => {
    const at = new Date(now());
    const namespace = eventNamespace(object);
    const body: CoreV1Event = {
      metadata: { generateName: `${object.name}.`, namespace },
      involvedObject: { ...object },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      source: { component },
      reportingComponent: component,
      reportingInstance: options.instance ?? component,
    };
    const created = await core.createNamespacedEvent({ namespace, body });
    const eventName = created.metadata?.name;
    if (eventName) remember(key, { eventName, namespace, count: 1, firstSeenMs: at.getTime() });
  };

  const bump = async (key: string, previous: SeenEvent): Promise<void> => {
    const count = previous.count + 1;
    await core.patchNamespacedEvent(
      { name: previous.eventName, namespace: previous.namespace, body: { count, lastTimestamp: new Date(now()).toISOString() } },
      mergePatch,
    );
    remember(key, { ...previous, count });
  };

  const write = async (key: string, object: InvolvedObject, type: EventType, reason: string, message: string): Promise<void> => {
    const previous = seen.get(key);
    try {
      if (previous && now() - previous.firstSeenMs < windowMs) {
        try {
          await bump(key, previous);
          return;
        } catch (error) {
          // The Event expired or was deleted: start a new one.
          if (classifyApiError(error) !== 'NotFound') throw error;
          seen.delete(key);
        }
      }
      await create(key, object, type, reason, message);
    } catch (error) {
      logger.warn({ namespace: object.namespace, name: object.name, uid: object.uid, operation: 'record-event', reason, err: error, detail: describeApiError(error) }, 'Failed to record Event');
    }
  };

  /** Writes of the same Event one after another, so concurrent repeats bump one Event instead of creating two. */
  const pending = new Map<string, Promise<void>>();
  return {
    record(object, type, reason, fullMessage) {
      const message = truncateEventMessage(fullMessage);
      const key = JSON.stringify([object.uid ?? `${object.kind}/${object.namespace}/${object.name}`, type, reason, message]);
      const next = (pending.get(key) ?? Promise.resolve()).then(() => write(key, object, type, reason, message));
      pending.set(key, next);
      return next.finally(() => {
        if (pending.get(key) === next) pending.delete(key);
      });
    },
  };
}
