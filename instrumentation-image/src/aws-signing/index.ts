// The signing chunk (<root>/aws-signing.js): SigV4 with the pod's own credentials, for pods without a collector.
// The preload loads it only in that mode, so every other app pays nothing for it. It uses nothing of OpenTelemetry,
// so one file serves both OpenTelemetry lines. Credentials come from the AWS SDK's default chain: env, IRSA (web
// identity token), EKS Pod Identity (container credentials endpoint), shared files, then the instance role.
import http from 'node:http';
import https from 'node:https';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256.js';
import type { CreateSignedPost, SignedPost, SignedResponse, SigningOptions } from './types.js';

/** Responses we read are small (sampling rules, OTLP partial-success messages); more than this is cut off. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

function send(url: URL, headers: Record<string, string>, body: Uint8Array, timeoutMillis: number, agent: http.Agent): Promise<SignedResponse> {
  const request = url.protocol === 'http:' ? http.request : https.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent, timeout: timeoutMillis }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) res.destroy(new Error(`Response from ${url.origin} exceeded ${MAX_RESPONSE_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`Request to ${url.origin} timed out`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

export const createSignedPost: CreateSignedPost = (options: SigningOptions): SignedPost => {
  // The chain is memoized: credentials are fetched once and refreshed shortly before they expire.
  const signer = new SignatureV4({ credentials: defaultProvider(), region: options.region, service: options.service, sha256: NodeSha256, applyChecksum: false });
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  return async ({ url, headers, body, timeoutMillis }) => {
    const target = new URL(url);
    const signed = await signer.sign({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port ? Number(target.port) : undefined,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { ...headers, host: target.host, 'content-length': String(body.byteLength) },
      body,
    });
    return send(target, signed.headers, body, timeoutMillis, target.protocol === 'http:' ? agents.http : agents.https);
  };
};
