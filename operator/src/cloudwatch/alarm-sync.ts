// Makes CloudWatch hold exactly the fault alarms an XRayTracing wants: lists the alarms under this owner's name prefix,
// reads their tags, and applies the core's plan (PutMetricAlarm creates or replaces, DeleteAlarms removes). An alarm
// not tagged for this owner is never touched, even under our prefix.
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  type CloudWatchClient,
  type MetricAlarm,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { Logger } from 'pino';
import { alarmWatchable, planAlarmSync } from '../../../core/src/monitoring/plan.js';
import type { AlarmMetricQuery, CloudWatchAlarm, DesiredMonitoring, Observed } from '../../../core/src/monitoring/types.js';
import { MonitoringCalls } from '../xray/monitoring-calls.js';
import type { MonitoringFailure } from '../xray/monitoring-errors.js';
import type { RetryDeps } from '../xray/retry.js';
import { fromSdkTags, toSdkTags } from '../xray/rule-codec.js';

export interface AlarmOutcome {
  specName: string;
  alarmName: string;
  alarmArn?: string;
  failure?: MonitoringFailure;
}

/** DeleteAlarms takes at most 100 names per call. */
const DELETE_BATCH = 100;

function fromSdkQuery(query: MetricDataQuery): AlarmMetricQuery {
  const stat = query.MetricStat;
  return {
    Id: query.Id ?? '',
    ReturnData: query.ReturnData ?? true,
    ...(query.Label !== undefined ? { Label: query.Label } : {}),
    ...(query.Expression !== undefined ? { Expression: query.Expression } : {}),
    ...(stat
      ? {
          MetricStat: {
            Metric: {
              Namespace: stat.Metric?.Namespace ?? '',
              MetricName: stat.Metric?.MetricName ?? '',
              Dimensions: (stat.Metric?.Dimensions ?? []).map((d) => ({ Name: d.Name ?? '', Value: d.Value ?? '' })),
            },
            Period: stat.Period ?? 0,
            Stat: stat.Stat ?? '',
          },
        }
      : {}),
  };
}

/** The core's shape of an alarm read from CloudWatch (the fields the operator sets, for drift). */
function fromSdkAlarm(alarm: MetricAlarm): CloudWatchAlarm {
  return {
    AlarmName: alarm.AlarmName ?? '',
    ...(alarm.AlarmArn ? { AlarmArn: alarm.AlarmArn } : {}),
    AlarmDescription: alarm.AlarmDescription ?? '',
    ActionsEnabled: alarm.ActionsEnabled ?? true,
    AlarmActions: [...(alarm.AlarmActions ?? [])],
    ComparisonOperator: alarm.ComparisonOperator as CloudWatchAlarm['ComparisonOperator'],
    Threshold: alarm.Threshold ?? Number.NaN,
    EvaluationPeriods: alarm.EvaluationPeriods ?? 0,
    DatapointsToAlarm: alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods ?? 0,
    TreatMissingData: alarm.TreatMissingData as CloudWatchAlarm['TreatMissingData'],
    Metrics: (alarm.Metrics ?? []).map(fromSdkQuery),
  };
}

export class AlarmSync {
  private readonly calls: MonitoringCalls;

  constructor(
    private readonly client: CloudWatchClient,
    retry: RetryDeps,
    private readonly logger: Logger,
  ) {
    this.calls = new MonitoringCalls('CloudWatch', retry);
  }

  /** `groupsHeld`: this owner's group names in X-Ray now; only alarms whose group and fault companion are held are wanted. */
  async sync(desired: DesiredMonitoring, groupsHeld: ReadonlySet<string>): Promise<{ alarms: AlarmOutcome[]; deleted: string[] }> {
    const observed = await this.observe(desired.alarmNamePrefix);
    const plan = planAlarmSync(desired, observed, groupsHeld);
    const log = this.logger.child({ namespace: desired.owner.namespace, name: desired.owner.name });
    const outcomes = new Map<string, Omit<AlarmOutcome, 'specName' | 'alarmName'>>();
    for (const { item } of plan.unchanged) outcomes.set(item.AlarmName, { alarmArn: item.AlarmArn });
    const deleted = plan.deletes.map((d) => d.item.AlarmName);
    for (let i = 0; i < deleted.length; i += DELETE_BATCH) {
      const AlarmNames = deleted.slice(i, i + DELETE_BATCH);
      await this.calls.send('DeleteAlarms', `alarms ${AlarmNames.join(', ')}`, () => this.client.send(new DeleteAlarmsCommand({ AlarmNames })));
      log.info({ operation: 'DeleteAlarms', alarmNames: AlarmNames }, 'Deleted CloudWatch alarms');
    }
    const arns = new Map(observed.map((o) => [o.item.AlarmName, o.item.AlarmArn]));
    for (const { alarm, exists } of plan.puts) {
      // Tags only apply when PutMetricAlarm creates the alarm; an owned alarm already carries them.
      const { AlarmArn: _arn, ...input } = alarm;
      const outcome = await this.calls.attempt('PutMetricAlarm', `alarm ${alarm.AlarmName}`, () =>
        this.client.send(new PutMetricAlarmCommand({ ...input, ...(exists ? {} : { Tags: toSdkTags(desired.tags) }) })),
      );
      outcomes.set(alarm.AlarmName, 'failure' in outcome ? { alarmArn: arns.get(alarm.AlarmName), failure: outcome.failure } : { alarmArn: arns.get(alarm.AlarmName) });
      if (!('failure' in outcome)) log.info({ operation: 'PutMetricAlarm', alarmName: alarm.AlarmName, created: !exists }, exists ? 'Updated CloudWatch alarm' : 'Created CloudWatch alarm');
    }
    for (const name of plan.conflicts) {
      outcomes.set(name, {
        failure: { reason: 'NameConflict', transient: false, message: `CloudWatch alarm ${name} exists but is not tagged as owned by this XRayTracing; the operator leaves it alone: delete or re-tag it` },
      });
    }
    const created = plan.puts.filter((p) => !p.exists && !outcomes.get(p.alarm.AlarmName)?.failure).map((p) => p.alarm.AlarmName);
    if (created.length > 0) await this.fillArns(desired.alarmNamePrefix, created, outcomes);
    const alarms = desired.groups.flatMap((d) => (d.alarm && alarmWatchable(d, groupsHeld) ? [{ specName: d.specName, alarmName: d.alarm.AlarmName, ...outcomes.get(d.alarm.AlarmName) }] : []));
    return { alarms, deleted };
  }

  /** PutMetricAlarm answers nothing: the ARNs of new alarms come from one more listing. */
  private async fillArns(prefix: string, names: string[], outcomes: Map<string, Omit<AlarmOutcome, 'specName' | 'alarmName'>>): Promise<void> {
    for (const alarm of await this.list(prefix)) {
      if (alarm.AlarmName && names.includes(alarm.AlarmName)) outcomes.set(alarm.AlarmName, { alarmArn: alarm.AlarmArn });
    }
  }

  private async list(prefix: string): Promise<MetricAlarm[]> {
    const alarms: MetricAlarm[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.calls.send('DescribeAlarms', undefined, () =>
        this.client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm'], NextToken })),
      );
      alarms.push(...(page.MetricAlarms ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return alarms;
  }

  private async observe(prefix: string): Promise<Observed<CloudWatchAlarm>[]> {
    const alarms = (await this.list(prefix)).filter((a) => a.AlarmName && a.AlarmArn);
    return Promise.all(
      alarms.map(async (alarm) => {
        const page = await this.calls.send('ListTagsForResource', `alarm ${alarm.AlarmName}`, () => this.client.send(new ListTagsForResourceCommand({ ResourceARN: alarm.AlarmArn })));
        return { item: fromSdkAlarm(alarm), tags: fromSdkTags(page.Tags) };
      }),
    );
  }
}
