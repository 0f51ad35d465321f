// What the signing chunk offers the per-line bundles, which load it at run time.

/** The signing chunk's file, next to the line directories (scripts/build.mjs writes it under this name). */
export const SIGNING_CHUNK = 'aws-signing.js';

export interface SigningOptions {
  readonly region: string;
  /** The SigV4 signing name: `xray` for X-Ray's OTLP endpoint and its sampling API. */
  readonly service: string;
}

export interface SignedRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Signed as sent (compressed, when content-encoding says so). */
  readonly body: Uint8Array;
  readonly timeoutMillis: number;
}

export interface SignedResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** POSTs a request SigV4-signed with the pod's credentials; rejects on network errors and unavailable credentials. */
export type SignedPost = (request: SignedRequest) => Promise<SignedResponse>;

export type CreateSignedPost = (options: SigningOptions) => SignedPost;
