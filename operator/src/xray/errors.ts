// Typed failures of the sampling rule sync. `reason` is what the controller puts in the SamplingRulesSynced=False
// condition; the message says what happened and what to do.

export type SamplingSyncReason = 'RuleLimitExceeded' | 'InvalidSamplingRule' | 'RuleNameConflict' | 'XRayThrottled' | 'XRayAPIError';

export class SamplingSyncError extends Error {
  constructor(
    readonly reason: SamplingSyncReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The account+region holds as many sampling rules as X-Ray allows. */
export class RuleLimitExceededError extends SamplingSyncError {
  constructor(ruleName: string, cause: unknown) {
    super(
      'RuleLimitExceeded',
      `X-Ray refused to create sampling rule ${ruleName}: the account and region hold the maximum number of sampling rules; delete unused rules or ask AWS for a higher quota`,
      { cause },
    );
  }
}

/** X-Ray rejected a request as invalid; the message is AWS's. */
export class InvalidSamplingRuleError extends SamplingSyncError {
  constructor(operation: string, ruleName: string, awsMessage: string, cause: unknown) {
    super('InvalidSamplingRule', `X-Ray rejected ${operation} for sampling rule ${ruleName}: ${awsMessage}`, { cause });
  }
}

/** Desired rule names are taken by rules this XRayTracing does not own (their tags say otherwise). */
export class RuleNameConflictError extends SamplingSyncError {
  constructor(readonly ruleNames: string[]) {
    super(
      'RuleNameConflict',
      `Sampling rule names ${ruleNames.join(', ')} are taken by X-Ray rules not tagged as owned by this XRayTracing; the operator leaves them alone: delete or re-tag them`,
    );
  }
}

/** Throttled on every retry. */
export class XRayThrottledError extends SamplingSyncError {
  constructor(operation: string, attempts: number, cause: unknown) {
    super('XRayThrottled', `X-Ray throttled ${operation} ${attempts} times in a row`, { cause });
  }
}

export class XRayApiError extends SamplingSyncError {
  constructor(operation: string, cause: unknown) {
    super('XRayAPIError', `X-Ray ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

interface AwsErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The AWS error name, or undefined for a non-AWS failure (network, bug). */
export function awsErrorName(err: unknown): string | undefined {
  const shape = err as AwsErrorShape | undefined;
  return shape?.$metadata ? shape.name : undefined;
}

export function httpStatus(err: unknown): number | undefined {
  return (err as AwsErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** Throttling error names: X-Ray's ThrottledException (429); CloudWatch's Throttling (HTTP 400). */
const THROTTLE_NAMES = new Set(['ThrottledException', 'Throttling', 'ThrottlingException']);

/** Throttling and server-side failures are worth a retry; nothing else is. */
export function isRetryable(err: unknown): boolean {
  const status = httpStatus(err);
  return isThrottle(err) || (status !== undefined && status >= 500);
}

export function isThrottle(err: unknown): boolean {
  return THROTTLE_NAMES.has(awsErrorName(err) ?? '') || httpStatus(err) === 429;
}
