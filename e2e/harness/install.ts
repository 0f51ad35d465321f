// Installs the operator the way a user does: `helm install` of charts/xray-operator, then (since
// nothing runs the chart's Deployment here) the operator process on this host, reached by the
// API server through the chart's webhook rewritten to a URL.
import { AdmissionregistrationV1Api, AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlane } from './control-plane.js';
import { pointMutatingWebhookAtUrl, serviceAccountKubeconfig } from './kube.js';
import { startOperator, type OperatorOptions, type RunningOperator } from './operator.js';
import { repoRoot } from './paths.js';
import { cliTools, runWithKubeconfig } from './tools.js';

export const RELEASE_NAME = 'xray-operator';
export const RELEASE_NAMESPACE = 'xray-system';
export const CHART_DIR = join(repoRoot, 'charts/xray-operator');

export interface InstalledOperator {
  operator: RunningOperator;
  webhookConfigurationName: string;
  /** The chart's ServiceAccount the operator runs as. */
  serviceAccount: string;
  /** Kubeconfig holding that ServiceAccount's token. */
  kubeconfigPath: string;
  helmOutput: string;
}

/** `helm install` with `--set` values; no `--wait` (there is no kubelet to make the chart's pods Ready). */
export async function helmInstall(controlPlane: ControlPlane, values: Record<string, string> = {}): Promise<string> {
  const setArgs = Object.entries({ clusterName: 'e2e', ...values }).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
  const { stdout } = await runWithKubeconfig(
    cliTools().helm,
    ['install', RELEASE_NAME, CHART_DIR, '--namespace', RELEASE_NAMESPACE, '--create-namespace', ...setArgs],
    controlPlane.kubeconfigPath,
  );
  return stdout;
}

async function releaseWebhookConfiguration(controlPlane: ControlPlane): Promise<string> {
  const admission = controlPlane.kc.makeApiClient(AdmissionregistrationV1Api);
  const list = await admission.listMutatingWebhookConfiguration({ labelSelector: `app.kubernetes.io/instance=${RELEASE_NAME}` });
  const name = list.items[0]?.metadata?.name;
  if (list.items.length !== 1 || !name) throw new Error(`Expected one MutatingWebhookConfiguration of release ${RELEASE_NAME}, found ${list.items.length}`);
  return name;
}

async function releaseServiceAccount(controlPlane: ControlPlane): Promise<string> {
  const core = controlPlane.kc.makeApiClient(CoreV1Api);
  const list = await core.listNamespacedServiceAccount({ namespace: RELEASE_NAMESPACE, labelSelector: `app.kubernetes.io/instance=${RELEASE_NAME}` });
  const name = list.items[0]?.metadata?.name;
  if (list.items.length !== 1 || !name) throw new Error(`Expected one ServiceAccount of release ${RELEASE_NAME}, found ${list.items.length}`);
  return name;
}

/** The operator container's args in the chart's Deployment, after the `run` command. */
async function chartOperatorArgs(controlPlane: ControlPlane): Promise<string[]> {
  const apps = controlPlane.kc.makeApiClient(AppsV1Api);
  const list = await apps.listNamespacedDeployment({ namespace: RELEASE_NAMESPACE, labelSelector: `app.kubernetes.io/instance=${RELEASE_NAME}` });
  const container = list.items[0]?.spec?.template.spec?.containers.find((candidate) => candidate.name === 'operator');
  const [command, ...args] = container?.args ?? [];
  if (list.items.length !== 1 || command !== 'run') throw new Error(`Expected one Deployment of release ${RELEASE_NAME} running the operator`);
  return args;
}

/**
 * helm install, then the operator as the chart's Deployment configures it (its args; addresses and
 * certificates are this host's) under the chart's ServiceAccount, then the webhook pointed at it.
 */
export async function installOperator(
  controlPlane: ControlPlane,
  options: { values?: Record<string, string>; operator?: OperatorOptions } = {},
): Promise<InstalledOperator> {
  const helmOutput = await helmInstall(controlPlane, options.values);
  const serviceAccount = await releaseServiceAccount(controlPlane);
  const { kubeconfigPath } = await serviceAccountKubeconfig(controlPlane, RELEASE_NAMESPACE, serviceAccount);
  const webhookConfigurationName = await releaseWebhookConfiguration(controlPlane);
  const operator = await startOperator(controlPlane, {
    kubeconfigPath,
    chartArgs: await chartOperatorArgs(controlPlane),
    ...options.operator,
  });
  const caBundle = readFileSync(controlPlane.pki.caCert).toString('base64');
  await pointMutatingWebhookAtUrl(controlPlane.kc, webhookConfigurationName, operator.webhookBaseUrl, caBundle);
  return { operator, webhookConfigurationName, serviceAccount, kubeconfigPath, helmOutput };
}
