import type { V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { caBundlePatch } from './ca-bundle-patch.js';
import { pkiFromSecret, secretData } from './secret-codec.js';

function config(...bundles: (string | undefined)[]): V1MutatingWebhookConfiguration {
  return {
    metadata: { name: 'xo' },
    webhooks: bundles.map((caBundle, index) => ({
      name: `w${index}.xray-operator.dev`,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      clientConfig: { service: { name: 'svc', namespace: 'ns' }, ...(caBundle === undefined ? {} : { caBundle }) },
    })),
  };
}

describe('caBundlePatch', () => {
  it('sets the bundle on a webhook the chart rendered without one, guarded by a test of its name', () => {
    expect(caBundlePatch(config(undefined), 'TkVX')).toEqual([
      { op: 'test', path: '/webhooks/0/name', value: 'w0.xray-operator.dev' },
      { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: 'TkVX' },
    ]);
  });

  it('touches only the webhooks whose bundle differs', () => {
    expect(caBundlePatch(config('TkVX', 'T0xE'), 'TkVX')).toEqual([
      { op: 'test', path: '/webhooks/1/name', value: 'w1.xray-operator.dev' },
      { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: 'TkVX' },
    ]);
  });

  it('is empty when every webhook is current, so a steady state makes no writes', () => {
    expect(caBundlePatch(config('TkVX', 'TkVX'), 'TkVX')).toEqual([]);
  });
});

describe('the certificate Secret', () => {
  const pki = { ca: { certPem: 'CA', keyPem: 'CAKEY' }, serving: { certPem: 'CRT', keyPem: 'KEY' }, caBundle: 'CA\nOLD' };

  it('round-trips the PKI through kubernetes.io/tls keys plus the CA and bundle', () => {
    const data = secretData(pki);
    expect(Object.keys(data).sort()).toEqual(['ca-bundle.crt', 'ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    expect(pkiFromSecret({ data })).toEqual(pki);
  });

  it('reads a Secret missing a key as nothing stored', () => {
    const data = secretData(pki);
    delete data['ca.key'];
    expect(pkiFromSecret({ data })).toBeUndefined();
  });
});
