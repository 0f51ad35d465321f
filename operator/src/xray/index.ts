export { createXRayClient, type XRayClientConfig } from './client.js';
export {
  InvalidSamplingRuleError,
  RuleLimitExceededError,
  RuleNameConflictError,
  SamplingSyncError,
  XRayApiError,
  XRayThrottledError,
  type SamplingSyncReason,
} from './errors.js';
export type { XRayApiCallCounter } from './metrics.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export { SamplingRuleSync, type SamplingRuleSyncOptions, type SamplingSyncResult } from './sampling-rule-sync.js';
