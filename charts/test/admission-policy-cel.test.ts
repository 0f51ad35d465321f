// The chart's ValidatingAdmissionPolicy evaluated in-process (cel-js, with Kubernetes' lazy variables and its habit
// of leaving empty request fields out) over a table of writes by the operator's ServiceAccount: fast feedback on the
// CEL. e2e/admission-policy.test.ts runs the same policy on a real API server.
import { join } from 'node:path';
import { Environment } from '@marcbachmann/cel-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { findObject, helm, NAMESPACE, parseManifests, templateArgs, valuesDir } from './helm.js';
import { chartTools } from './tools.js';

interface Policy {
  matchConditions: { expression: string }[];
  variables: { name: string; expression: string }[];
  validations: { expression: string }[];
}

let policy: Policy;
let serviceAccount = '';
let names = { lease: '', secret: '', webhookConfig: '' };

beforeAll(async () => {
  const { helm4 } = await chartTools();
  const result = await helm(helm4, templateArgs([join(valuesDir, 'default.yaml')]));
  if (!result.ok) throw new Error(`helm template failed: ${result.stderr}`);
  const objects = parseManifests(result.stdout);
  policy = (findObject(objects, 'ValidatingAdmissionPolicy') as unknown as { spec: Policy }).spec;
  serviceAccount = `system:serviceaccount:${NAMESPACE}:${findObject(objects, 'ServiceAccount').metadata.name}`;
  const roleNames = (findObject(objects, 'Role') as unknown as { rules: { resources: string[]; resourceNames?: string[] }[] }).rules;
  const named = (resource: string): string => roleNames.find((rule) => rule.resources.includes(resource) && rule.resourceNames)?.resourceNames?.[0] ?? '';
  names = { lease: named('leases'), secret: named('secrets'), webhookConfig: findObject(objects, 'MutatingWebhookConfiguration').metadata.name };
}, 15 * 60_000);

const env = new Environment({ enableOptionalTypes: true, unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });

interface Write {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  group?: string;
  resource: string;
  subResource?: string;
  namespace?: string;
  name?: string;
  object?: unknown;
  oldObject?: unknown;
  username?: string;
}

/** 'skipped' when the policy does not apply; else whether every validation holds (an error refuses, failurePolicy Fail). */
function decide(write: Write): 'skipped' | 'allowed' | 'denied' {
  // As the API server sends it: empty fields are absent.
  const request = Object.fromEntries(Object.entries({
    operation: write.operation,
    resource: Object.fromEntries(Object.entries({ group: write.group, version: 'v1', resource: write.resource }).filter(([, value]) => value)),
    subResource: write.subResource,
    namespace: write.namespace,
    name: write.name,
    userInfo: { username: write.username ?? serviceAccount },
  }).filter(([, value]) => value));
  const context: Record<string, unknown> = { request, object: write.object ?? null, oldObject: write.oldObject ?? null };
  if (!policy.matchConditions.every((condition) => env.evaluate(condition.expression, context) === true)) return 'skipped';
  const variables: Record<string, unknown> = {};
  for (const variable of policy.variables) {
    let cached: { value: unknown } | undefined;
    Object.defineProperty(variables, variable.name, { enumerable: true, get: () => (cached ??= { value: env.evaluate(variable.expression, { ...context, variables }) }).value });
  }
  try {
    return policy.validations.every((validation) => env.evaluate(validation.expression, { ...context, variables }) === true) ? 'allowed' : 'denied';
  } catch {
    return 'denied';
  }
}

const collectorConfigMap = (labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'xray-operator' }) => ({
  metadata: { name: 'xray-collector-default', namespace: 'shop', labels, ownerReferences: [{ apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', name: 'default', uid: 'u', controller: true }] },
  data: { 'collector.yaml': 'receivers: {}' },
});

const workload = (change: { replicas?: number; image?: string; annotations?: Record<string, string>; templateAnnotations?: Record<string, string>; labels?: Record<string, string> } = {}) => ({
  metadata: { name: 'checkout', namespace: 'shop', uid: 'w', resourceVersion: '7', labels: change.labels ?? { app: 'checkout' }, ...(change.annotations ? { annotations: change.annotations } : {}) },
  spec: {
    replicas: change.replicas ?? 2,
    selector: { matchLabels: { app: 'checkout' } },
    template: {
      metadata: { labels: { app: 'checkout' }, ...(change.templateAnnotations ? { annotations: change.templateAnnotations } : {}) },
      spec: { containers: [{ name: 'app', image: change.image ?? 'shop/checkout:1' }] },
    },
  },
});

const update = (resource: string, object: unknown, oldObject: unknown, extra: Partial<Write> = {}): Write =>
  ({ operation: 'UPDATE', group: 'apps', resource, namespace: 'shop', name: 'checkout', object, oldObject, ...extra });

describe('the ValidatingAdmissionPolicy on the operator ServiceAccount', () => {
  const cases: [string, () => Write, 'skipped' | 'allowed' | 'denied'][] = [
    ['another user patching kube-system/aws-auth is not its business', () => ({ operation: 'UPDATE', resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', object: {}, oldObject: {}, username: 'kubernetes-admin' }), 'skipped'],
    ['patching kube-system/aws-auth', () => ({ operation: 'UPDATE', resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth', object: { metadata: { name: 'aws-auth' } }, oldObject: { metadata: { name: 'aws-auth' } } }), 'denied'],
    ['creating its collector ConfigMap', () => ({ operation: 'CREATE', resource: 'configmaps', namespace: 'shop', name: 'xray-collector-default', object: collectorConfigMap() }), 'allowed'],
    ['updating its collector ConfigMap', () => ({ operation: 'UPDATE', resource: 'configmaps', namespace: 'shop', name: 'xray-collector-default', object: collectorConfigMap(), oldObject: collectorConfigMap() }), 'allowed'],
    ['adopting a ConfigMap by adding the label', () => ({ operation: 'UPDATE', resource: 'configmaps', namespace: 'shop', name: 'xray-collector-default', object: collectorConfigMap(), oldObject: collectorConfigMap({}) }), 'denied'],
    ['dropping the label of its ConfigMap', () => ({ operation: 'UPDATE', resource: 'configmaps', namespace: 'shop', name: 'xray-collector-default', object: collectorConfigMap({}), oldObject: collectorConfigMap() }), 'denied'],
    ['creating a ConfigMap with another name', () => ({ operation: 'CREATE', resource: 'configmaps', namespace: 'shop', name: 'app-settings', object: { ...collectorConfigMap(), metadata: { ...collectorConfigMap().metadata, name: 'app-settings' } } }), 'denied'],
    ['deleting its own ConfigMap', () => ({ operation: 'DELETE', resource: 'configmaps', namespace: 'shop', name: 'xray-collector-default', oldObject: collectorConfigMap() }), 'allowed'],
    ['annotating a Deployment and its pod template', () => update('deployments', workload({ annotations: { a: 'b' }, templateAnnotations: { 'xray-operator.dev/restarted-at': 'now' } }), workload()), 'allowed'],
    ['annotating a StatefulSet pod template', () => update('statefulsets', workload({ templateAnnotations: { x: 'y' } }), workload()), 'allowed'],
    ['scaling a Deployment', () => update('deployments', workload({ replicas: 5 }), workload()), 'denied'],
    ['changing a DaemonSet image', () => update('daemonsets', workload({ image: 'evil/miner:1' }), workload()), 'denied'],
    ['relabelling a Deployment', () => update('deployments', workload({ labels: { app: 'x' } }), workload()), 'denied'],
    ['the scale subresource', () => update('deployments', workload(), workload(), { subResource: 'scale' }), 'denied'],
    ['creating a Deployment', () => ({ operation: 'CREATE', group: 'apps', resource: 'deployments', namespace: 'shop', name: 'x', object: workload() }), 'denied'],
    ['deleting a Deployment', () => ({ operation: 'DELETE', group: 'apps', resource: 'deployments', namespace: 'shop', name: 'checkout', oldObject: workload() }), 'denied'],
    ['annotating a kube-system Deployment', () => update('deployments', workload({ annotations: { a: 'b' } }), workload(), { namespace: 'kube-system' }), 'denied'],
    ['its Lease in the release namespace', () => ({ operation: 'UPDATE', group: 'coordination.k8s.io', resource: 'leases', namespace: NAMESPACE, name: names.lease, object: {}, oldObject: {} }), 'allowed'],
    ['another Lease in the release namespace', () => ({ operation: 'CREATE', group: 'coordination.k8s.io', resource: 'leases', namespace: NAMESPACE, name: 'other', object: {} }), 'denied'],
    ['its certificate Secret', () => ({ operation: 'CREATE', resource: 'secrets', namespace: NAMESPACE, name: names.secret, object: {} }), 'allowed'],
    ['another Secret in the release namespace', () => ({ operation: 'UPDATE', resource: 'secrets', namespace: NAMESPACE, name: 'other', object: {}, oldObject: {} }), 'denied'],
    ['an Event in an application namespace', () => ({ operation: 'CREATE', resource: 'events', namespace: 'shop', object: {} }), 'allowed'],
    ['an Event in kube-system', () => ({ operation: 'CREATE', resource: 'events', namespace: 'kube-system', object: {} }), 'denied'],
    ['its MutatingWebhookConfiguration', () => ({ operation: 'UPDATE', group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', name: names.webhookConfig, object: {}, oldObject: {} }), 'allowed'],
    ['another cluster-scoped object', () => ({ operation: 'UPDATE', group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', name: 'someone-else', object: {}, oldObject: {} }), 'denied'],
    ['an XRayTracing finalizer in an application namespace', () => ({ operation: 'UPDATE', group: 'tracing.xray-operator.dev', resource: 'xraytracings', namespace: 'shop', name: 'default', object: {}, oldObject: {} }), 'allowed'],
  ];

  it.each(cases)('%s: %s', (_name, write, expected) => {
    expect(decide(write())).toBe(expected);
  });
});
