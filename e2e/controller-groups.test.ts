// X-Ray groups, their Insights and CloudWatch fault alarms declared in an XRayTracing, on the real API server: the
// groups in the fake X-Ray API (which keeps the group API's limits), the alarms in moto's CloudWatch (it implements
// PutMetricAlarm with metric math and tags). Apply, edit, foreign objects, delete, and CloudWatch out of reach. A fault
// alarm divides the ApproximateTraceCount of the group's fault companion (its filter AND fault/error) by the group's.
import { writeFileSync } from 'node:fs';
import { CloudWatchClient, DescribeAlarmsCommand, ListTagsForResourceCommand, PutMetricAlarmCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_GROUP, API_VERSION, NamespaceAnnotation, RuleTags, XRAY_TRACING_PLURAL } from '../core/src/constants.js';
import type { XRayTracing, XRayTracingSpec } from '../core/src/api/types.js';
import { FAULT_COMPANION_TAG } from '../core/src/monitoring/fault-companion.js';
import { ownerNameSuffix } from '../core/src/sampling/naming.js';
import type { RunningController } from '../operator/src/controller/start.js';
import type { FakeXRay } from '../operator/src/test-support/fake-xray.js';
import type { ControlPlane } from './harness/control-plane.js';
import { applyObjects, createNamespace, mergePatch, waitFor } from './harness/kube.js';
import { startMoto, type Moto } from './harness/moto.js';
import {
  CLUSTER_NAME, E2E_REGION, readTracing, startControllerBed, startInProcessController, switchableForwarder, tracing, waitForCondition,
  type ControllerBed, type SwitchableForwarder,
} from './controller-support.js';

const STATUS_DUMP = process.env.XRAY_OPERATOR_GROUPS_STATUS_DUMP ?? '/work/helpers/issue16-status.yaml';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:shop-oncall';
const NAMESPACE = 'shop';

const monitored: XRayTracingSpec = {
  monitoring: {
    defaultGroup: { insights: { enabled: true, notifications: true }, faultAlarm: { threshold: 0.05, evaluationPeriods: 3, datapointsToAlarm: 2, snsTopicArns: [TOPIC] } },
    groups: [{ name: 'checkout', filterExpression: 'service("shop.checkout") { fault OR responsetime > 2 }', faultAlarm: { threshold: 0.1, metric: 'errors', periodSeconds: 300 } }],
  },
};

describe('controller e2e: X-Ray groups, Insights and fault alarms of an XRayTracing', () => {
  let bed: ControllerBed;
  let controlPlane: ControlPlane;
  let fakeXRay: FakeXRay;
  let moto: Moto;
  let cloudWatchLink: SwitchableForwarder;
  let cloudWatch: CloudWatchClient;
  let controller: RunningController;
  let registry: Registry;
  const hash = ownerNameSuffix({ clusterName: CLUSTER_NAME, namespace: NAMESPACE, name: 'default' }).slice(1);
  const groupName = (short: string) => `${short}-${hash}`;
  const alarmName = (short: string) => `xray-operator-${hash}-${short}`;
  const group = (name: string) => fakeXRay.groups.all().find((g) => g.GroupName === name);
  const alarms = async (): Promise<MetricAlarm[]> => (await cloudWatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? [];
  const alarm = async (name: string) => (await alarms()).find((a) => a.AlarmName === name);
  const alarmTags = async (arn: string) => Object.fromEntries(((await cloudWatch.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags ?? []).map((t) => [t.Key, t.Value]));
  const target = { group: API_GROUP, version: API_VERSION, plural: XRAY_TRACING_PLURAL, namespace: NAMESPACE, name: 'default' };
  const patchSpec = (spec: XRayTracingSpec) => controlPlane.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject({ ...target, body: { spec } }, mergePatch);
  const monitoringSynced = (current: XRayTracing | undefined) => current?.status?.conditions?.find((c) => c.type === 'MonitoringSynced');
  const ownerTags = { [RuleTags.managedBy]: 'xray-operator', [RuleTags.cluster]: CLUSTER_NAME, [RuleTags.namespace]: NAMESPACE, [RuleTags.name]: 'default' };
  const traceCountOf = (name: string) => ({ Namespace: 'AWS/X-Ray', MetricName: 'ApproximateTraceCount', Dimensions: [{ Name: 'GroupName', Value: name }] });
  /** The metric-math queries of an alarm as CloudWatch holds them: id → metric, and the expression it returns. */
  const mathOf = (read: MetricAlarm | undefined) => ({
    metrics: Object.fromEntries((read?.Metrics ?? []).filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!.Metric])),
    returned: (read?.Metrics ?? []).filter((m) => m.ReturnData).map((m) => m.Expression),
  });

  beforeAll(async () => {
    bed = await startControllerBed();
    ({ controlPlane, fakeXRay } = bed);
    moto = await startMoto();
    cloudWatchLink = await switchableForwarder(moto.endpoint);
    cloudWatch = new CloudWatchClient({ region: E2E_REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    // Another tool's objects: a group, and an alarm under our owner's name prefix that is not tagged as ours.
    fakeXRay.groups.put('team-errors', 'error', { team: 'payments' });
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarmName('hand-made'), Namespace: 'AWS/X-Ray', MetricName: 'ApproximateTraceCount', Dimensions: [{ Name: 'GroupName', Value: 'team-errors' }],
        Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', Tags: [{ Key: 'team', Value: 'payments' }],
      }),
    );
    ({ controller, registry } = await startInProcessController(controlPlane, fakeXRay, 'controller-groups.log', { cloudWatchEndpoint: cloudWatchLink.endpoint }));
    await waitFor('the controller to lead', () => Promise.resolve(controller.isLeader()));
    await createNamespace(controlPlane.kc, NAMESPACE);
  });

  afterAll(async () => {
    await controller?.stop();
    cloudWatch?.destroy();
    await cloudWatchLink?.close();
    await moto?.stop();
    await bed?.stop();
  });

  it('creates the groups with their Insights and the fault alarms, tagged as the XRayTracing\'s, and lists them in status', async () => {
    await applyObjects(controlPlane.kc, [tracing(NAMESPACE, 'default', monitored)]);
    const ready = await waitForCondition(controlPlane.kc, NAMESPACE, 'default', 'MonitoringSynced', 'True');
    expect(ready.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

    const namespaceGroup = group(groupName('default'));
    expect(namespaceGroup).toMatchObject({ FilterExpression: `${NamespaceAnnotation.filterKey} = "shop"`, InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: true } });
    expect(Object.fromEntries(namespaceGroup!.tags)).toEqual(ownerTags);
    expect(group(groupName('checkout'))).toMatchObject({ FilterExpression: monitored.monitoring!.groups![0]!.filterExpression, InsightsConfiguration: { InsightsEnabled: false } });

    // The fault companions: the group's filter AND fault (errors: AND error), the owner's tags plus the marker tag.
    const defaultFaults = group(groupName('default-F'));
    expect(defaultFaults).toMatchObject({ FilterExpression: `(${NamespaceAnnotation.filterKey} = "shop") AND fault`, InsightsConfiguration: { InsightsEnabled: false, NotificationsEnabled: false } });
    expect(Object.fromEntries(defaultFaults!.tags)).toEqual({ ...ownerTags, [FAULT_COMPANION_TAG]: groupName('default') });
    const checkoutErrors = group(groupName('checkout-E'));
    expect(checkoutErrors).toMatchObject({ FilterExpression: `(${monitored.monitoring!.groups![0]!.filterExpression}) AND error` });
    expect(Object.fromEntries(checkoutErrors!.tags)).toEqual({ ...ownerTags, [FAULT_COMPANION_TAG]: groupName('checkout') });

    const fault = await alarm(alarmName('default'));
    expect(fault).toMatchObject({ Threshold: 0.05, EvaluationPeriods: 3, DatapointsToAlarm: 2, AlarmActions: [TOPIC], ComparisonOperator: 'GreaterThanThreshold' });
    // Only ApproximateTraceCount exists per group: the companion's count over the group's.
    expect(mathOf(fault)).toEqual({ metrics: { failed: traceCountOf(groupName('default-F')), traces: traceCountOf(groupName('default')) }, returned: ['IF(traces > 0, failed / traces, 0)'] });
    expect(await alarmTags(fault!.AlarmArn!)).toEqual(ownerTags);
    const errors = await alarm(alarmName('checkout'));
    expect(mathOf(errors).metrics).toEqual({ failed: traceCountOf(groupName('checkout-E')), traces: traceCountOf(groupName('checkout')) });
    expect(errors?.Metrics?.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Period)).toEqual([300, 300]);

    const statusGroups = ready.status?.monitoring?.groups ?? [];
    expect(statusGroups.map((g) => [g.name, g.groupName, g.groupARN, g.state, g.alarm?.alarmARN, g.alarm?.state, g.alarm?.companionGroupName, g.alarm?.companionGroupARN])).toEqual([
      ['default', groupName('default'), namespaceGroup!.GroupARN, 'Synced', fault!.AlarmArn, 'Synced', groupName('default-F'), defaultFaults!.GroupARN],
      ['checkout', groupName('checkout'), group(groupName('checkout'))!.GroupARN, 'Synced', errors!.AlarmArn, 'Synced', groupName('checkout-E'), checkoutErrors!.GroupARN],
    ]);
    expect(statusGroups[1]?.alarm?.companionFilterExpression).toBe(checkoutErrors!.FilterExpression);
    expect(statusGroups[0]?.insights).toEqual({ enabled: true, notifications: true });
    const { managedFields: _managed, ...metadata } = ready.metadata as XRayTracing['metadata'] & { managedFields?: unknown };
    writeFileSync(STATUS_DUMP, `# kubectl get xrt -n ${NAMESPACE} default -o yaml (captured by e2e/controller-groups.test.ts)\n${dump({ ...ready, metadata }, { lineWidth: 160 })}`);
  });

  it('follows an edit: a new filter and Insights off, a new threshold, an alarm dropped with its fault companion', async () => {
    await patchSpec({
      monitoring: {
        defaultGroup: { insights: { enabled: false, notifications: false }, faultAlarm: { threshold: 0.2, evaluationPeriods: 3, datapointsToAlarm: 2, snsTopicArns: [TOPIC] } },
        groups: [{ name: 'checkout', filterExpression: 'service("shop.checkout") { fault }' }],
      },
    });
    await waitFor('the edit to reach X-Ray and CloudWatch', async () => {
      const current = await readTracing(controlPlane.kc, NAMESPACE, 'default');
      return current?.status?.observedGeneration === current?.metadata.generation && monitoringSynced(current)?.status === 'True' && current;
    });
    expect(group(groupName('default'))?.InsightsConfiguration).toEqual({ InsightsEnabled: false, NotificationsEnabled: false });
    expect(group(groupName('checkout'))?.FilterExpression).toBe('service("shop.checkout") { fault }');
    expect((await alarm(alarmName('default')))?.Threshold).toBe(0.2);
    expect(await alarm(alarmName('checkout'))).toBeUndefined();
    expect(group(groupName('checkout-E'))).toBeUndefined();
    expect(group(groupName('default-F'))?.FilterExpression).toBe(`(${NamespaceAnnotation.filterKey} = "shop") AND fault`);
    expect(fakeXRay.groups.all().map((g) => g.GroupName).sort()).toEqual(['Default', groupName('checkout'), groupName('default'), groupName('default-F'), 'team-errors'].sort());
  });

  it('leaves the other tool\'s group and alarm alone, even the one under its name prefix', async () => {
    expect(group('team-errors')).toMatchObject({ FilterExpression: 'error' });
    const handMade = await alarm(alarmName('hand-made'));
    expect(handMade).toMatchObject({ Threshold: 1 });
    expect(await alarmTags(handMade!.AlarmArn!)).toEqual({ team: 'payments' });
  });

  it('reports CloudWatch out of reach on MonitoringSynced without calling it for every event, and recovers', async () => {
    const describeCalls = async () =>
      ((await registry.getSingleMetric('xray_operator_xray_api_calls_total')?.get())?.values ?? [])
        .filter((v) => v.labels.operation === 'DescribeAlarms')
        .reduce((sum, v) => sum + v.value, 0);
    await cloudWatchLink.cut();
    try {
      await patchSpec({ monitoring: { ...monitored.monitoring, groups: [] } });
      const failed = await waitForCondition(controlPlane.kc, NAMESPACE, 'default', 'MonitoringSynced', 'False', 'AWSUnreachable');
      expect(monitoringSynced(failed)?.message).toMatch(/Could not reach the CloudWatch API/);
      expect(failed.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
      const before = await describeCalls();
      // Status writes and annotation edits each reconcile the XRayTracing: none may reach CloudWatch before the backoff.
      for (let i = 0; i < 5; i++) {
        await controlPlane.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject({ ...target, body: { metadata: { annotations: { poke: String(i) } } } }, mergePatch);
      }
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      // Backoff 1 s, 2 s, 4 s…: a handful of attempts in 3 s, not one per event.
      expect((await describeCalls()) - before).toBeLessThanOrEqual(3);
    } finally {
      await cloudWatchLink.restore();
    }
    await waitForCondition(controlPlane.kc, NAMESPACE, 'default', 'MonitoringSynced', 'True');
  });

  it('deletes its groups and alarms with the XRayTracing, and nothing else', async () => {
    await controlPlane.kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject(target);
    await waitFor('the XRayTracing to be gone', async () => (await readTracing(controlPlane.kc, NAMESPACE, 'default')) === undefined, { timeoutMs: 60_000 });
    expect(fakeXRay.groups.all().map((g) => g.GroupName).sort()).toEqual(['Default', 'team-errors']);
    expect((await alarms()).map((a) => a.AlarmName)).toEqual([alarmName('hand-made')]);
  });
});
