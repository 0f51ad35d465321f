// Certificates for the webhook's HTTPS endpoint: a private CA (its certificate goes into the webhook
// configuration's caBundle) and serving certificates it signs. ECDSA P-256: small, fast handshakes, and accepted by
// the Go TLS stack of the API server.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY_ALGORITHM: webcrypto.EcKeyImportParams & webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
/** Backdating absorbs clock skew between the machine that signs and the API server that verifies. */
const BACKDATE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM (key in PKCS#8). */
export interface PemKeyPair {
  certPem: string;
  keyPem: string;
}

export interface Validity {
  /** Start of validity; default: now minus one hour. */
  notBefore?: Date;
  validForDays: number;
}

export interface CertificateAuthorityOptions extends Validity {
  commonName: string;
}

export interface ServingCertificateOptions extends Validity {
  /** The CA that signs it, e.g. from createCertificateAuthority or read back from a Secret. */
  ca: PemKeyPair;
  /** DNS SANs, e.g. `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`. The first one is also the CN. */
  dnsNames: readonly string[];
  /** IP SANs (IPv4 or IPv6), e.g. 127.0.0.1 for a URL-mode webhook in tests. */
  ipAddresses?: readonly string[];
}

export async function createCertificateAuthority(options: CertificateAuthorityOptions): Promise<PemKeyPair> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: [{ CN: [options.commonName] }],
    ...validityDates(options),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys: keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

export async function createServingCertificate(options: ServingCertificateOptions): Promise<PemKeyPair> {
  const [commonName] = options.dnsNames;
  if (commonName === undefined) throw new Error('A serving certificate needs at least one DNS name');
  const caCert = new x509.X509Certificate(options.ca.certPem);
  const caKey = await importKeyPem(options.ca.keyPem);
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const sans: x509.JsonGeneralName[] = [
    ...options.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: [{ CN: [commonName] }],
    issuer: caCert.subject,
    ...validityDates(options),
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(sans, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

function validityDates(validity: Validity): { notBefore: Date; notAfter: Date } {
  if (!(validity.validForDays > 0)) throw new Error(`validForDays must be positive, got ${validity.validForDays}`);
  const notBefore = validity.notBefore ?? new Date(Date.now() - BACKDATE_MS);
  return { notBefore, notAfter: new Date(notBefore.getTime() + validity.validForDays * DAY_MS) };
}

/** 16 random bytes with the top bit cleared: a positive serial number, as RFC 5280 requires. */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const [der] = x509.PemConverter.decode(pem);
  if (der === undefined) throw new Error('The CA private key is not PEM');
  try {
    return await webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
  } catch (error) {
    throw new Error('Failed to import the CA private key (expected a PKCS#8 ECDSA P-256 key)', { cause: error });
  }
}
