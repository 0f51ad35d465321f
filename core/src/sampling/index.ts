export { desiredSamplingRules, samplingRuleOwner, RULE_VERSION } from './desired.js';
export { isOwnedBy, OPERATOR_RULE_NAME, ownerNameSuffix, ownerTags, xrayRuleName } from './naming.js';
export { changedFields, planSamplingSync, XRAY_DEFAULT_RULE_NAME } from './plan.js';
export { samplingSummary } from './summary.js';
export type * from './types.js';
