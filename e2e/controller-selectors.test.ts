// Issue 13 item 3: an XRayTracing selects workloads itself (spec.selector, spec.selectAll, spec.exclude), with the
// inject-nodejs annotation still winning, and the controller keeps each selected workload's tracing-state record.
// The operator runs as installed by the chart (its webhook configuration unchanged), on a real API server with
// kube-controller-manager making the pods; one selected pod runs through the pod runner with its injected preload
// and collector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { KubeConfig, V1Deployment } from '@kubernetes/client-node';
import { Annotations, InjectedNames } from '../core/src/constants.js';
import type { XRayTracingSpec } from '../core/src/api/types.js';
import { validateXRayTracing } from '../core/src/api/validate.js';
import { httpCall } from './harness/http.js';
import { apiRejection, createNamespace, waitFor } from './harness/kube.js';
import { repoRoot } from './harness/paths.js';
import { runPod, type RunningPod } from './harness/pod-runner.js';
import { freePort } from './harness/ports.js';
import { E2E_REGION as REGION, useInstalledOperator } from './harness/suite.js';
import { cliTools, runWithKubeconfig } from './harness/tools.js';
import {
  createDeployment, createXRayTracing, deployment, isInjectedPod, readDeployment, restrictedPodSpec, waitForCondition, waitForPods,
} from './harness/workloads.js';

const bed = useInstalledOperator();

/** An unannotated Deployment running e2e/apps/checkout.mjs, with extra template labels and annotations. */
function unannotated(namespace: string, name: string, labels: Record<string, string>, annotations: Record<string, string> = {}): V1Deployment {
  const podSpec = restrictedPodSpec();
  podSpec.containers[0] = { ...podSpec.containers[0]!, command: ['node', 'checkout.mjs'], workingDir: '/app' };
  const body = deployment(namespace, name, { optIn: 'none', podSpec });
  const template = body.spec!.template.metadata!;
  template.labels = { ...template.labels, ...labels };
  template.annotations = { ...template.annotations, ...annotations };
  return body;
}

const tracingState = async (kc: KubeConfig, namespace: string, name: string): Promise<string | undefined> =>
  (await readDeployment(kc, namespace, name)).metadata?.annotations?.[Annotations.tracingState];

const waitForState = (kc: KubeConfig, namespace: string, name: string, state: string): Promise<string> =>
  waitFor(`${namespace}/${name} recorded as ${state}`, async () => (await tracingState(kc, namespace, name)) === state && state, { timeoutMs: 60_000 });

/** What a user runs to see the records (an annotation, so custom columns rather than -L). */
async function printStates(kubeconfigPath: string, namespace: string): Promise<void> {
  const column = `TRACING-STATE:.metadata.annotations.${Annotations.tracingState.replace(/\./g, '\\.')}`;
  const args = ['get', 'deploy', '-n', namespace, '-o', `custom-columns=NAME:.metadata.name,${column}`];
  const { stdout } = await runWithKubeconfig(cliTools().kubectl, args, kubeconfigPath);
  console.log(`kubectl ${args.join(' ')}\n${stdout}`);
}

describe('an XRayTracing with spec.selector and spec.exclude', () => {
  const NAMESPACE = 'selected';
  let running: RunningPod | undefined;

  beforeAll(async () => {
    const { controlPlane: { kc }, fakeXRay } = bed();
    await createNamespace(kc, NAMESPACE);
    const spec: XRayTracingSpec = {
      selector: { matchLabels: { runtime: 'node' } },
      exclude: { workloads: [{ kind: 'Deployment', name: 'legacy' }] },
      sampling: { mode: 'local', fixedRate: 1 },
      collector: { region: REGION, awsEndpoint: fakeXRay.endpoint },
    };
    await createXRayTracing(kc, NAMESPACE, 'default', spec);
    await waitForCondition(kc, NAMESPACE, 'default');
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('injects the pods of a matching unannotated Deployment, which run with the preload and the collector, and records it as injected', async () => {
    const { controlPlane: { kc } } = bed();
    // The webhook's cache may not have the XRayTracing yet: a pod admitted before is rolled by the controller.
    await createDeployment(kc, unannotated(NAMESPACE, 'web', { runtime: 'node' }));
    const [pod] = await waitForPods(kc, NAMESPACE, 'web', 1, isInjectedPod);
    expect(pod!.metadata?.annotations?.[Annotations.injected]).toMatch(/^default\//);
    await waitForState(kc, NAMESPACE, 'web', 'injected');
    // The record is on the Deployment's metadata only: the pod template carries no trace of it.
    const stored = await readDeployment(kc, NAMESPACE, 'web');
    expect(stored.spec?.template.metadata?.annotations?.[Annotations.tracingState]).toBeUndefined();

    const port = await freePort();
    running = await runPod(pod!, { hostPaths: { '/app': join(repoRoot, 'e2e/apps') }, appEnv: { PORT: String(port) }, region: REGION });
    await waitFor('the selected app to listen', async () => (await httpCall(`http://127.0.0.1:${port}/health`)).statusCode === 200, { timeoutMs: 30_000 });
    expect(running.appEnv.get('NODE_OPTIONS')).toContain('autoinstrumentation.js');
    expect(running.collector).toBeDefined();
  });

  it.each([
    ['excluded by name', 'legacy', { runtime: 'node' }, {}],
    ['annotated inject-nodejs "false" although selected', 'optout', { runtime: 'node' }, { [Annotations.injectNodejs]: 'false' }],
    ['not matched by the selector', 'worker', { runtime: 'python' }, {}],
  ])('leaves a Deployment %s uninjected and without a record', async (_case, name, labels, annotations) => {
    const { controlPlane: { kc } } = bed();
    await createDeployment(kc, unannotated(NAMESPACE, name, labels, annotations));
    const [pod] = await waitForPods(kc, NAMESPACE, name, 1);
    expect(isInjectedPod(pod!)).toBe(false);
    expect((pod!.spec?.initContainers ?? []).map((c) => c.name)).not.toContain(InjectedNames.initContainer);
    // web's record is written by the same workload queue: once it is there, these were reconciled too.
    await waitForState(kc, NAMESPACE, 'web', 'injected');
    expect(await tracingState(kc, NAMESPACE, name)).toBeUndefined();
  });

  it('never rolls the Deployments it does not select, and shows the records in kubectl', async () => {
    const { controlPlane: { kc, kubeconfigPath } } = bed();
    for (const name of ['legacy', 'optout', 'worker']) {
      expect((await readDeployment(kc, NAMESPACE, name)).spec?.template.metadata?.annotations?.[Annotations.restartedAt]).toBeUndefined();
      expect((await waitForPods(kc, NAMESPACE, name, 1)).some(isInjectedPod)).toBe(false);
    }
    await printStates(kubeconfigPath, NAMESPACE);
  });
});

describe('an XRayTracing with selectAll', () => {
  const NAMESPACE = 'everything';

  it('rolls the namespace\'s existing unannotated Deployments into injection, less those it excludes', async () => {
    const { controlPlane: { kc, kubeconfigPath } } = bed();
    await createNamespace(kc, NAMESPACE);
    // Running before any XRayTracing exists: admitted plain.
    await createDeployment(kc, unannotated(NAMESPACE, 'api', {}));
    await createDeployment(kc, unannotated(NAMESPACE, 'batch', { tier: 'batch' }));
    const [plain] = await waitForPods(kc, NAMESPACE, 'api', 1);
    expect(isInjectedPod(plain!)).toBe(false);

    await createXRayTracing(kc, NAMESPACE, 'default', { selectAll: true, exclude: { selector: { matchLabels: { tier: 'batch' } } } });
    const [rolled] = await waitForPods(kc, NAMESPACE, 'api', 1, isInjectedPod);
    expect(rolled!.metadata?.annotations?.[Annotations.restartReason]).toContain('admitted without injection');
    await waitForState(kc, NAMESPACE, 'api', 'injected');

    const [batch] = await waitForPods(kc, NAMESPACE, 'batch', 1);
    expect(isInjectedPod(batch!)).toBe(false);
    expect((await readDeployment(kc, NAMESPACE, 'batch')).spec?.template.metadata?.annotations?.[Annotations.restartedAt]).toBeUndefined();
    expect(await tracingState(kc, NAMESPACE, 'batch')).toBeUndefined();
    await printStates(kubeconfigPath, NAMESPACE);
  });
});

describe('the API server judges the selection fields as the CLI does', () => {
  it.each<[string, XRayTracingSpec]>([
    ['selector with selectAll', { selectAll: true, selector: { matchLabels: { app: 'web' } } }],
    ['an empty selector', { selector: {} }],
    ['an empty exclude selector', { exclude: { selector: { matchLabels: {} } } }],
    ['In without values', { selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }],
    ['Exists with values', { selector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] } }],
  ])('rejects %s with the message validateXRayTracing gives', async (_case, spec) => {
    const { kc } = bed().controlPlane;
    await createNamespace(kc, 'invalid').catch(() => undefined);
    const local = validateXRayTracing({ apiVersion: 'tracing.xray-operator.dev/v1alpha1', kind: 'XRayTracing', metadata: { name: 'x' }, spec });
    expect(local.ok).toBe(false);
    const { code, message } = await apiRejection(() => createXRayTracing(kc, 'invalid', 'x', spec));
    expect(code).toBe(422);
    for (const error of local.ok ? [] : local.errors) expect(message).toContain(error.message.split(' (')[0]);
  });
});
