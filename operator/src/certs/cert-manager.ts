// Self-managed webhook certificates: every replica runs this loop. The Secret is the shared state; writes use the
// resourceVersion (409 → re-read), so two replicas that decide to rotate at once end up serving the same pair.
// Each pass also makes the webhook configuration's caBundle trust the stored CAs before the new pair is served.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { classifyApiError, isConflict } from '../k8s/errors.js';
import { makeKubeClients } from '../k8s/clients.js';
import { CertificateSecret } from './certificate-secret.js';
import { issuePki } from './issue.js';
import { DEFAULT_CERT_POLICY, planPki, servingDnsNames } from './policy.js';
import type { CertPolicy, WebhookPki } from './policy.js';
import { pkiFromSecret } from './secret-codec.js';
import { WebhookCaBundle } from './webhook-ca-bundle.js';

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
  /** Runs one pass now (also what the timer does); never rejects, failures are logged. */
  check(): Promise<void>;
  stop(): void;
}

const MAX_CONFLICT_RETRIES = 5;
const DEFAULT_RECHECK_MS = 30_000;

interface PkiContext {
  secret: CertificateSecret;
  caBundle: WebhookCaBundle;
  dnsNames: readonly string[];
  policy: CertPolicy;
  logger: Logger;
}

/** The PKI in the Secret, issuing and storing what is missing or due; re-reads when another replica wrote first. */
async function ensurePki(context: PkiContext): Promise<WebhookPki> {
  const { secret, policy, dnsNames, logger } = context;
  for (let attempt = 1; ; attempt++) {
    const current = await secret.read();
    const stored = current ? pkiFromSecret(current) : undefined;
    const now = new Date();
    const plan = planPki(stored, dnsNames, now, policy);
    if (plan.action === 'keep' && stored) return stored;
    if (plan.action === 'keep') throw new Error('A keep plan needs a stored PKI');
    // Without a stored bundle (Secret deleted), replicas still serving the old pair stay trusted until they swap.
    const currentCaBundle = stored ? '' : await context.caBundle.trusted();
    const pki = await issuePki(plan, { stored, currentCaBundle, dnsNames, caCommonName: `xray-operator-webhook-ca.${secret.namespace}`, now, policy });
    try {
      await secret.write(current, pki);
      logger.info({ reason: plan.reason, renewed: plan.action === 'renewAll' ? 'CA and serving certificate' : 'serving certificate' }, 'Issued webhook certificates');
      return pki;
    } catch (error) {
      if (!isConflict(error) || attempt >= MAX_CONFLICT_RETRIES) throw error;
      logger.debug({ attempt }, 'Another replica wrote the certificate Secret first, re-reading it');
    }
  }
}

/** Resolves once a serving pair exists in the Secret (created if absent); keeps it current until stopped. */
export async function startCertManager(options: CertManagerOptions): Promise<CertManager> {
  const logger = options.logger.child({ namespace: options.namespace, name: options.secretName, operation: 'certificates' });
  const clients = makeKubeClients(options.kubeConfig);
  const context: PkiContext = {
    secret: new CertificateSecret(clients.core, options.namespace, options.secretName),
    caBundle: new WebhookCaBundle(clients.admission, options.webhookConfigName, logger),
    dnsNames: servingDnsNames(options.serviceName, options.namespace),
    policy: options.policy ?? DEFAULT_CERT_POLICY,
    logger,
  };

  const first = await ensurePki(context);
  await context.caBundle.ensure(first.caBundle);
  let served = first.serving;

  async function check(): Promise<void> {
    const pki = await ensurePki(context);
    // Trust first, serve second: the API server must accept the new certificate the moment we present it.
    await context.caBundle.ensure(pki.caBundle);
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
  return { cert: first.serving.certPem, key: first.serving.keyPem, check: guardedCheck, stop: () => clearInterval(timer) };
}
