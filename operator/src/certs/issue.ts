// Issues what a plan asks for with the webhook's PKI helper.
import { createCertificateAuthority, createServingCertificate } from './pki.js';
import { mergeCaBundle } from './policy.js';
import type { CertPolicy, PkiPlan, WebhookPki } from './policy.js';

export interface IssueContext {
  stored: WebhookPki | undefined;
  /** The caBundle the webhook configuration holds now: still trusted when the Secret was lost and is re-issued. */
  currentCaBundle: string;
  dnsNames: readonly string[];
  /** Common name of a new CA; carries the namespace so two installs are told apart. */
  caCommonName: string;
  now: Date;
  policy: CertPolicy;
}

export async function issuePki(plan: Exclude<PkiPlan, { action: 'keep' }>, context: IssueContext): Promise<WebhookPki> {
  const { stored, policy, now } = context;
  const ca = plan.action === 'renewServing' && stored
    ? stored.ca
    : await createCertificateAuthority({ commonName: context.caCommonName, validForDays: policy.caValidityDays });
  const serving = await createServingCertificate({ ca, dnsNames: context.dnsNames, validForDays: policy.servingValidityDays });
  return { ca, serving, caBundle: mergeCaBundle(stored?.caBundle ?? context.currentCaBundle, ca.certPem, now) };
}
