// Stand-ins for where EKS pods get AWS credentials, reached by the AWS SDK's default chain unchanged:
// - EKS Pod Identity: the agent's container-credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI; loopback is one
//   of the hosts the SDK accepts), asked with the token file's content as Authorization;
// - IRSA: STS AssumeRoleWithWebIdentity (query protocol, XML answer) exchanging the projected service-account token
//   (AWS_WEB_IDENTITY_TOKEN_FILE) for role credentials, reached through AWS_ENDPOINT_URL_STS.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface CredentialSourceFake {
  /** The env EKS sets on the pod (plus, for IRSA, the endpoint override that leads here). */
  readonly env: Record<string, string>;
  readonly credentials: SessionCredentials;
  /** Requests answered with credentials (the right token was presented). */
  readonly served: number;
  close(): Promise<void>;
}

/** Answers with credentials (true) or an error (false), given the request, its body and the token in the file. */
type Answer = (req: IncomingMessage, body: string, res: ServerResponse, expiration: string) => boolean;

async function startCredentialSource(
  name: string,
  token: string,
  credentials: SessionCredentials,
  answer: Answer,
  env: (url: string, tokenFile: string) => Record<string, string>,
): Promise<CredentialSourceFake> {
  const tokenFile = join(mkdtempSync(join(tmpdir(), `xo-${name}-`)), 'token');
  writeFileSync(tokenFile, token);
  let served = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (answer(req, body, res, new Date(Date.now() + 3_600_000).toISOString())) served++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: env(`http://127.0.0.1:${port}`, tokenFile),
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

export function startPodIdentityFake(): Promise<CredentialSourceFake> {
  const token = 'eks-pod-identity-token-for-tests';
  const credentials = { accessKeyId: 'ASIAPODIDENTITY', secretAccessKey: 'pod-identity-secret', sessionToken: 'pod-identity-session' };
  return startCredentialSource('pod-identity', token, credentials, (req, _body, res, expiration) => {
    if (req.headers.authorization !== token) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"bad token"}');
      return false;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      AccessKeyId: credentials.accessKeyId, SecretAccessKey: credentials.secretAccessKey, Token: credentials.sessionToken, AccountId: '123456789012', Expiration: expiration,
    }));
    return true;
  }, (url, tokenFile) => ({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile }));
}

export function startStsFake(): Promise<CredentialSourceFake> {
  const token = 'eyJhbGciOiJSUzI1NiJ9.irsa-token-for-tests.signature';
  const roleArn = 'arn:aws:iam::123456789012:role/checkout';
  const credentials = { accessKeyId: 'ASIAIRSAROLE', secretAccessKey: 'irsa-role-secret', sessionToken: 'irsa-role-session' };
  return startCredentialSource('irsa', token, credentials, (_req, body, res, expiration) => {
    const form = new URLSearchParams(body);
    if (form.get('Action') !== 'AssumeRoleWithWebIdentity' || form.get('RoleArn') !== roleArn || form.get('WebIdentityToken') !== token) {
      res.writeHead(400, { 'content-type': 'text/xml' }).end('<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad request</Message></Error></ErrorResponse>');
      return false;
    }
    res.writeHead(200, { 'content-type': 'text/xml' }).end(
      '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>' +
        `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${credentials.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        '<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/checkout/pod</Arn><AssumedRoleId>AROAEXAMPLE:pod</AssumedRoleId></AssumedRoleUser>' +
        '</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>irsa-1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>',
    );
    return true;
  }, (url, tokenFile) => ({ AWS_ROLE_ARN: roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ENDPOINT_URL_STS: url }));
}
