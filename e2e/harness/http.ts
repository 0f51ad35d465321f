import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';

export interface HttpResult {
  statusCode: number;
  body: string;
}

export interface TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** A bounded HTTP(S) request on loopback (client certs allowed); rejects on network errors. */
export function httpCall(
  url: string,
  options: { method?: string; tls?: TlsOptions; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const requestOptions: RequestOptions = {
    method: options.method ?? 'GET',
    headers: options.headers,
    timeout: options.timeoutMs ?? 5_000,
    ...options.tls,
  };
  return new Promise((resolve, reject) => {
    const req = send(target, requestOptions, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`Request to ${url} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
