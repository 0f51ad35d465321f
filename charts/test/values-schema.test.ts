// Bad values stop `helm template`/`install` with a message that names the value and what is allowed.
import { beforeAll, describe, expect, it } from 'vitest';
import { helm, templateArgs } from './helm.js';
import type { HelmResult } from './helm.js';
import { chartTools } from './tools.js';

const cases = [
  { values: ['webhook.failurePolicy=Sometimes'], message: "at '/webhook/failurePolicy': value must be one of 'Ignore', 'Fail'" },
  { values: ['certificates.mode=manual'], message: "at '/certificates/mode': value must be one of 'self-managed', 'cert-manager'" },
  { values: ['replicas=3'], message: "additional properties 'replicas' not allowed" },
  { values: ['serviceAccount.roleArn=my-role'], message: "at '/serviceAccount/roleArn': 'my-role' does not match pattern" },
  { values: ['aws.region=Europe'], message: "at '/aws/region': 'Europe' does not match pattern" },
  { values: ['webhook.timeoutSeconds=60'], message: "at '/webhook/timeoutSeconds': maximum: got 60, want 30" },
  { values: ['networkPolicy.enable=false'], message: "additional properties 'enable' not allowed" },
  { values: ['admissionPolicy.enabled=maybe'], message: "at '/admissionPolicy/enabled': got string, want boolean" },
] as const;

const results = new Map<string, HelmResult>();
let helm3Typo: HelmResult;
let withoutClusterName: HelmResult[];
let replicasWithoutLease: HelmResult;

beforeAll(async () => {
  const tools = await chartTools();
  const template = (binary: string, values: readonly string[]): Promise<HelmResult> =>
    helm(binary, templateArgs([], values.flatMap((value) => ['--set', value])));
  await Promise.all(cases.map(async (testCase) => {
    results.set(testCase.values.join(' '), await template(tools.helm4, ['clusterName=test', ...testCase.values]));
  }));
  helm3Typo = await template(tools.helm3, ['clusterName=test', 'replicas=3']);
  withoutClusterName = await Promise.all([template(tools.helm4, []), template(tools.helm3, [])]);
  replicasWithoutLease = await template(tools.helm4, ['clusterName=test', 'leaderElection.enabled=false']);
}, 15 * 60_000);

describe('values.schema.json', () => {
  it.each(cases)('rejects $values with "$message"', ({ values, message }) => {
    const result = results.get(values.join(' '));
    expect(result?.ok).toBe(false);
    expect(result?.stderr).toContain(message);
  });

  it('validates with helm 3 too', () => {
    expect(helm3Typo.ok).toBe(false);
    expect(helm3Typo.stderr).toContain("additional properties 'replicas' not allowed");
  });
});

describe('checks in the templates', () => {
  it('refuses several replicas without leader election, which would run the controllers twice', () => {
    expect(replicasWithoutLease.ok).toBe(false);
    expect(replicasWithoutLease.stderr).toContain('leaderElection.enabled=false needs replicaCount=1');
  });

  it('is required when rendering without a cluster to look the kube-system UID up in (helm 4 and 3)', () => {
    for (const result of withoutClusterName) {
      expect(result.ok).toBe(false);
      expect(result.stderr).toContain('clusterName is required when rendering without a cluster');
    }
  });
});
