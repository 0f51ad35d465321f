// What the XRayTracing reconciler needs from the X-Ray sampling rule sync (operator/src/xray), and how its failures
// read on the SamplingRulesSynced condition.
import type { OwnedSamplingRule, ResolvedSpec, XRayTracing } from '../../../../core/src/api/types.js';
import type { SamplingFailureReason } from './status.js';

export interface SamplingRulesPort {
  /** Makes X-Ray hold exactly the rules the spec wants for this XRayTracing (none in local mode); returns them. */
  sync(tracing: XRayTracing, spec: ResolvedSpec): Promise<OwnedSamplingRule[]>;
  /** Deletes every rule this XRayTracing owns (finalizer). */
  deleteAllOwned(tracing: XRayTracing): Promise<void>;
}

export interface SamplingFailure {
  reason: SamplingFailureReason;
  message: string;
  /** Retrying soon can help (throttling, network); otherwise the user has to change something. */
  transient: boolean;
}

/** Reads the sync module's typed errors (by `name`/`reason`), and AWS SDK errors that escape it, as a failure. */
export function classifySamplingError(error: unknown): SamplingFailure {
  const { name, reason, message } = (error ?? {}) as { name?: unknown; reason?: unknown; message?: unknown };
  const text = typeof message === 'string' && message ? message : String(error);
  const kind = typeof reason === 'string' ? reason : typeof name === 'string' ? name : '';
  if (/RuleLimit/i.test(kind)) return { reason: 'RuleLimitExceeded', message: text, transient: false };
  if (/Throttl|TooManyRequests/i.test(kind)) return { reason: 'Throttled', message: text, transient: true };
  if (/Conflict/i.test(kind)) return { reason: 'RuleNameConflict', message: text, transient: false };
  if (/Invalid/i.test(kind)) return { reason: 'InvalidRequest', message: text, transient: false };
  if (/Unreachable|Network|Timeout|ECONNREFUSED|ENOTFOUND|Credentials/i.test(kind) || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket hang up/.test(text)) {
    return { reason: 'AWSUnreachable', message: `Could not reach the X-Ray API: ${text}`, transient: true };
  }
  return { reason: 'SyncFailed', message: text, transient: true };
}
