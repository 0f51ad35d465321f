// The chart's hardening objects (docs/security.md): the NetworkPolicy in front of the operator pods.
import { join } from 'node:path';
import type { V1Deployment, V1NetworkPolicy } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseOperatorConfig } from '../../operator/src/config/operator-config.js';
import { findObject, helm, parseManifests, templateArgs, valuesDir } from './helm.js';
import type { K8sObject } from './helm.js';
import { chartTools } from './tools.js';

const rendered: Record<'defaults' | 'customSelectors' | 'noNetworkPolicy', K8sObject[]> = { defaults: [], customSelectors: [], noNetworkPolicy: [] };

beforeAll(async () => {
  const { helm4 } = await chartTools();
  const render = async (file: string, set: readonly string[] = []): Promise<K8sObject[]> => {
    const result = await helm(helm4, templateArgs([join(valuesDir, file)], set.flatMap((value) => ['--set', value])));
    if (!result.ok) throw new Error(`helm template with ${file} ${set.join(' ')} failed: ${result.stderr}`);
    return parseManifests(result.stdout);
  };
  [rendered.defaults, rendered.customSelectors, rendered.noNetworkPolicy] = await Promise.all([
    render('default.yaml'),
    render('custom-selectors.yaml', ['webhook.port=10250', 'ports.http=9090']),
    render('default.yaml', ['networkPolicy.enabled=false']),
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
