// SHA-256 (HMAC-SHA-256 when given a secret) over node:crypto, in the shape the Smithy signer asks for: the signer
// then needs no JavaScript hash implementation.
import { createHash, createHmac, type BinaryLike } from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

const binary = (data: SourceData): BinaryLike =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

export class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', binary(secret));
  }
  update(data: SourceData): void {
    this.hash.update(binary(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}
