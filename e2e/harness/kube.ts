// Small Kubernetes helpers for the scenarios: apply YAML, wait with bounded polling, a
// ServiceAccount's kubeconfig, and webhooks pointed at a local URL.
import {
  AdmissionregistrationV1Api,
  ApiException,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  loadAllYaml,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { join } from 'node:path';
import type { ControlPlane } from './control-plane.js';
import { writeKubeconfig } from './kubeconfig.js';

const E2E_FIELD_MANAGER = 'xray-operator-e2e';

/** Options that make a client-node patch call a JSON merge patch. */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Server-side applies every document of a YAML text (or given objects), in order. */
export async function applyObjects(kc: KubeConfig, objects: string | readonly KubernetesObject[]): Promise<KubernetesObject[]> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  const documents = typeof objects === 'string' ? (loadAllYaml(objects) as KubernetesObject[]) : objects;
  const applied: KubernetesObject[] = [];
  for (const object of documents.filter((document) => document?.kind)) {
    applied.push(await client.patch(object, undefined, undefined, E2E_FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  }
  return applied;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than undefined/false, and returns it. A probe that
 * throws is retried; the last error is the cause when the wait times out.
 */
export async function waitFor<T>(description: string, probe: () => Promise<T | undefined | false>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 250 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Undefined when the API answers 404. */
export async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw error;
  }
}

/** Creates a namespace and waits for its `default` ServiceAccount (pods are rejected before it exists). */
export async function createNamespace(kc: KubeConfig, name: string, labels: Record<string, string> = {}): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name, labels } } });
  await waitFor(`ServiceAccount ${name}/default`, () =>
    readOrUndefined(() => core.readNamespacedServiceAccount({ namespace: name, name: 'default' })),
  );
}

/** A kubeconfig that authenticates as the ServiceAccount, with a token from the TokenRequest API. */
export async function serviceAccountKubeconfig(
  controlPlane: ControlPlane,
  namespace: string,
  serviceAccount: string,
): Promise<{ kubeconfigPath: string; kc: KubeConfig }> {
  const core = controlPlane.kc.makeApiClient(CoreV1Api);
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    namespace,
    name: serviceAccount,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = tokenRequest.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
  const kubeconfigPath = join(controlPlane.dir, `${namespace}-${serviceAccount}.kubeconfig`);
  const kc = writeKubeconfig(kubeconfigPath, controlPlane.server, controlPlane.pki.caCert, `${namespace}-${serviceAccount}`, {
    kind: 'token',
    token,
  });
  return { kubeconfigPath, kc };
}

/**
 * Points every webhook of a MutatingWebhookConfiguration at `baseUrl` + the service path it had,
 * with `caBundle` (base64 PEM): there is no kube-proxy or DNS, so a Service reference cannot work.
 */
export async function pointMutatingWebhookAtUrl(kc: KubeConfig, configurationName: string, baseUrl: string, caBundle: string): Promise<void> {
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const configuration = await admission.readMutatingWebhookConfiguration({ name: configurationName });
  for (const webhook of configuration.webhooks ?? []) {
    const path = webhook.clientConfig.service?.path ?? new URL(webhook.clientConfig.url ?? baseUrl).pathname;
    webhook.clientConfig = { url: new URL(path, baseUrl).toString(), caBundle };
  }
  await admission.replaceMutatingWebhookConfiguration({ name: configurationName, body: configuration });
}

/** The rejection of `call`: its HTTP status and the API server's Status message. Throws if it succeeded. */
export async function apiRejection(call: () => Promise<unknown>): Promise<{ code: number; message: string }> {
  const error = await call().then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof ApiException)) throw new Error('Expected the API server to reject the request', { cause: error });
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return { code: error.code, message: body as string };
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return { code: error.code, message: typeof message === 'string' ? message : JSON.stringify(body) };
}
