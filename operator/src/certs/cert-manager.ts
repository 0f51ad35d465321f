// Self-managed webhook certificates: every replica runs this loop. The Secret is the shared state; writes use the
// resourceVersion (409 → re-read), so two replicas that decide to rotate at once end up serving the same pair.
// Each pass also makes the webhook configuration's caBundle trust the stored CAs before the new pair is served.
import { AdmissionregistrationV1Api, CoreV1Api, type KubeConfig, type V1MutatingWebhookConfiguration, type V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { FIELD_MANAGER, Labels, MANAGED_BY_VALUE } from '../../../core/src/constants.js';
import { classifyApiError, describeApiError, isConflict, isNotFound } from '../k8s/errors.js';
import { caBundlePatch } from './ca-bundle-patch.js';
import { issuePki } from './issue.js';
import { DEFAULT_CERT_POLICY, planPki, servingDnsNames } from './policy.js';
import type { CertPolicy, WebhookPki } from './policy.js';
import { pkiFromSecret, secretData } from './secret-codec.js';

export interface CertManagerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  secretName: string;
  serviceName: string;
  webhookConfigName: string;
  logger: Logger;
  /** Called with each serving pair after the first (which `startCertManager` returns): hot-swap it. */
  onCertificate: (cert: string, key: string) => void;
  policy?: CertPolicy;
  /** How often the Secret, the expiry and the caBundle are re-checked. */
  recheckIntervalMs?: number;
}

export interface CertManager {
  /** The serving pair to start the webhook server with. */
  readonly cert: string;
  readonly key: string;
  /** Runs one pass now (also what the timer does). */
  check(): Promise<void>;
  stop(): void;
}

const MAX_CONFLICT_RETRIES = 5;

const decodeBase64 = (value: string | undefined): string => Buffer.from(value ?? '', 'base64').toString('utf8');
const DEFAULT_RECHECK_MS = 30_000;

/** Resolves once a serving pair exists in the Secret (created if absent); keeps it current until stopped. */
export async function startCertManager(options: CertManagerOptions): Promise<CertManager> {
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const admission = options.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const logger = options.logger.child({ namespace: options.namespace, name: options.secretName, operation: 'certificates' });
  const policy = options.policy ?? DEFAULT_CERT_POLICY;
  const dnsNames = servingDnsNames(options.serviceName, options.namespace);

  async function ensurePki(): Promise<WebhookPki> {
    for (let attempt = 1; ; attempt++) {
      const secret = await readSecret();
      const stored = secret ? pkiFromSecret(secret) : undefined;
      const now = new Date();
      const plan = planPki(stored, dnsNames, now, policy);
      if (plan.action === 'keep' && stored) return stored;
      if (plan.action === 'keep') throw new Error('Unreachable: a keep plan without a stored PKI');
      // Without a stored bundle (Secret deleted), replicas still serving the old pair stay trusted until they swap.
      const currentCaBundle = stored ? '' : (await readWebhookConfig())?.webhooks?.map((webhook) => decodeBase64(webhook.clientConfig.caBundle)).join('\n') ?? '';
      const pki = await issuePki(plan, { stored, currentCaBundle, dnsNames, caCommonName: `xray-operator-webhook-ca.${options.namespace}`, now, policy });
      try {
        await writeSecret(secret, pki);
        logger.info({ reason: plan.reason, renewed: plan.action === 'renewAll' ? 'CA and serving certificate' : 'serving certificate' }, 'Issued webhook certificates');
        return pki;
      } catch (error) {
        if (!isConflict(error) || attempt >= MAX_CONFLICT_RETRIES) throw error;
        logger.debug({ attempt }, 'Another replica wrote the certificate Secret first, re-reading it');
      }
    }
  }

  async function readSecret(): Promise<V1Secret | undefined> {
    try {
      return await core.readNamespacedSecret({ name: options.secretName, namespace: options.namespace });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new Error(`Failed to read Secret ${options.namespace}/${options.secretName}: ${describeApiError(error)}`, { cause: error });
    }
  }

  async function writeSecret(current: V1Secret | undefined, pki: WebhookPki): Promise<void> {
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: {
        name: options.secretName,
        namespace: options.namespace,
        labels: { [Labels.managedBy]: MANAGED_BY_VALUE },
        // Present on update: the API server rejects the write with 409 if another replica wrote in between.
        resourceVersion: current?.metadata?.resourceVersion,
      },
      data: secretData(pki),
    };
    if (current) {
      await core.replaceNamespacedSecret({ name: options.secretName, namespace: options.namespace, body, fieldManager: FIELD_MANAGER });
    } else {
      await core.createNamespacedSecret({ namespace: options.namespace, body, fieldManager: FIELD_MANAGER });
    }
  }

  async function readWebhookConfig(): Promise<V1MutatingWebhookConfiguration | undefined> {
    try {
      return await admission.readMutatingWebhookConfiguration({ name: options.webhookConfigName });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new Error(`Failed to read MutatingWebhookConfiguration ${options.webhookConfigName}: ${describeApiError(error)}`, { cause: error });
    }
  }

  async function ensureCaBundle(caBundle: string): Promise<void> {
    const bundleBase64 = Buffer.from(caBundle, 'utf8').toString('base64');
    const config = await readWebhookConfig();
    if (!config) {
      logger.warn({ webhookConfig: options.webhookConfigName }, 'MutatingWebhookConfiguration not found, will set its caBundle once it exists');
      return;
    }
    const patch = caBundlePatch(config, bundleBase64);
    if (patch.length === 0) return;
    await admission.patchMutatingWebhookConfiguration({ name: options.webhookConfigName, body: patch, fieldManager: FIELD_MANAGER });
    logger.info({ webhookConfig: options.webhookConfigName }, 'Updated the webhook caBundle');
  }

  const first = await ensurePki();
  await ensureCaBundle(first.caBundle);
  let served = first.serving;

  async function check(): Promise<void> {
    const pki = await ensurePki();
    // Trust first, serve second: the API server must accept the new certificate the moment we present it.
    await ensureCaBundle(pki.caBundle);
    if (pki.serving.certPem === served.certPem && pki.serving.keyPem === served.keyPem) return;
    options.onCertificate(pki.serving.certPem, pki.serving.keyPem);
    served = pki.serving;
    logger.info('Serving the new webhook certificate');
  }

  let running: Promise<void> | undefined;
  function guardedCheck(): Promise<void> {
    running ??= check()
      .catch((error: unknown) => {
        logger.error({ err: error, kind: classifyApiError(error) }, 'Failed to check the webhook certificates, retrying at the next interval');
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const timer = setInterval(() => void guardedCheck(), options.recheckIntervalMs ?? DEFAULT_RECHECK_MS);
  return {
    cert: first.serving.certPem,
    key: first.serving.keyPem,
    check: guardedCheck,
    stop: () => clearInterval(timer),
  };
}
