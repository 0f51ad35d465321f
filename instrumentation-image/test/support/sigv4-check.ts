// Checks an AWS SigV4 signature the way the service would: re-sign the received request (method, path, query, the
// signed headers, the body) with the same credentials and compare. The signing library is the real one (its hash is
// the preload's node:crypto one; e2e/controller-export.test.ts checks the collector's Go signatures with it too).
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/aws-signing/node-sha256.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SignatureFacts {
  region: string;
  service: string;
  signedHeaders: string[];
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** The scope the request claims, and whether its signature is the one these credentials make for it. */
export async function checkSigV4(request: ReceivedRequest, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<SignatureFacts & { valid: boolean }> {
  const match = AUTHORIZATION.exec(String(request.headers.authorization ?? ''));
  if (!match) throw new Error(`Not a SigV4 Authorization header: ${String(request.headers.authorization)}`);
  const [, , , region = '', service = '', signedHeaderList = ''] = match;
  const signedHeaders = signedHeaderList.split(';');
  const url = new URL(request.path, 'http://placeholder');
  const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(request.headers[name] ?? '')]));
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  // applyChecksum off: X-Ray's endpoint takes the payload hash in the signature alone, no x-amz-content-sha256 header.
  const signer = new SignatureV4({ credentials, region, service, sha256: NodeSha256, applyChecksum: false });
  const resigned = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: url.hostname, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: request.body },
    { signingDate },
  );
  return { region, service, signedHeaders, valid: resigned.headers.authorization === request.headers.authorization };
}
