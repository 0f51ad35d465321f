import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, createServingCertificate } from './pki.js';

describe('webhook PKI', () => {
  it('issues a P-256 serving certificate for the given names that chains to the CA and matches its key', async () => {
    const notBefore = new Date('2026-01-01T00:00:00Z');
    const ca = await createCertificateAuthority({ commonName: 'xray-operator-ca', validForDays: 3650, notBefore });
    const serving = await createServingCertificate({
      ca,
      dnsNames: ['xray-operator-webhook.xray-system.svc', 'xray-operator-webhook.xray-system.svc.cluster.local'],
      ipAddresses: ['127.0.0.1', '::1'],
      validForDays: 365,
      notBefore,
    });
    const caCert = new X509Certificate(ca.certPem);
    const leaf = new X509Certificate(serving.certPem);
    expect(caCert.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(serving.keyPem))).toBe(true);
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(leaf.subject).toBe('CN=xray-operator-webhook.xray-system.svc');
    expect(leaf.subjectAltName).toBe(
      'DNS:xray-operator-webhook.xray-system.svc, DNS:xray-operator-webhook.xray-system.svc.cluster.local, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(leaf.validFrom).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(new Date(leaf.validTo).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(leaf.serialNumber).not.toBe(caCert.serialNumber);
  });

  it('refuses a serving certificate without DNS names and a CA key that is not PKCS#8 P-256', async () => {
    const ca = await createCertificateAuthority({ commonName: 'ca', validForDays: 1 });
    await expect(createServingCertificate({ ca, dnsNames: [], validForDays: 1 })).rejects.toThrow(/at least one DNS name/);
    await expect(createServingCertificate({ ca: { ...ca, keyPem: 'garbage' }, dnsNames: ['a'], validForDays: 1 })).rejects.toThrow(/CA private key/);
  });
});
