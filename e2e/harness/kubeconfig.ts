import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { base64File } from './pki.js';

export type KubeconfigUser =
  | { kind: 'clientCert'; certFile: string; keyFile: string }
  | { kind: 'token'; token: string };

/** Writes a one-context kubeconfig with everything embedded, and returns it loaded. */
export function writeKubeconfig(
  path: string,
  server: string,
  caCertFile: string,
  userName: string,
  user: KubeconfigUser,
): KubeConfig {
  const userEntry =
    user.kind === 'clientCert'
      ? { 'client-certificate-data': base64File(user.certFile), 'client-key-data': base64File(user.keyFile) }
      : { token: user.token };
  const document = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority-data': base64File(caCertFile) } }],
    users: [{ name: userName, user: userEntry }],
    contexts: [{ name: userName, context: { cluster: 'e2e', user: userName } }],
    'current-context': userName,
  };
  const text = JSON.stringify(document, null, 2);
  writeFileSync(path, text, { mode: 0o600 });
  const kc = new KubeConfig();
  kc.loadFromString(text);
  return kc;
}
