// AdmissionRequest → AdmissionResponse for pods. The webhook never blocks a pod: every path answers allowed, at
// worst unchanged with a warning.
import type { V1PodLike } from '../../core/src/injection/index.js';
import type { AdmissionEventSink } from '../../core/src/ports.js';
import { InvalidReviewError, isPodCreate } from './admission-review.js';
import type { AdmissionRequest, AdmissionResponse } from './admission-review.js';
import type { ReviewOutcome } from './metrics.js';
import type { PodAnswerer } from './pod-answers.js';
import { sanitizeWarnings } from './warnings.js';

/** Prefix of every warning, so `kubectl` users can tell where it came from. */
export const WARNING_PREFIX = 'xray-operator: ';

export interface PodReview {
  response: AdmissionResponse;
  outcome: Exclude<ReviewOutcome, 'invalid'>;
  /** Why the pod was not injected (unchanged) or the XRayTracing used (injected). */
  detail: string;
  /** Set when the outcome is `error`. */
  error?: unknown;
  /** Nothing asked for tracing: no annotation, no XRayTracing selects the pod (or one excludes it). */
  notOptedIn?: boolean;
}

export interface PodReviewDeps {
  answer: PodAnswerer;
  /** Absent for dry-run requests: they must have no side effects. */
  events?: AdmissionEventSink;
  /** Called when the event sink throws: an Event is never worth failing admission for. */
  onEventError: (error: unknown) => void;
}

export function reviewPod(request: AdmissionRequest, deps: PodReviewDeps): PodReview {
  const uid = request.uid;
  if (!isPodCreate(request)) {
    return { response: { uid, allowed: true }, outcome: 'unchanged', detail: `Ignored ${request.operation} of ${request.resource.resource}` };
  }
  const pod = request.object as V1PodLike;
  const namespace = request.namespace ?? pod.metadata?.namespace;
  if (!namespace) throw new InvalidReviewError('Pod CREATE request has no namespace');
  try {
    const answer = deps.answer(pod, namespace);
    if (answer.missingTracing) reportNotInjected(namespace, pod, answer.detail, deps);
    const response: AdmissionResponse = answer.patch ? { uid, allowed: true, patchType: 'JSONPatch', patch: answer.patch } : { uid, allowed: true };
    return { response: withWarnings(response, answer.warnings), outcome: answer.outcome, detail: answer.detail, notOptedIn: answer.notOptedIn };
  } catch (error) {
    const message = `Admitted the pod without tracing after an internal error: ${error instanceof Error ? error.message : String(error)}`;
    return { response: withWarnings({ uid, allowed: true }, [message]), outcome: 'error', detail: message, error };
  }
}

/**
 * The `name` field of the review's log line: pods created by controllers only have a generateName at admission,
 * shown as `web-7d9f-*`. (Service names fall back to core's podDisplayName, the generateName stem.)
 */
export function podLogName(pod: V1PodLike | undefined, request: AdmissionRequest): string | undefined {
  return pod?.metadata?.name ?? request.name ?? (pod?.metadata?.generateName ? `${pod.metadata.generateName}*` : undefined);
}

function reportNotInjected(namespace: string, pod: V1PodLike, reason: string, deps: PodReviewDeps): void {
  if (!deps.events) return;
  const controller = pod.metadata?.ownerReferences?.find((ref) => ref.controller);
  const owner = controller ? { kind: controller.kind, name: controller.name, uid: controller.uid } : undefined;
  const name = pod.metadata?.name ?? pod.metadata?.generateName ?? '';
  try {
    deps.events.podNotInjected(namespace, name, reason, owner);
  } catch (error) {
    deps.onEventError(error);
  }
}

function withWarnings(response: AdmissionResponse, warnings: readonly string[]): AdmissionResponse {
  if (warnings.length === 0) return response;
  const sanitized = sanitizeWarnings(warnings.map((warning) => WARNING_PREFIX + warning));
  return sanitized.length === 0 ? response : { ...response, warnings: sanitized };
}
