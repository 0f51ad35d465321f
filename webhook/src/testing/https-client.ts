// A minimal HTTPS client for tests and benchmarks: posts a body to the webhook and returns what came back,
// including the certificate the server presented.
import { request } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  peerCertificate: PeerCertificate;
}

export interface HttpsRequestOptions {
  url: string;
  /** PEM CA the server certificate must chain to. */
  ca: string;
  method?: string;
  body?: string | Buffer;
  contentType?: string;
}

export function httpsRequest(options: HttpsRequestOptions): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      options.url,
      {
        method: options.method ?? 'POST',
        ca: options.ca,
        agent: false,
        headers: options.body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' },
      },
      (res) => {
        const peerCertificate = (res.socket as TLSSocket).getPeerCertificate();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), peerCertificate }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`No response from ${options.url} within 10 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
