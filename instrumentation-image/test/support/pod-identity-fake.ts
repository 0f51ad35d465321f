// A stand-in for the EKS Pod Identity agent: the AWS SDK's container-credentials provider fetches
// AWS_CONTAINER_CREDENTIALS_FULL_URI with the token file's content as Authorization. Loopback is one of the hosts
// the SDK accepts for that URI, so the pod's credential chain runs unchanged against it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PodIdentityFake {
  /** AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, as EKS sets them. */
  readonly env: Record<string, string>;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  /** Requests that carried the right token. */
  readonly served: number;
  close(): Promise<void>;
}

export async function startPodIdentityFake(): Promise<PodIdentityFake> {
  const token = 'eks-pod-identity-token-for-tests';
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'xo-pod-identity-')), 'eks-pod-identity-token');
  writeFileSync(tokenFile, token);
  const credentials = { accessKeyId: 'ASIAPODIDENTITY', secretAccessKey: 'pod-identity-secret', sessionToken: 'pod-identity-session' };
  let served = 0;
  const server = createServer((req, res) => {
    if (req.headers.authorization !== token) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"bad token"}');
      return;
    }
    served++;
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      AccountId: '123456789012',
      Expiration: expiration,
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile },
    credentials,
    get served() {
      return served;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
