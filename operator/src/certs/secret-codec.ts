// The Secret that holds the self-managed webhook PKI, shared by every replica (kubernetes.io/tls plus the CA).
import type { V1Secret } from '@kubernetes/client-node';
import type { WebhookPki } from './policy.js';

export const SecretKeys = {
  servingCert: 'tls.crt',
  servingKey: 'tls.key',
  caCert: 'ca.crt',
  caKey: 'ca.key',
  /** Every CA the webhook configuration trusts (the active one and, after a rotation, the previous). */
  caBundle: 'ca-bundle.crt',
} as const;

function decode(secret: V1Secret, key: string): string | undefined {
  const value = secret.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** The stored PKI, or undefined when a key is missing (then the manager issues a new one). */
export function pkiFromSecret(secret: V1Secret): WebhookPki | undefined {
  const [servingCert, servingKey, caCert, caKey, caBundle] = [
    SecretKeys.servingCert, SecretKeys.servingKey, SecretKeys.caCert, SecretKeys.caKey, SecretKeys.caBundle,
  ].map((key) => decode(secret, key));
  if (!servingCert || !servingKey || !caCert || !caKey || !caBundle) return undefined;
  return { ca: { certPem: caCert, keyPem: caKey }, serving: { certPem: servingCert, keyPem: servingKey }, caBundle };
}

export function secretData(pki: WebhookPki): Record<string, string> {
  const encode = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  return {
    [SecretKeys.servingCert]: encode(pki.serving.certPem),
    [SecretKeys.servingKey]: encode(pki.serving.keyPem),
    [SecretKeys.caCert]: encode(pki.ca.certPem),
    [SecretKeys.caKey]: encode(pki.ca.keyPem),
    [SecretKeys.caBundle]: encode(pki.caBundle),
  };
}
