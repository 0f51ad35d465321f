// The chart's hardening objects (docs/security.md): the NetworkPolicy in front of the operator pods and the
// ValidatingAdmissionPolicy on its ServiceAccount (e2e/admission-policy.test.ts runs it on a real API server).
import { join } from 'node:path';
import type { V1Deployment, V1NetworkPolicy } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseOperatorConfig } from '../../operator/src/config/operator-config.js';
import { Labels, MANAGED_BY_VALUE } from '../../core/src/constants.js';
import { collectorConfigMapName } from '../../operator/src/controller/tracing/collector-configmap.js';
import { findObject, helm, NAMESPACE, parseManifests, templateArgs, valuesDir } from './helm.js';
import type { K8sObject } from './helm.js';
import { chartTools } from './tools.js';

type Rendering = 'defaults' | 'customSelectors' | 'noNetworkPolicy' | 'certManager' | 'kube129' | 'noAdmissionPolicy';
const rendered: Record<Rendering, K8sObject[]> = { defaults: [], customSelectors: [], noNetworkPolicy: [], certManager: [], kube129: [], noAdmissionPolicy: [] };

beforeAll(async () => {
  const { helm4 } = await chartTools();
  const render = async (file: string, set: readonly string[] = [], extra: readonly string[] = []): Promise<K8sObject[]> => {
    const result = await helm(helm4, templateArgs([join(valuesDir, file)], [...set.flatMap((value) => ['--set', value]), ...extra]));
    if (!result.ok) throw new Error(`helm template with ${file} ${set.join(' ')} failed: ${result.stderr}`);
    return parseManifests(result.stdout);
  };
  [rendered.defaults, rendered.customSelectors, rendered.noNetworkPolicy, rendered.certManager, rendered.kube129, rendered.noAdmissionPolicy] = await Promise.all([
    render('default.yaml'),
    render('custom-selectors.yaml', ['webhook.port=10250', 'ports.http=9090']),
    render('default.yaml', ['networkPolicy.enabled=false']),
    render('cert-manager.yaml'),
    render('default.yaml', [], ['--kube-version', '1.29.0']),
    render('default.yaml', ['admissionPolicy.enabled=false']),
  ]);
}, 15 * 60_000);

const deploymentOf = (objects: K8sObject[]): V1Deployment => findObject(objects, 'Deployment');

describe('the NetworkPolicy', () => {
  it.each(['defaults', 'customSelectors'] as const)('selects the operator pods and admits ingress only to the ports the operator listens on (%s)', (name) => {
    const objects = rendered[name];
    const policy = findObject(objects, 'NetworkPolicy') as V1NetworkPolicy;
    const deployment = deploymentOf(objects);
    const config = parseOperatorConfig(deployment.spec!.template.spec!.containers[0]!.args!.slice(1), {});
    expect(policy.spec!.podSelector!.matchLabels).toEqual(deployment.spec!.selector.matchLabels);
    expect(Object.entries(policy.spec!.podSelector!.matchLabels!).every(([key, value]) => deployment.spec!.template.metadata!.labels![key] === value)).toBe(true);
    expect(policy.spec!.policyTypes).toEqual(['Ingress']);
    expect(policy.spec!.ingress).toEqual([{ ports: [{ port: config.webhookListen.port, protocol: 'TCP' }, { port: config.healthListen.port, protocol: 'TCP' }] }]);
  });

  it('is left out with networkPolicy.enabled=false', () => {
    expect(rendered.noNetworkPolicy.map((object) => object.kind)).not.toContain('NetworkPolicy');
  });
});

interface AdmissionPolicy {
  spec: {
    failurePolicy: string;
    matchConstraints: { resourceRules: { operations: string[]; resources: string[] }[] };
    matchConditions: { expression: string }[];
    variables: { name: string; expression: string }[];
    validations: { expression: string }[];
  };
}

const policyOf = (objects: K8sObject[]): AdmissionPolicy => findObject(objects, 'ValidatingAdmissionPolicy') as unknown as AdmissionPolicy;
const variable = (policy: AdmissionPolicy, name: string): string => policy.spec.variables.find((candidate) => candidate.name === name)?.expression ?? '';

describe('the ValidatingAdmissionPolicy', () => {
  it('applies to every write of the operator ServiceAccount, and to nothing else, failing closed', () => {
    const policy = policyOf(rendered.defaults);
    const serviceAccount = findObject(rendered.defaults, 'ServiceAccount').metadata.name;
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(policy.spec.matchConstraints.resourceRules).toEqual([expect.objectContaining({ operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['*/*'] })]);
    expect(policy.spec.matchConditions.map((condition) => condition.expression)).toEqual([`request.userInfo.username == 'system:serviceaccount:${NAMESPACE}:${serviceAccount}'`]);
    const binding = findObject(rendered.defaults, 'ValidatingAdmissionPolicyBinding') as unknown as { spec: { policyName: string; validationActions: string[] } };
    expect(binding.spec).toEqual({ policyName: findObject(rendered.defaults, 'ValidatingAdmissionPolicy').metadata.name, validationActions: ['Deny'] });
  });

  it('leaves the operator exactly its Lease and certificate Secret in the release namespace, and its own webhook configuration', () => {
    const policy = policyOf(rendered.defaults);
    const config = parseOperatorConfig(deploymentOf(rendered.defaults).spec!.template.spec!.containers[0]!.args!.slice(1), {});
    expect(variable(policy, 'protectedNamespace')).toBe(`variables.requestNamespace in ['kube-system', '${NAMESPACE}']`);
    expect(variable(policy, 'ownObjectHere')).toBe(`variables.requestNamespace == '${NAMESPACE}' && variables.target in ["coordination.k8s.io/leases/${config.leaseName}","/secrets/${config.certSecretName}"]`);
    expect(policy.spec.validations.map((validation) => validation.expression)).toContain(
      `variables.requestNamespace != '' || variables.target == 'admissionregistration.k8s.io/mutatingwebhookconfigurations/${config.webhookConfigName}'`,
    );
    // cert-manager writes the Secret there: the operator gets no Secret at all.
    expect(variable(policyOf(rendered.certManager), 'ownObjectHere')).not.toContain('/secrets/');
  });

  it('matches the collector ConfigMaps the controller writes by name and managed-by label', () => {
    const ownsConfigMap = variable(policyOf(rendered.defaults), 'ownsConfigMap');
    expect(ownsConfigMap).toContain(`startsWith('${collectorConfigMapName('')}')`);
    expect(ownsConfigMap).toContain(`[?'${Labels.managedBy}'].orValue('') == '${MANAGED_BY_VALUE}'`);
  });

  it('is rendered only for Kubernetes 1.30+ (admissionregistration.k8s.io/v1) and only when enabled', () => {
    for (const objects of [rendered.kube129, rendered.noAdmissionPolicy]) {
      const kinds = objects.map((object) => object.kind);
      expect(kinds).not.toContain('ValidatingAdmissionPolicy');
      expect(kinds).not.toContain('ValidatingAdmissionPolicyBinding');
    }
  });
});
