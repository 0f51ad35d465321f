// A throwaway PKI for the test control plane, made with the openssl CLI: one CA that signs the
// API server's serving cert, client certs (the admin is in system:masters) and webhook serving
// certs; plus the ServiceAccount token signing key pair.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPairFiles {
  cert: string;
  key: string;
}

export interface ControlPlanePki {
  dir: string;
  caCert: string;
  caKey: string;
  apiServer: KeyPairFiles;
  admin: KeyPairFiles;
  /** ServiceAccount token signing key (private) and its public key. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Issues a leaf certificate signed by the CA in `dir`. `sans` are openssl subjectAltName entries. */
export function issueCertificate(
  dir: string,
  name: string,
  subject: string,
  usage: 'serverAuth' | 'clientAuth',
  sans: readonly string[] = [],
): KeyPairFiles {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  const lines = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usage}`,
  ];
  if (sans.length > 0) lines.push(`subjectAltName=${sans.join(',')}`);
  writeFileSync(extensions, `${lines.join('\n')}\n`);
  openssl(['req', ...EC_KEY, '-keyout', files.key, '-out', csr, '-subj', subject], dir);
  openssl(
    ['x509', '-req', '-in', csr, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
      '-extfile', extensions, '-out', files.cert],
    dir,
  );
  return files;
}

/** `extraSans`: more subjectAltName entries of the API server's certificate (e.g. the node's bridge address). */
export function createControlPlanePki(dir: string, extraSans: readonly string[] = []): ControlPlanePki {
  openssl(['req', '-x509', ...EC_KEY, '-days', '2', '-subj', '/CN=xray-operator-e2e-ca', '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  const apiServer = issueCertificate(dir, 'apiserver', '/CN=kube-apiserver', 'serverAuth', [
    'IP:127.0.0.1', 'DNS:localhost', 'IP:10.0.0.1', 'DNS:kubernetes.default.svc', ...extraSans,
  ]);
  const admin = issueCertificate(dir, 'admin', '/O=system:masters/CN=e2e-admin', 'clientAuth');
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key'], dir);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    apiServer,
    admin,
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
}

export function base64File(file: string): string {
  return readFileSync(file).toString('base64');
}
