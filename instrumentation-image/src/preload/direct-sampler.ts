// Pods without a collector: the X-Ray remote sampler asks X-Ray's sampling API itself, SigV4-signed. Upstream's
// sampler keeps doing everything (rule cache, matching, reservoirs, statistics, poll timing); only its client, which
// speaks unsigned plain HTTP to a collector's proxy, is swapped for one with the same contract that signs.
import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { _AWSXRayRemoteSampler, type AWSXRayRemoteSamplerConfig } from '@opentelemetry/sampler-aws-xray';
import { ParentBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import type { SignedPost } from '../aws-signing/types.js';

const REQUEST_TIMEOUT_MS = 10_000;

/** The contract of sampler-aws-xray's AWSXRaySamplingClient: callbacks only with a parsed 200 response. */
interface SamplingClient {
  fetchSamplingRules(callback: (response: object) => void): void;
  fetchSamplingTargets(body: object, callback: (response: object) => void): void;
}

export class SignedSamplingClient implements SamplingClient {
  constructor(
    private readonly endpoint: string,
    private readonly post: SignedPost,
  ) {}

  fetchSamplingRules(callback: (response: object) => void): void {
    this.request('/GetSamplingRules', {}, callback);
  }

  fetchSamplingTargets(body: object, callback: (response: object) => void): void {
    this.request('/SamplingTargets', body, callback);
  }

  private request(path: string, body: object, callback: (response: object) => void): void {
    const url = `${this.endpoint}${path}`;
    // The sampler's own calls must not become spans (the http instrumentation would trace them).
    context.with(suppressTracing(context.active()), () => {
      this.post({ url, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)), timeoutMillis: REQUEST_TIMEOUT_MS })
        .then((response) => {
          const text = response.body.toString('utf8');
          if (response.statusCode !== 200) {
            diag.warn(`X-Ray sampling request ${url} answered ${response.statusCode}: ${text.slice(0, 300)}`);
            return;
          }
          callback(JSON.parse(text) as object);
        })
        .catch((error: unknown) => diag.warn(`X-Ray sampling request ${url} failed`, error));
    });
  }
}

/** What the subclass below reaches in upstream's sampler (sampler-aws-xray 0.3.0, pinned in both lines). */
interface SamplerInternals {
  samplingClient: SamplingClient;
  startSamplingRulesPoller(): void;
}
type RemoteSamplerClass = new (config: AWSXRayRemoteSamplerConfig) => Sampler & SamplerInternals;

/** Upstream's remote sampler, parent-based as its public class is, polling X-Ray's API through `client`. */
export function createSignedRemoteSampler(config: AWSXRayRemoteSamplerConfig, client: SamplingClient): Sampler {
  const Base = _AWSXRayRemoteSampler as unknown as RemoteSamplerClass;
  class SignedRemoteSampler extends Base {
    // The constructor calls this once, before the first poll: from then on every poll goes through `client`.
    override startSamplingRulesPoller(): void {
      this.samplingClient = client;
      super.startSamplingRulesPoller();
    }
  }
  return new ParentBasedSampler({ root: new SignedRemoteSampler(config) });
}
