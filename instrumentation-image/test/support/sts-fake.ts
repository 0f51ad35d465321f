// A stand-in for AWS STS as IRSA uses it: the AWS SDK's web-identity provider exchanges the projected service-account
// token (AWS_WEB_IDENTITY_TOKEN_FILE) for role credentials with AssumeRoleWithWebIdentity (query protocol, XML
// answer). Pods reach it through AWS_ENDPOINT_URL_STS, which the SDK honours for its STS client.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StsFake {
  /** What EKS's IRSA webhook sets, plus the endpoint override to reach this fake. */
  readonly env: Record<string, string>;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  /** AssumeRoleWithWebIdentity calls that carried the role and the token. */
  readonly served: number;
  close(): Promise<void>;
}

export async function startStsFake(): Promise<StsFake> {
  const token = 'eyJhbGciOiJSUzI1NiJ9.irsa-token-for-tests.signature';
  const roleArn = 'arn:aws:iam::123456789012:role/checkout';
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'xo-irsa-')), 'token');
  writeFileSync(tokenFile, token);
  const credentials = { accessKeyId: 'ASIAIRSAROLE', secretAccessKey: 'irsa-role-secret', sessionToken: 'irsa-role-session' };
  let served = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      if (form.get('Action') !== 'AssumeRoleWithWebIdentity' || form.get('RoleArn') !== roleArn || form.get('WebIdentityToken') !== token) {
        res.writeHead(400, { 'content-type': 'text/xml' }).end('<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad request</Message></Error></ErrorResponse>');
        return;
      }
      served++;
      const expiration = new Date(Date.now() + 3_600_000).toISOString();
      res.writeHead(200, { 'content-type': 'text/xml' }).end(
        '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>' +
          `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey>` +
          `<SessionToken>${credentials.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
          '<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/checkout/pod</Arn><AssumedRoleId>AROAEXAMPLE:pod</AssumedRoleId></AssumedRoleUser>' +
          '</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>irsa-1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: { AWS_ROLE_ARN: roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}` },
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
