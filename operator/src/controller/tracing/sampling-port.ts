// What the XRayTracing reconciler needs from X-Ray (operator/src/xray's SamplingRuleSync), and how its failures
// read on the SamplingRulesSynced condition.
import type { OwnedSamplingRule, ResolvedSpec, XRayTracing } from '../../../../core/src/api/types.js';
import { desiredSamplingRules, samplingRuleOwner } from '../../../../core/src/sampling/desired.js';
import { httpStatus } from '../../xray/errors.js';
import { SamplingSyncError, type SamplingRuleSync } from '../../xray/index.js';
import type { SamplingFailureReason } from './status.js';

export interface SamplingRulesPort {
  /** Makes X-Ray hold exactly the rules the spec wants for this XRayTracing (none in local mode); returns them. */
  sync(tracing: XRayTracing, spec: ResolvedSpec): Promise<OwnedSamplingRule[]>;
  /** Deletes every rule this XRayTracing owns under `clusterName` (default: this operator's): finalizer, local mode, migration. */
  deleteAllOwned(tracing: XRayTracing, clusterName?: string): Promise<void>;
  /** The cluster name this operator tags rules with. */
  readonly clusterName: string;
}

/** The port over SamplingRuleSync: the core plans the desired rules of an XRayTracing, the sync applies them. */
export function samplingRulesPort(sync: SamplingRuleSync, clusterName: string): SamplingRulesPort {
  return {
    clusterName,
    async sync(tracing, spec) {
      return (await sync.sync(desiredSamplingRules(tracing, spec, clusterName))).rules;
    },
    async deleteAllOwned(tracing, ownerCluster = clusterName) {
      await sync.deleteAllOwned(samplingRuleOwner(tracing, ownerCluster));
    },
  };
}

export interface SamplingFailure {
  reason: SamplingFailureReason;
  message: string;
  /** Retrying soon can help (throttling, network, AWS 5xx); otherwise the user or an admin has to act. */
  transient: boolean;
}

/** A failure of the sync as the condition reason users see. */
export function classifySamplingError(error: unknown): SamplingFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof SamplingSyncError)) return { reason: 'SyncFailed', message, transient: true };
  switch (error.reason) {
    case 'RuleLimitExceeded':
      return { reason: 'RuleLimitExceeded', message, transient: false };
    case 'InvalidSamplingRule':
      return { reason: 'InvalidRequest', message, transient: false };
    case 'RuleNameConflict':
      return { reason: 'RuleNameConflict', message, transient: false };
    case 'XRayThrottled':
      return { reason: 'Throttled', message: `${message}; retrying with backoff`, transient: true };
    case 'XRayAPIError': {
      // No HTTP answer from AWS at all: DNS, connection, TLS, timeouts, credentials that could not be fetched. (The
      // SDK puts $metadata on those too, but without a status code.)
      const status = httpStatus(error.cause);
      if (status === undefined) return { reason: 'AWSUnreachable', message: `Could not reach the X-Ray API (${message}); retrying with backoff`, transient: true };
      return { reason: 'SyncFailed', message, transient: status >= 500 || status === 429 };
    }
  }
}
