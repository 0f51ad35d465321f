// AdmissionRequest → AdmissionResponse for pods: run the injection engine on the admitted pod and answer with the
// difference. The webhook never blocks a pod: every path answers allowed, at worst unchanged with a warning.
import type { AdmissionEventSink } from '../../core/src/ports.js';
import type { InjectionOutcome, V1PodLike } from '../../core/src/injection/types.js';
import { InvalidReviewError, isPodCreate } from './admission-review.js';
import type { AdmissionRequest, AdmissionResponse } from './admission-review.js';
import type { ReviewOutcome } from './metrics.js';
import { encodePatch, podPatch } from './patch.js';
import { sanitizeWarnings } from './warnings.js';

/** The injection engine bound to the cluster view: `(pod, namespace) → outcome`. */
export type PodInjector = (pod: V1PodLike, namespace: string) => InjectionOutcome;

/** Prefix of every warning, so `kubectl` users can tell where it came from. */
export const WARNING_PREFIX = 'xray-operator: ';

export interface PodReview {
  response: AdmissionResponse;
  outcome: Exclude<ReviewOutcome, 'invalid'>;
  /** Why the pod was not injected (unchanged) or the XRayTracing used (injected). */
  detail: string;
  /** Set when the outcome is `error`. */
  error?: unknown;
}

export interface PodReviewDeps {
  inject: PodInjector;
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
    const result = deps.inject(pod, namespace);
    if (result.action === 'unchanged') {
      if (result.missingTracing && !request.dryRun) reportNotInjected(namespace, pod, result.reason, deps);
      const warnings = result.missingTracing && result.warnings.length === 0 ? [result.reason] : result.warnings;
      return { response: withWarnings({ uid, allowed: true }, warnings), outcome: 'unchanged', detail: result.reason };
    }
    const operations = podPatch(pod, result.pod);
    if (operations.length === 0) {
      return { response: withWarnings({ uid, allowed: true }, result.warnings), outcome: 'unchanged', detail: 'Injection changed nothing' };
    }
    const response: AdmissionResponse = { uid, allowed: true, patchType: 'JSONPatch', patch: encodePatch(operations) };
    return { response: withWarnings(response, result.warnings), outcome: 'injected', detail: result.tracingName };
  } catch (error) {
    const message = `Admitted the pod without tracing after an internal error: ${error instanceof Error ? error.message : String(error)}`;
    return { response: withWarnings({ uid, allowed: true }, [message]), outcome: 'error', detail: message, error };
  }
}

/** Name for logs and Events: pods created by controllers only have a generateName at admission. */
export function podDisplayName(pod: V1PodLike | undefined, request: AdmissionRequest): string | undefined {
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
