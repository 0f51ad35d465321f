// Issue 10 item 5: the chart's ValidatingAdmissionPolicy holds the operator's ServiceAccount to what its code writes,
// on the real API server. RBAC alone grants cluster-wide patch on ConfigMaps and workloads; every denial below would
// succeed without the policy.
import { AdmissionregistrationV1Api, AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations } from '../core/src/constants.js';
import { apiRejection, createNamespace, waitFor } from './harness/kube.js';
import { RELEASE_NAMESPACE } from './harness/install.js';
import { useInstalledOperator } from './harness/suite.js';
import { createDeployment, createXRayTracing, deployment, readDeployment } from './harness/workloads.js';

const NAMESPACE = 'shop';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('the ValidatingAdmissionPolicy on the operator ServiceAccount', () => {
  const bed = useInstalledOperator();
  let asOperator: KubeConfig;

  beforeAll(async () => {
    const { controlPlane: { kc }, installed } = bed();
    asOperator = new KubeConfig();
    asOperator.loadFromFile(installed.kubeconfigPath);
    await createNamespace(kc, NAMESPACE);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'kube-system', body: { metadata: { name: 'aws-auth' }, data: { mapRoles: '[]' } } });
    await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'app-settings' }, data: { LOG_LEVEL: 'info' } } });
    await createDeployment(kc, deployment(NAMESPACE, 'checkout', { optIn: 'none' }));
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'kube-system', body: deployment('kube-system', 'coredns', { optIn: 'none' }) });
    // The API server enforces a policy once its informers have the policy and its binding, some time after helm
    // created them: until a dry run (which writes nothing) is denied, a write here could still go through.
    const configMaps = asOperator.makeApiClient(CoreV1Api);
    await waitFor('the API server to enforce the ValidatingAdmissionPolicy', async () => {
      const body = { data: { probe: 'dry-run' } };
      const { code, message } = await apiRejection(() => configMaps.patchNamespacedConfigMap({ namespace: 'kube-system', name: 'aws-auth', body, dryRun: 'All' }, mergePatch));
      return code === 403 && message.includes('ValidatingAdmissionPolicy');
    });
  });

  const patchDeployment = (namespace: string, body: object) =>
    asOperator.makeApiClient(AppsV1Api).patchNamespacedDeployment({ namespace, name: namespace === 'kube-system' ? 'coredns' : 'checkout', body }, mergePatch);
  const patchConfigMap = (namespace: string, name: string, body: object) =>
    asOperator.makeApiClient(CoreV1Api).patchNamespacedConfigMap({ namespace, name, body }, mergePatch);

  it('denies patching kube-system/aws-auth, which RBAC alone would allow', async () => {
    const { code, message } = await apiRejection(() => patchConfigMap('kube-system', 'aws-auth', { data: { mapRoles: '- rolearn: arn:aws:iam::1:role/admin' } }));
    expect(code).toBe(403);
    expect(message).toContain('ValidatingAdmissionPolicy');
    expect(message).toContain('nothing in kube-system');
  });

  it('denies writing a ConfigMap it does not own in an application namespace', async () => {
    const rejected = await apiRejection(() => patchConfigMap(NAMESPACE, 'app-settings', { data: { NODE_OPTIONS: '--require /tmp/evil.js' } }));
    expect(rejected.code).toBe(403);
    expect(rejected.message).toContain('may only write its own collector ConfigMaps');
    // Taking one over by adding the label is refused too: the ConfigMap must have been ours before the write.
    const takeover = await apiRejection(() => patchConfigMap(NAMESPACE, 'app-settings', { metadata: { labels: { 'app.kubernetes.io/managed-by': 'xray-operator' } } }));
    expect(takeover.code).toBe(403);
  });

  it('denies changing a Deployment\'s replicas or image, and anything at all in kube-system', async () => {
    for (const body of [{ spec: { replicas: 5 } }, { spec: { template: { spec: { containers: [{ name: 'app', image: 'evil.example/miner:1' }] } } } }, { metadata: { labels: { team: 'x' } } }]) {
      const { code, message } = await apiRejection(() => patchDeployment(NAMESPACE, body));
      expect(code, JSON.stringify(body)).toBe(403);
      expect(message).toContain('may only change annotations of deployments');
    }
    const { code } = await apiRejection(() => patchDeployment('kube-system', { spec: { template: { metadata: { annotations: { x: 'y' } } } } }));
    expect(code).toBe(403);
    const stored = await readDeployment(bed().controlPlane.kc, NAMESPACE, 'checkout');
    expect(stored.spec?.replicas).toBe(1);
    expect(stored.spec?.template.spec?.containers[0]?.image).toBe('example.invalid/shop/checkout:1');
  });

  it('denies changing pod template labels and StatefulSet replicas, which an annotation-only patch never does', async () => {
    const labels = await apiRejection(() => patchDeployment(NAMESPACE, { spec: { template: { metadata: { labels: { app: 'checkout', extra: 'x' } } } } }));
    expect(labels.code).toBe(403);
    const { kc } = bed().controlPlane;
    const template = deployment(NAMESPACE, 'db').spec!.template;
    await kc.makeApiClient(AppsV1Api).createNamespacedStatefulSet({
      namespace: NAMESPACE,
      body: { metadata: { name: 'db', namespace: NAMESPACE }, spec: { serviceName: 'db', replicas: 1, selector: { matchLabels: { app: 'db' } }, template } },
    });
    const statefulSets = asOperator.makeApiClient(AppsV1Api);
    const replicas = await apiRejection(() => statefulSets.patchNamespacedStatefulSet({ namespace: NAMESPACE, name: 'db', body: { spec: { replicas: 3 } } }, mergePatch));
    expect(replicas.code).toBe(403);
    expect(replicas.message).toContain('may only change annotations of statefulsets');
    const annotated = await statefulSets.patchNamespacedStatefulSet({ namespace: NAMESPACE, name: 'db', body: { spec: { template: { metadata: { annotations: { 'xray-operator.dev/restarted-at': 'now' } } } } } }, mergePatch);
    expect(annotated.spec?.template.metadata?.annotations?.['xray-operator.dev/restarted-at']).toBe('now');
  });

  it('allows annotating a Deployment and its pod template', async () => {
    const patched = await patchDeployment(NAMESPACE, {
      metadata: { annotations: { 'xray-operator.dev/note': 'checked' } },
      spec: { template: { metadata: { annotations: { 'xray-operator.dev/restarted-at': '2026-01-01T00:00:00Z' } } } },
    });
    expect(patched.spec?.template.metadata?.annotations).toMatchObject({ 'xray-operator.dev/restarted-at': '2026-01-01T00:00:00Z' });
  });

  it('lets the operator itself write its collector ConfigMap and propagate an opt-in into a pod template', async () => {
    const { kc } = bed().controlPlane;
    await createXRayTracing(kc, NAMESPACE, 'default', {});
    const core = kc.makeApiClient(CoreV1Api);
    const collector = await waitFor('the operator to apply xray-collector-default', async () => {
      const list = await core.listNamespacedConfigMap({ namespace: NAMESPACE, fieldSelector: 'metadata.name=xray-collector-default' });
      return list.items[0];
    });
    // And the ServiceAccount may update it (server-side apply, as the controller does).
    const applied = await asOperator.makeApiClient(CoreV1Api).patchNamespacedConfigMap(
      { namespace: NAMESPACE, name: 'xray-collector-default', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'xray-collector-default', namespace: NAMESPACE }, data: { note: 'e2e' } } as V1ConfigMap, fieldManager: 'e2e-as-operator', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(applied.data?.note).toBe('e2e');
    expect(collector.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('xray-operator');

    await kc.makeApiClient(AppsV1Api).patchNamespacedDeployment({ namespace: NAMESPACE, name: 'checkout', body: { metadata: { annotations: { [Annotations.injectNodejs]: 'true' } } } }, mergePatch);
    await waitFor('the operator to copy the opt-in into the pod template', async () =>
      (await readDeployment(kc, NAMESPACE, 'checkout')).spec?.template.metadata?.annotations?.[Annotations.injectNodejs] === 'true');
  });

  it('lets the ServiceAccount create a collector ConfigMap only with its label and an XRayTracing as controller, and never drop the label', async () => {
    const configMaps = asOperator.makeApiClient(CoreV1Api);
    const labels = { 'app.kubernetes.io/managed-by': 'xray-operator' };
    const unowned = await apiRejection(() => configMaps.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'xray-collector-unowned', labels } } }));
    expect(unowned.code).toBe(403);
    // A real owner, or the garbage collector would delete the ConfigMap under the test.
    const tracing = (await createXRayTracing(bed().controlPlane.kc, NAMESPACE, 'other', {})) as { metadata: { uid: string } };
    const owner = { apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', name: 'other', uid: tracing.metadata.uid, controller: true };
    const created = await configMaps.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'xray-collector-other-copy', labels, ownerReferences: [owner] } } });
    expect(created.metadata?.name).toBe('xray-collector-other-copy');
    const unlabel = await apiRejection(() => patchConfigMap(NAMESPACE, 'xray-collector-other-copy', { metadata: { labels: { 'app.kubernetes.io/managed-by': null } } }));
    expect(unlabel.code).toBe(403);
  });

  it('leaves the operator its Lease and certificate Secret in the release namespace and nothing else there', async () => {
    const core = asOperator.makeApiClient(CoreV1Api);
    const { code } = await apiRejection(() => core.createNamespacedConfigMap({
      namespace: RELEASE_NAMESPACE,
      body: { metadata: { name: 'xray-collector-x', labels: { 'app.kubernetes.io/managed-by': 'xray-operator' } } },
    }));
    expect(code).toBe(403);
    // RBAC cannot limit `create` by name; the policy does. The self-managed certificate Secret is the exception.
    const [operatorDeployment] = (await bed().controlPlane.kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: RELEASE_NAMESPACE })).items;
    const certSecret = operatorDeployment?.spec?.template.spec?.containers[0]?.args?.find((arg) => arg.startsWith('--cert-secret='))?.slice('--cert-secret='.length);
    expect(certSecret).toBeTruthy();
    const other = await apiRejection(() => core.createNamespacedSecret({ namespace: RELEASE_NAMESPACE, body: { metadata: { name: 'stolen' }, stringData: { a: 'b' } } }));
    expect(other.code).toBe(403);
    expect(other.message).toContain('only its Lease and certificate Secret');
    const created = await core.createNamespacedSecret({ namespace: RELEASE_NAMESPACE, body: { metadata: { name: certSecret! }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': '', 'tls.key': '' } } });
    expect(created.metadata?.name).toBe(certSecret);
  });

  it('lets the operator patch its own MutatingWebhookConfiguration (the caBundle) and no other cluster-scoped object', async () => {
    const { installed } = bed();
    const admission = asOperator.makeApiClient(AdmissionregistrationV1Api);
    const patched = await admission.patchMutatingWebhookConfiguration({ name: installed.webhookConfigurationName, body: { metadata: { annotations: { 'xray-operator.dev/e2e': 'checked' } } } }, mergePatch);
    expect(patched.metadata?.annotations?.['xray-operator.dev/e2e']).toBe('checked');
    const namespaces = await apiRejection(() => asOperator.makeApiClient(CoreV1Api).patchNamespace({ name: 'kube-system', body: { metadata: { labels: { x: 'y' } } } }, mergePatch));
    expect(namespaces.code).toBe(403);
  });
});
