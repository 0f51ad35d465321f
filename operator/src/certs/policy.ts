// What the self-managed webhook PKI needs next, decided from what the Secret holds and the time: pure.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { PemKeyPair } from './pki.js';

export interface CertPolicy {
  caValidityDays: number;
  servingValidityDays: number;
  /** Renew when this fraction of a certificate's lifetime has passed (2/3: a third is left for retries). */
  renewAtFraction: number;
}

/** CA for 5 years, serving certificate for 1: the caBundle changes rarely, the key that is online often. */
export const DEFAULT_CERT_POLICY: CertPolicy = Object.freeze({ caValidityDays: 5 * 365, servingValidityDays: 365, renewAtFraction: 2 / 3 });

/** The PKI as stored: the active CA, the serving pair it signed, and every CA the webhook should still trust. */
export interface WebhookPki {
  ca: PemKeyPair;
  serving: PemKeyPair;
  /** PEM certificates, the active CA among them: the webhook configuration's caBundle. */
  caBundle: string;
}

export type PkiPlan =
  | { action: 'keep' }
  | { action: 'renewServing'; reason: string }
  | { action: 'renewAll'; reason: string };

const DAY_MS = 24 * 60 * 60 * 1000;

/** The names the API server may use for the webhook Service; it dials `<service>.<namespace>.svc`. */
export function servingDnsNames(serviceName: string, namespace: string): string[] {
  return [
    `${serviceName}.${namespace}.svc`,
    serviceName,
    `${serviceName}.${namespace}`,
    `${serviceName}.${namespace}.svc.cluster.local`,
  ];
}

/** True once `renewAtFraction` of the certificate's lifetime has passed (or it is not yet/no longer valid). */
export function isDueForRenewal(cert: X509Certificate, now: Date, renewAtFraction: number): boolean {
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  const renewAt = notBefore + (notAfter - notBefore) * renewAtFraction;
  return now.getTime() < notBefore || now.getTime() >= renewAt;
}

function dnsNamesOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice('DNS:'.length));
}

function keyMatches(pair: PemKeyPair, cert: X509Certificate): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(pair.keyPem));
  } catch {
    return false;
  }
}

/** Decides what to regenerate; anything unreadable or inconsistent means a fresh CA. */
export function planPki(stored: WebhookPki | undefined, dnsNames: readonly string[], now: Date, policy: CertPolicy): PkiPlan {
  if (!stored) return { action: 'renewAll', reason: 'no certificate stored yet' };
  let ca: X509Certificate;
  let serving: X509Certificate;
  try {
    ca = new X509Certificate(stored.ca.certPem);
    serving = new X509Certificate(stored.serving.certPem);
  } catch {
    return { action: 'renewAll', reason: 'the stored certificates do not parse' };
  }
  if (!ca.ca || !keyMatches(stored.ca, ca)) return { action: 'renewAll', reason: 'the stored CA is unusable' };
  if (isDueForRenewal(ca, now, policy.renewAtFraction)) return { action: 'renewAll', reason: 'the CA is due for renewal' };
  // A new serving certificate must fit inside the CA's lifetime.
  if (Date.parse(ca.validTo) < now.getTime() + policy.servingValidityDays * DAY_MS) {
    return { action: 'renewAll', reason: 'the CA expires before a new serving certificate would' };
  }
  if (!caBundleCertificates(stored.caBundle).some((pem) => sameCertificate(pem, ca))) {
    return { action: 'renewServing', reason: 'the CA bundle lacks the active CA' };
  }
  if (!serving.checkIssued(ca) || !serving.verify(ca.publicKey)) return { action: 'renewServing', reason: 'the serving certificate is not signed by the active CA' };
  if (!keyMatches(stored.serving, serving)) return { action: 'renewServing', reason: 'the serving key does not match its certificate' };
  const names = new Set(dnsNamesOf(serving));
  const missing = dnsNames.filter((name) => !names.has(name));
  if (missing.length > 0) return { action: 'renewServing', reason: `the serving certificate lacks ${missing.join(', ')}` };
  if (isDueForRenewal(serving, now, policy.renewAtFraction)) return { action: 'renewServing', reason: 'the serving certificate is due for renewal' };
  return { action: 'keep' };
}

function sameCertificate(pem: string, cert: X509Certificate): boolean {
  try {
    return new X509Certificate(pem).fingerprint256 === cert.fingerprint256;
  } catch {
    return false;
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The PEM certificates in a bundle, in order. */
export function caBundleCertificates(bundle: string): string[] {
  return bundle.match(PEM_CERTIFICATE) ?? [];
}

/**
 * The caBundle after a CA rotation: the active CA first, then earlier CAs that are still valid, so serving
 * certificates signed by the previous CA keep verifying until every replica serves the new one. Drops expired,
 * unparsable and duplicate entries.
 */
export function mergeCaBundle(previousBundle: string, activeCaPem: string, now: Date): string {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const pem of [activeCaPem, ...caBundleCertificates(previousBundle)]) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      continue;
    }
    if (seen.has(cert.fingerprint256) || Date.parse(cert.validTo) <= now.getTime()) continue;
    seen.add(cert.fingerprint256);
    kept.push(cert.toString().trim());
  }
  return `${kept.join('\n')}\n`;
}
