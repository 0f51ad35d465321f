import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, createServingCertificate } from './pki.js';
import type { PemKeyPair } from './pki.js';
import { issuePki } from './issue.js';
import { DEFAULT_CERT_POLICY, caBundleCertificates, isDueForRenewal, mergeCaBundle, planPki, servingDnsNames } from './policy.js';
import type { WebhookPki } from './policy.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const dnsNames = servingDnsNames('xo-webhook', 'xray-system');
const policy = DEFAULT_CERT_POLICY;
const daysFromNow = (days: number): Date => new Date(Date.now() + days * DAY_MS);

let ca: PemKeyPair;
let pki: WebhookPki;

beforeAll(async () => {
  ca = await createCertificateAuthority({ commonName: 'test-ca', validForDays: policy.caValidityDays });
  const serving = await createServingCertificate({ ca, dnsNames, validForDays: policy.servingValidityDays });
  pki = { ca, serving, caBundle: ca.certPem };
});

describe('servingDnsNames', () => {
  it('puts the name the API server dials (<service>.<namespace>.svc) first, so it is also the CN', () => {
    expect(servingDnsNames('svc', 'ns')).toEqual(['svc.ns.svc', 'svc', 'svc.ns', 'svc.ns.svc.cluster.local']);
  });

  it('issues serving certificates carrying every one of those names as DNS SANs', () => {
    const cert = new X509Certificate(pki.serving.certPem);
    expect(cert.subjectAltName?.split(', ')).toEqual(dnsNames.map((name) => `DNS:${name}`));
  });
});

describe('isDueForRenewal', () => {
  it('renews once two thirds of the lifetime have passed, not before', () => {
    const cert = new X509Certificate(pki.serving.certPem);
    const notBefore = Date.parse(cert.validFrom);
    const lifetime = Date.parse(cert.validTo) - notBefore;
    expect(isDueForRenewal(cert, new Date(notBefore + lifetime * 0.6), 2 / 3)).toBe(false);
    expect(isDueForRenewal(cert, new Date(notBefore + lifetime * 0.7), 2 / 3)).toBe(true);
  });

  it('renews a certificate that is not valid yet (clock moved back)', () => {
    const cert = new X509Certificate(pki.serving.certPem);
    expect(isDueForRenewal(cert, new Date(Date.parse(cert.validFrom) - DAY_MS), 2 / 3)).toBe(true);
  });
});

describe('planPki', () => {
  it('issues everything when nothing is stored', () => {
    expect(planPki(undefined, dnsNames, new Date(), policy)).toMatchObject({ action: 'renewAll' });
  });

  it('keeps a fresh, consistent PKI', () => {
    expect(planPki(pki, dnsNames, new Date(), policy)).toEqual({ action: 'keep' });
  });

  it('renews only the serving certificate when it is due and the CA is not', () => {
    expect(planPki(pki, dnsNames, daysFromNow(300), policy)).toEqual({ action: 'renewServing', reason: 'the serving certificate is due for renewal' });
  });

  it('renews the CA at two thirds of its lifetime', () => {
    expect(planPki(pki, dnsNames, daysFromNow(1300), policy)).toEqual({ action: 'renewAll', reason: 'the CA is due for renewal' });
  });

  it('renews the CA when a new serving certificate would outlive it', async () => {
    const shortCa = await createCertificateAuthority({ commonName: 'short', validForDays: 300 });
    const serving = await createServingCertificate({ ca: shortCa, dnsNames, validForDays: 30 });
    const plan = planPki({ ca: shortCa, serving, caBundle: shortCa.certPem }, dnsNames, new Date(), policy);
    expect(plan).toEqual({ action: 'renewAll', reason: 'the CA expires before a new serving certificate would' });
  });

  it('renews the serving certificate when the Service name changed', () => {
    const plan = planPki(pki, servingDnsNames('renamed', 'xray-system'), new Date(), policy);
    expect(plan).toMatchObject({ action: 'renewServing' });
    expect(plan.action === 'renewServing' && plan.reason).toContain('renamed.xray-system.svc');
  });

  it('renews the serving certificate when another CA signed it', async () => {
    const other = await createCertificateAuthority({ commonName: 'other', validForDays: policy.caValidityDays });
    const serving = await createServingCertificate({ ca: other, dnsNames, validForDays: 365 });
    expect(planPki({ ...pki, serving }, dnsNames, new Date(), policy)).toEqual({ action: 'renewServing', reason: 'the serving certificate is not signed by the active CA' });
  });

  it('renews the serving certificate when the bundle does not trust the active CA', async () => {
    const other = await createCertificateAuthority({ commonName: 'other', validForDays: policy.caValidityDays });
    expect(planPki({ ...pki, caBundle: other.certPem }, dnsNames, new Date(), policy)).toEqual({ action: 'renewServing', reason: 'the CA bundle lacks the active CA' });
  });

  it('starts over with a new CA when the stored CA key does not belong to the CA', async () => {
    const other = await createCertificateAuthority({ commonName: 'other', validForDays: policy.caValidityDays });
    const broken = { ...pki, ca: { certPem: ca.certPem, keyPem: other.keyPem } };
    expect(planPki(broken, dnsNames, new Date(), policy)).toEqual({ action: 'renewAll', reason: 'the stored CA is unusable' });
  });

  it('starts over when the stored certificates are garbage', () => {
    const garbage = { ...pki, serving: { certPem: 'not a certificate', keyPem: 'x' } };
    expect(planPki(garbage, dnsNames, new Date(), policy)).toEqual({ action: 'renewAll', reason: 'the stored certificates do not parse' });
  });
});

describe('mergeCaBundle', () => {
  it('puts the active CA first and keeps the previous, still valid CA during a rotation', async () => {
    const next = await createCertificateAuthority({ commonName: 'next', validForDays: 10 });
    const bundle = caBundleCertificates(mergeCaBundle(ca.certPem, next.certPem, new Date()));
    expect(bundle.map((pem) => new X509Certificate(pem).subject)).toEqual(['CN=next', 'CN=test-ca']);
  });

  it('drops expired CAs, duplicates and unparsable entries', async () => {
    const expired = await createCertificateAuthority({ commonName: 'expired', validForDays: 1, notBefore: new Date(Date.now() - 3 * DAY_MS) });
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    const merged = mergeCaBundle([expired.certPem, ca.certPem, broken, ca.certPem].join('\n'), ca.certPem, new Date());
    expect(caBundleCertificates(merged).map((pem) => new X509Certificate(pem).subject)).toEqual(['CN=test-ca']);
  });
});

describe('issuePki', () => {
  it('keeps the CA and bundle when only the serving certificate is renewed', async () => {
    const renewed = await issuePki({ action: 'renewServing', reason: 'test' }, { stored: pki, currentCaBundle: '', dnsNames, caCommonName: 'unused', now: new Date(), policy });
    expect(renewed.ca).toBe(pki.ca);
    expect(renewed.serving.certPem).not.toBe(pki.serving.certPem);
    expect(caBundleCertificates(renewed.caBundle)).toHaveLength(1);
    expect(planPki(renewed, dnsNames, new Date(), policy)).toEqual({ action: 'keep' });
  });

  it('rotates to a new CA that the bundle trusts next to the old one', async () => {
    const rotated = await issuePki({ action: 'renewAll', reason: 'test' }, { stored: pki, currentCaBundle: '', dnsNames, caCommonName: 'ca.xray-system', now: new Date(), policy });
    expect(new X509Certificate(rotated.ca.certPem).subject).toBe('CN=ca.xray-system');
    expect(caBundleCertificates(rotated.caBundle).map((pem) => new X509Certificate(pem).subject)).toEqual(['CN=ca.xray-system', 'CN=test-ca']);
    expect(planPki(rotated, dnsNames, new Date(), policy)).toEqual({ action: 'keep' });
  });

  it('keeps trusting the CA in the webhook configuration when the Secret was lost and everything is re-issued', async () => {
    const reissued = await issuePki({ action: 'renewAll', reason: 'test' }, { stored: undefined, currentCaBundle: ca.certPem, dnsNames, caCommonName: 'new', now: new Date(), policy });
    expect(caBundleCertificates(reissued.caBundle).map((pem) => new X509Certificate(pem).subject)).toEqual(['CN=new', 'CN=test-ca']);
  });
});
