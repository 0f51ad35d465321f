// The chart rendered offline with helm 4 and helm 3 for each values file in ./values, parsed and checked.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Deployment, V1MutatingWebhookConfiguration, V1PodSpec, V1Service } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { Annotations, DEFAULT_COLLECTOR_IMAGE, DEFAULT_INSTRUMENTATION_IMAGE, XRAY_TRACING_SHORT_NAME } from '../../core/src/constants.js';
import { restrictedProfileViolations } from '../../core/src/injection/restricted-profile.js';
import { parseOperatorConfig } from '../../operator/src/config/operator-config.js';
import { chartDir, findObject, helm, NAMESPACE, parseManifests, RELEASE, templateArgs, valuesDir } from './helm.js';
import type { K8sObject } from './helm.js';
import { chartTools } from './tools.js';

const crdSource = fileURLToPath(new URL('../../crds/xraytracings.tracing.xray-operator.dev.yaml', import.meta.url));
const valuesFiles = readdirSync(valuesDir).filter((file) => file.endsWith('.yaml')).sort();
const rendered = new Map<string, K8sObject[]>();
const helm3Output = new Map<string, string>();
const helm4Output = new Map<string, string>();
const lintFailures: string[] = [];
let withPrometheusOperator: K8sObject[] = [];
let installNotes = '';
let ownRegistryNotes = '';

beforeAll(async () => {
  const tools = await chartTools();
  await Promise.all(valuesFiles.map(async (file) => {
    const args = templateArgs([join(valuesDir, file)]);
    const [four, three, lint] = await Promise.all([
      helm(tools.helm4, args),
      helm(tools.helm3, args),
      helm(tools.helm4, ['lint', '--strict', chartDir, '--namespace', NAMESPACE, '-f', join(valuesDir, file)]),
    ]);
    if (!four.ok) throw new Error(`helm 4 template with ${file} failed: ${four.stderr}`);
    if (!three.ok) throw new Error(`helm 3 template with ${file} failed: ${three.stderr}`);
    if (!lint.ok) lintFailures.push(`helm 4 lint --strict with ${file}: ${lint.stdout}${lint.stderr}`);
    helm4Output.set(file, four.stdout);
    helm3Output.set(file, three.stdout);
    rendered.set(file, parseManifests(four.stdout));
  }));
  // What `helm install` sees on a cluster that serves the Prometheus Operator's CRDs.
  const auto = await helm(tools.helm4, templateArgs([join(valuesDir, 'default.yaml')], ['--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor']));
  if (!auto.ok) throw new Error(`helm template with the ServiceMonitor API failed: ${auto.stderr}`);
  withPrometheusOperator = parseManifests(auto.stdout);
  const dryRun = await helm(tools.helm4, ['install', RELEASE, chartDir, '--namespace', NAMESPACE, '--dry-run=client', '-f', join(valuesDir, 'default.yaml')]);
  if (!dryRun.ok) throw new Error(`helm install --dry-run=client failed: ${dryRun.stderr}`);
  installNotes = dryRun.stdout.slice(dryRun.stdout.indexOf('NOTES:'));
  const ownRegistry = await helm(tools.helm4, ['install', RELEASE, chartDir, '--namespace', NAMESPACE, '--dry-run=client', '-f', join(valuesDir, 'default.yaml'),
    '--set', `image.repository=${OWN_REGISTRY}/xray-operator`, '--set', `injectedImages.instrumentation.repository=${OWN_REGISTRY}/nodejs-instrumentation`]);
  if (!ownRegistry.ok) throw new Error(`helm install --dry-run=client with own images failed: ${ownRegistry.stderr}`);
  ownRegistryNotes = ownRegistry.stdout.slice(ownRegistry.stdout.indexOf('NOTES:'));
  const lint3 = await helm(tools.helm3, ['lint', '--strict', chartDir, '--namespace', NAMESPACE, '-f', join(valuesDir, 'default.yaml')]);
  if (!lint3.ok) lintFailures.push(`helm 3 lint --strict: ${lint3.stdout}${lint3.stderr}`);
}, 15 * 60_000);

const OWN_REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray-operator';
const objectsFor = (file: string): K8sObject[] => rendered.get(file) ?? [];
const deploymentOf = (file: string): V1Deployment => findObject(objectsFor(file), 'Deployment');
const webhookOf = (file: string): V1MutatingWebhookConfiguration => findObject(objectsFor(file), 'MutatingWebhookConfiguration');
const podSpecOf = (file: string): V1PodSpec => deploymentOf(file).spec!.template.spec!;
const operatorArgs = (file: string): string[] => podSpecOf(file).containers[0]!.args!;
const configOf = (file: string) => parseOperatorConfig(operatorArgs(file).slice(1), {});

/** Paths of null, empty-string, empty-list and empty-map values (helm leftovers like `annotations:` with nothing). */
function emptyFields(value: unknown, path: string, allowed: (path: string) => boolean): string[] {
  if (allowed(path)) return [];
  if (value === null || value === undefined || value === '') return [path];
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((item, index) => emptyFields(item, `${path}[${index}]`, allowed));
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? [path] : entries.flatMap(([key, item]) => emptyFields(item, `${path}.${key}`, allowed));
  }
  return [];
}

describe.each(valuesFiles)('the chart rendered with values/%s', (file) => {
  it('passes helm lint --strict (helm 4 for every values file, helm 3 for the defaults)', () => {
    expect(lintFailures).toEqual([]);
  });

  it('renders the same objects with helm 3 and helm 4 (their install order of custom kinds differs)', () => {
    const byKindAndName = (text: string | undefined): K8sObject[] =>
      parseManifests(text ?? '').sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    expect(byKindAndName(helm3Output.get(file))).toEqual(byKindAndName(helm4Output.get(file)));
  });

  it('renders every object the operator needs', () => {
    const kinds = objectsFor(file).map((object) => object.kind);
    for (const kind of ['CustomResourceDefinition', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Deployment', 'PodDisruptionBudget', 'MutatingWebhookConfiguration']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(kinds.filter((kind) => kind === 'Service')).toHaveLength(2);
  });

  it('leaves no null, empty-string or empty-collection fields behind', () => {
    // The core API group is ''; a self-signed Issuer has no settings.
    const allowed = (path: string): boolean => /\.apiGroups\[\d+\]$/.test(path) || path === 'Issuer.spec.selfSigned';
    const empty = objectsFor(file)
      .filter((object) => object.kind !== 'CustomResourceDefinition')
      .flatMap((object) => emptyFields(object, object.kind, allowed));
    expect(empty).toEqual([]);
  });

  it('labels every object consistently and puts namespaced objects in the release namespace', () => {
    for (const object of objectsFor(file)) {
      expect(object.metadata.labels, `${object.kind}/${object.metadata.name}`).toMatchObject({
        'app.kubernetes.io/name': 'xray-operator',
        'app.kubernetes.io/instance': RELEASE,
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': expect.stringMatching(/^xray-operator-\d+\.\d+\.\d+/) as unknown,
      });
      const clusterScoped = ['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'].includes(object.kind);
      expect(object.metadata.namespace, `${object.kind}/${object.metadata.name}`).toBe(clusterScoped ? undefined : NAMESPACE);
    }
  });

  it('passes operator flags that `xray-operator run` accepts and that name the rendered objects', () => {
    const config = configOf(file);
    const objects = objectsFor(file);
    expect(config.namespace).toBe(NAMESPACE);
    expect(config.webhookConfigName).toBe(webhookOf(file).metadata!.name);
    expect(config.webhookServiceName).toBe(webhookOf(file).webhooks![0]!.clientConfig.service!.name);
    findObject(objects, 'Service', config.webhookServiceName);
    const role = findObject(objects, 'Role') as unknown as { rules: { resources: string[]; resourceNames?: string[] }[] };
    expect(role.rules.find((rule) => rule.resources.includes('leases') && rule.resourceNames)?.resourceNames).toEqual([config.leaseName]);
    expect(config.leaderElect).toBe(true);
  });

  it.skipIf(file === 'private-registry.yaml')('passes the injected images, defaulting to the ones the operator is built with', () => {
    expect(configOf(file).defaults).toEqual({ instrumentationImage: DEFAULT_INSTRUMENTATION_IMAGE, collectorImage: DEFAULT_COLLECTOR_IMAGE });
  });

  it('runs the pod under the Pod Security restricted profile as uid 65532 with a read-only root filesystem', () => {
    const spec = podSpecOf(file);
    expect(restrictedProfileViolations(spec)).toEqual([]);
    const container = spec.containers[0]!;
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsUser: 65532, allowPrivilegeEscalation: false });
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('probes /healthz and /readyz on the plain-HTTP port the operator listens on, and serves the webhook on its HTTPS port', () => {
    const container = podSpecOf(file).containers[0]!;
    const config = configOf(file);
    const portNumber = (name: unknown): number | undefined => container.ports!.find((port) => port.name === name)?.containerPort;
    expect(container.livenessProbe?.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe?.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    expect(portNumber('http')).toBe(config.healthListen.port);
    expect(portNumber('webhook')).toBe(config.webhookListen.port);
    const webhookService = findObject(objectsFor(file), 'Service', config.webhookServiceName) as V1Service;
    expect(webhookService.spec!.ports).toEqual([{ name: 'https', port: 443, targetPort: 'webhook', protocol: 'TCP' }]);
    expect(webhookService.spec!.selector).toEqual(deploymentOf(file).spec!.selector.matchLabels);
  });

  it('keeps one replica through voluntary disruptions and spreads the two over nodes and zones', () => {
    const deployment = deploymentOf(file);
    expect(deployment.spec!.replicas).toBe(2);
    const pdb = findObject(objectsFor(file), 'PodDisruptionBudget') as unknown as { spec: { minAvailable: number; selector: unknown } };
    expect(pdb.spec).toEqual({ minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow', selector: deployment.spec!.selector });
    const spec = podSpecOf(file);
    expect(spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(spec.topologySpreadConstraints?.map((constraint) => constraint.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(deployment.spec!.strategy?.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    // A stopping replica keeps serving while its endpoint is withdrawn (rendered for Kubernetes 1.30+).
    expect(spec.containers[0]!.lifecycle?.preStop?.sleep?.seconds).toBeGreaterThan(0);
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(spec.containers[0]!.lifecycle!.preStop!.sleep!.seconds);
  });

  it('registers the pod webhook: CREATE on pods, /mutate-v1-pod, no side effects, short timeout, re-invoked, no caBundle', () => {
    const [webhook, ...others] = webhookOf(file).webhooks!;
    expect(others).toEqual([]);
    expect(webhook).toMatchObject({
      admissionReviewVersions: ['v1'],
      sideEffects: 'NoneOnDryRun',
      matchPolicy: 'Equivalent',
      reinvocationPolicy: 'IfNeeded',
      clientConfig: { service: { namespace: NAMESPACE, path: '/mutate-v1-pod', port: 443 } },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }],
    });
    expect(webhook!.timeoutSeconds).toBeLessThanOrEqual(5);
    // The operator or cert-manager writes it; rendering none is what keeps `helm upgrade` from blanking it.
    expect(webhook!.clientConfig.caBundle).toBeUndefined();
  });

  it('gives the operator the webhook\'s own selectors, so it never rolls a workload the webhook cannot see', () => {
    const [webhook] = webhookOf(file).webhooks!;
    expect(configOf(file).webhookSelection).toEqual({ namespaceSelector: webhook!.namespaceSelector, objectSelector: webhook!.objectSelector });
  });

  it('never sends kube-system or the operator namespace to the webhook', () => {
    const expressions = webhookOf(file).webhooks![0]!.namespaceSelector!.matchExpressions!;
    const exclusion = expressions.find((expression) => expression.key === 'kubernetes.io/metadata.name');
    expect(exclusion?.operator).toBe('NotIn');
    expect(exclusion?.values).toEqual(expect.arrayContaining(['kube-system', NAMESPACE]));
    expect(new Set(exclusion?.values).size).toBe(exclusion?.values?.length);
  });
});

describe('the notes helm install prints', () => {
  it('give the two next steps with a file that exists and the real annotation, and how to check', () => {
    expect(installNotes).toContain('kubectl apply -f examples/xraytracing.yaml');
    expect(existsSync(fileURLToPath(new URL('../../examples/xraytracing.yaml', import.meta.url)))).toBe(true);
    expect(installNotes).toContain(`annotate deployment/checkout ${Annotations.injectNodejs}=true`);
    expect(installNotes).toContain(`kubectl get ${XRAY_TRACING_SHORT_NAME} -A`);
  });

  it('warn, naming each value, while the images still point at the placeholder registry that publishes none', () => {
    expect(installNotes).toContain('WARNING: these images still point at the placeholder registry');
    expect(installNotes).toContain('image.repository=ghcr.io/xray-operator/xray-operator');
    expect(installNotes).toContain('injectedImages.instrumentation.repository=ghcr.io/xray-operator/nodejs-instrumentation');
    expect(installNotes).toContain('docs/install.md');
  });

  it('do not warn once both images come from the user\'s own registry', () => {
    expect(ownRegistryNotes).toContain('Next steps:');
    expect(ownRegistryNotes).not.toContain('placeholder registry');
  });
});

describe('values that change the chart', () => {
  it('pins an injected image by digest and passes the X-Ray endpoint allow pattern, which the operator then enforces', () => {
    const { defaults } = configOf('private-registry.yaml');
    expect(defaults.instrumentationImage).toBe(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/xray-operator/nodejs-instrumentation@sha256:1111111111111111111111111111111111111111111111111111111111111111',
    );
    expect(defaults.collectorImage).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/aws-otel-collector:v0.49.0');
    const allowed = defaults.awsEndpointAllowPattern!;
    expect(allowed.test('https://vpce-0a1b-c2d3.xray.eu-west-1.vpce.amazonaws.com')).toBe(true);
    expect(allowed.test('https://vpce-0a1b-c2d3.xray.eu-west-1.vpce.amazonaws.com.evil.example')).toBe(false);
  });

  it('passes the sampling rule budget, with one XRayTracing per namespace and no cluster cap by default', () => {
    expect(configOf('private-registry.yaml').ruleBudget).toEqual({ perNamespace: 4, perCluster: 20 });
    expect(configOf('default.yaml').ruleBudget).toEqual({ perNamespace: 11, perCluster: undefined });
  });

  it('passes the cluster-wide rollout cap, 10 by default, none for 0', () => {
    expect(configOf('default.yaml').maxConcurrentRollouts).toBe(10);
    expect(configOf('private-registry.yaml').maxConcurrentRollouts).toBeUndefined();
  });

  it('passes the X-Ray group budget, six groups per namespace and no cluster cap by default', () => {
    expect(configOf('private-registry.yaml').groupBudget).toEqual({ perNamespace: 3, perCluster: 12 });
    expect(configOf('default.yaml').groupBudget).toEqual({ perNamespace: 12, perCluster: undefined });
  });

  it('installs the CRD from crds/ unchanged, kept on helm uninstall so no XRayTracing is lost', () => {
    const source = yaml.load(readFileSync(crdSource, 'utf8')) as K8sObject;
    const crd = findObject(objectsFor('default.yaml'), 'CustomResourceDefinition');
    expect(crd.spec).toEqual(source.spec);
    expect(crd.metadata.name).toBe(source.metadata.name);
    expect(crd.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
  });

  it('fails open by default and ANDs user namespace and object selectors with the built-in exclusion', () => {
    expect(webhookOf('default.yaml').webhooks![0]!.failurePolicy).toBe('Ignore');
    expect(webhookOf('default.yaml').webhooks![0]!.objectSelector).toBeUndefined();
    const webhook = webhookOf('custom-selectors.yaml').webhooks![0]!;
    expect(webhook.failurePolicy).toBe('Fail');
    expect(webhook.timeoutSeconds).toBe(3);
    expect(webhook.namespaceSelector).toEqual({
      matchLabels: { tracing: 'enabled' },
      matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', NAMESPACE, 'monitoring'] },
        { key: 'team', operator: 'In', values: ['payments', 'checkout'] },
      ],
    });
    expect(webhook.objectSelector).toEqual({ matchExpressions: [{ key: 'xray-operator.dev/skip', operator: 'DoesNotExist' }] });
    expect(configOf('custom-selectors.yaml')).toMatchObject({ region: 'eu-west-1', logLevel: 'debug', clusterName: 'test-cluster' });
  });

  it('annotates the ServiceAccount with the IRSA role and passes scheduling settings through', () => {
    const serviceAccount = findObject(objectsFor('irsa.yaml'), 'ServiceAccount');
    expect(serviceAccount.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/xray-operator' });
    expect(findObject(objectsFor('default.yaml'), 'ServiceAccount').metadata.annotations).toBeUndefined();
    const spec = podSpecOf('irsa.yaml');
    expect(spec.serviceAccountName).toBe(serviceAccount.metadata.name);
    expect(spec.priorityClassName).toBe('system-cluster-critical');
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }]);
    expect(configOf('private-registry.yaml').clusterName).toBe('prod-eu-west-1');
    expect(spec.containers[0]!.env).toEqual([{ name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' }]);
    expect(podSpecOf('default.yaml').containers[0]!.env).toBeUndefined();
  });

  it('self-managed certificates: the operator keeps its own Secret; no cert-manager objects', () => {
    expect(configOf('default.yaml')).toMatchObject({ certMode: 'self-managed', certSecretName: `${RELEASE}-xray-operator-webhook-tls` });
    const kinds = objectsFor('default.yaml').map((object) => object.kind);
    expect(kinds).not.toContain('Certificate');
    expect(webhookOf('default.yaml').metadata!.annotations).toBeUndefined();
  });

  it('cert-manager mode: a CA-backed Certificate for the webhook Service, its Secret mounted, its CA injected', () => {
    const objects = objectsFor('cert-manager.yaml');
    const config = configOf('cert-manager.yaml');
    const certificate = findObject(objects, 'Certificate', `${RELEASE}-xray-operator`) as unknown as { spec: { secretName: string; dnsNames: string[]; issuerRef: { name: string } } };
    expect(certificate.spec.dnsNames).toContain(`${config.webhookServiceName}.${NAMESPACE}.svc`);
    expect(findObject(objects, 'Issuer', certificate.spec.issuerRef.name)).toHaveProperty('spec.ca.secretName');
    expect(webhookOf('cert-manager.yaml').metadata!.annotations).toEqual({ 'cert-manager.io/inject-ca-from': `${NAMESPACE}/${RELEASE}-xray-operator` });
    expect(config.certMode).toBe('files');
    const spec = podSpecOf('cert-manager.yaml');
    const volume = spec.volumes!.find((candidate) => candidate.secret?.secretName === certificate.spec.secretName);
    const mount = spec.containers[0]!.volumeMounts!.find((candidate) => candidate.name === volume?.name);
    expect(mount?.readOnly).toBe(true);
    expect(config.tlsCertFile).toBe(`${mount!.mountPath}/tls.crt`);
    expect(config.tlsKeyFile).toBe(`${mount!.mountPath}/tls.key`);
  });

  it('renders a ServiceMonitor that selects the metrics Service only when asked (or when the CRD is served)', () => {
    expect(objectsFor('default.yaml').map((object) => object.kind)).not.toContain('ServiceMonitor');
    expect(withPrometheusOperator.map((object) => object.kind)).toContain('ServiceMonitor');
    const objects = objectsFor('service-monitor.yaml');
    const monitor = findObject(objects, 'ServiceMonitor') as unknown as { metadata: { labels: Record<string, string> }; spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] } };
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    const services = objects.filter((object) => object.kind === 'Service') as V1Service[];
    const selected = services.filter((service) => Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => service.metadata!.labels?.[key] === value));
    expect(selected).toHaveLength(1);
    expect(selected[0]!.spec!.ports!.map((port) => port.name)).toContain(monitor.spec.endpoints[0]!.port);
    expect(monitor.spec.endpoints[0]!.path).toBe('/metrics');
  });
});
