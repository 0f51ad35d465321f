// One AWS call of the monitoring syncs, with the shared retries: a refusal that concerns one object is returned (the
// sync marks that object Failed and goes on); a transient failure, or one of a listing, is thrown and stops the sync.
import { classifyAwsFailure, MonitoringSyncError, type MonitoringFailure } from './monitoring-errors.js';
import { callWithRetry, type RetryDeps } from './retry.js';

export type Attempt<T> = { value: T } | { failure: MonitoringFailure };

export class MonitoringCalls {
  constructor(
    private readonly service: 'X-Ray' | 'CloudWatch',
    private readonly retry: RetryDeps,
  ) {}

  /** `subject`: what the call is about, e.g. "group web-1a2b3c4d". */
  async attempt<T>(operation: string, subject: string, call: () => Promise<T>): Promise<Attempt<T>> {
    try {
      return { value: await callWithRetry(operation, this.retry, call) };
    } catch (error) {
      const failure = classifyAwsFailure(this.service, `${operation} for ${subject}`, error);
      if (failure.transient) throw new MonitoringSyncError(failure, { cause: error });
      return { failure };
    }
  }

  /** A call whose every failure stops the sync (listings, tag reads, deletes). */
  async send<T>(operation: string, subject: string | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await callWithRetry(operation, this.retry, call);
    } catch (error) {
      throw new MonitoringSyncError(classifyAwsFailure(this.service, subject ? `${operation} for ${subject}` : operation, error), { cause: error });
    }
  }
}
