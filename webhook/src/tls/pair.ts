// A serving certificate and the private key that goes with it.
import { X509Certificate, createPrivateKey } from 'node:crypto';

export interface TlsMaterial {
  /** PEM certificate (chain: leaf first). */
  cert: string | Buffer;
  /** PEM private key. */
  key: string | Buffer;
}

/** Throws unless `cert` parses and `key` is its private key; returns the leaf certificate. */
export function checkTlsPair(material: TlsMaterial): X509Certificate {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(material.cert);
  } catch (error) {
    throw new Error('The TLS certificate is not a PEM certificate', { cause: error });
  }
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(material.key));
  } catch (error) {
    throw new Error('The TLS key is not a PEM private key', { cause: error });
  }
  if (!matches) throw new Error(`The TLS key does not belong to the certificate ${leaf.subject.replace(/\n/g, ', ')}`);
  return leaf;
}
