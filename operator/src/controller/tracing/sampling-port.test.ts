import { describe, expect, it } from 'vitest';
import { InvalidSamplingRuleError, RuleLimitExceededError, RuleNameConflictError, XRayApiError, XRayThrottledError } from '../../xray/index.js';
import { classifySamplingError } from './sampling-port.js';

const awsError = (name: string, httpStatusCode: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

describe('classifySamplingError', () => {
  it.each([
    ['the rule limit', new RuleLimitExceededError('checkout-1a2b3c4d', awsError('RuleLimitExceededException', 400)), 'RuleLimitExceeded', false],
    ['an invalid rule', new InvalidSamplingRuleError('CreateSamplingRule', 'r', 'FixedRate out of range', awsError('InvalidRequestException', 400)), 'InvalidRequest', false],
    ['a name taken by a rule we do not own', new RuleNameConflictError(['r-1a2b3c4d']), 'RuleNameConflict', false],
    ['throttling that outlasted the retries', new XRayThrottledError('GetSamplingRules', 5, awsError('ThrottledException', 429)), 'Throttled', true],
    ['no answer from AWS', new XRayApiError('GetSamplingRules', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), 'AWSUnreachable', true],
    ['a network error the SDK decorated', new XRayApiError('GetSamplingRules', Object.assign(new Error('socket hang up'), { $metadata: { attempts: 1 } })), 'AWSUnreachable', true],
    ['access denied', new XRayApiError('GetSamplingRules', awsError('AccessDeniedException', 403)), 'SyncFailed', false],
    ['an AWS server error', new XRayApiError('GetSamplingRules', awsError('InternalFailure', 500)), 'SyncFailed', true],
    ['an unexpected bug', new TypeError('x is undefined'), 'SyncFailed', true],
  ])('reads %s as %s (transient: %s)', (_name, error, reason, transient) => {
    const failure = classifySamplingError(error);
    expect(failure.reason).toBe(reason);
    expect(failure.transient).toBe(transient);
    expect(failure.message).toContain(error.message);
  });
});
