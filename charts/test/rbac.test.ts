// The chart's RBAC grants exactly what operator/src/k8s/api-access.ts lists: nothing missing, nothing extra.
import { join } from 'node:path';
import type { V1PolicyRule } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ACCESS } from '../../operator/src/k8s/api-access.js';
import { findObject, helm, NAMESPACE, parseManifests, templateArgs, valuesDir } from './helm.js';
import type { K8sObject } from './helm.js';
import { chartTools } from './tools.js';

type Scope = 'cluster' | 'operatorNamespace';
const rendered: Record<'selfManaged' | 'certManager', K8sObject[]> = { selfManaged: [], certManager: [] };

beforeAll(async () => {
  const { helm4 } = await chartTools();
  const render = async (file: string): Promise<K8sObject[]> => {
    const result = await helm(helm4, templateArgs([join(valuesDir, file)]));
    if (!result.ok) throw new Error(`helm template with ${file} failed: ${result.stderr}`);
    return parseManifests(result.stdout);
  };
  [rendered.selfManaged, rendered.certManager] = await Promise.all([render('default.yaml'), render('cert-manager.yaml')]);
}, 15 * 60_000);

const rulesOf = (objects: K8sObject[], kind: 'ClusterRole' | 'Role'): V1PolicyRule[] => (findObject(objects, kind) as unknown as { rules: V1PolicyRule[] }).rules;

/** One `scope group/resource[/subresource] verb` line per permission a rule grants. */
function grants(rules: readonly V1PolicyRule[], scope: Scope): string[] {
  return rules.flatMap((rule) =>
    (rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${scope} ${group}/${resource} ${verb}`))));
}

function renderedGrants(objects: K8sObject[]): string[] {
  return [...new Set([...grants(rulesOf(objects, 'ClusterRole'), 'cluster'), ...grants(rulesOf(objects, 'Role'), 'operatorNamespace')])].sort();
}

function listedGrants(include: (resource: string) => boolean): string[] {
  return API_ACCESS.filter((access) => include(access.resource))
    .flatMap((access) => access.verbs.map((verb) => `${access.scope} ${access.apiGroup}/${access.resource}${access.subresource ? `/${access.subresource}` : ''} ${verb}`))
    .sort();
}

describe('the chart RBAC against operator/src/k8s/api-access.ts', () => {
  it('grants exactly the listed permissions with self-managed certificates', () => {
    expect(renderedGrants(rendered.selfManaged)).toEqual(listedGrants(() => true));
  });

  it('drops the certificate Secret permissions in cert-manager mode, and nothing else', () => {
    expect(renderedGrants(rendered.certManager)).toEqual(listedGrants((resource) => resource !== 'secrets'));
  });

  it('grants no get on what the operator reads from informer caches (list + watch), so a leaked token reads no more', () => {
    const cached = API_ACCESS.filter((access) => access.verbs.includes('watch'));
    expect(cached.map((access) => access.resource)).toEqual(expect.arrayContaining(['configmaps', 'pods', 'namespaces', 'xraytracings', 'deployments']));
    expect(cached.filter((access) => access.verbs.includes('get')).map((access) => access.resource)).toEqual([]);
    const clusterRole = renderedGrants(rendered.selfManaged).filter((grant) => grant.startsWith('cluster ') && grant.endsWith(' get'));
    expect(clusterRole).toEqual(['cluster admissionregistration.k8s.io/mutatingwebhookconfigurations get']);
  });

  it('uses no wildcard anywhere', () => {
    for (const objects of Object.values(rendered)) {
      for (const rule of [...rulesOf(objects, 'ClusterRole'), ...rulesOf(objects, 'Role')]) {
        const fields = [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs, ...(rule.resourceNames ?? []), ...(rule.nonResourceURLs ?? [])];
        expect(fields.filter((field) => field.includes('*')), JSON.stringify(rule)).toEqual([]);
      }
    }
  });

  it('limits every grant that can be limited by name to the release-owned object', () => {
    const objects = rendered.selfManaged;
    const webhookConfig = findObject(objects, 'MutatingWebhookConfiguration').metadata.name;
    const webhookRules = rulesOf(objects, 'ClusterRole').filter((rule) => rule.resources?.includes('mutatingwebhookconfigurations'));
    expect(webhookRules.map((rule) => rule.resourceNames)).toEqual([[webhookConfig]]);
    // `create` and `list` cannot be limited by name (the object has none yet; a list reads a collection); every other
    // namespaced verb is.
    for (const rule of rulesOf(objects, 'Role')) {
      if (rule.verbs.includes('create')) expect(rule.verbs).toEqual(['create']);
      else if (rule.verbs.includes('list')) expect(rule.verbs).toEqual(['list']);
      else expect(rule.resourceNames, JSON.stringify(rule)).toHaveLength(1);
    }
  });

  it('binds both roles to the operator ServiceAccount in the release namespace', () => {
    const serviceAccount = findObject(rendered.selfManaged, 'ServiceAccount').metadata.name;
    for (const [bindingKind, roleKind] of [['ClusterRoleBinding', 'ClusterRole'], ['RoleBinding', 'Role']] as const) {
      const binding = findObject(rendered.selfManaged, bindingKind) as unknown as { roleRef: { kind: string; name: string }; subjects: unknown[] };
      expect(binding.roleRef).toMatchObject({ kind: roleKind, name: findObject(rendered.selfManaged, roleKind).metadata.name });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: serviceAccount, namespace: NAMESPACE }]);
    }
  });
});
