// Installs the operator the way a user does: `helm install` of charts/xray-operator, then (since
// nothing runs the chart's Deployment here) the operator process on this host, reached by the
// API server through the chart's webhook rewritten to a URL.
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
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

/** helm install, then the operator under the chart's ServiceAccount, then the webhook pointed at it. */
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
    namespace: RELEASE_NAMESPACE,
    extraArgs: [`--webhook-config=${webhookConfigurationName}`],
    ...options.operator,
  });
  const caBundle = readFileSync(controlPlane.pki.caCert).toString('base64');
  await pointMutatingWebhookAtUrl(controlPlane.kc, webhookConfigurationName, operator.webhookBaseUrl, caBundle);
  return { operator, webhookConfigurationName, serviceAccount, kubeconfigPath, helmOutput };
}
