// Which X-Ray API endpoints an XRayTracing may point the collector at. The collector signs its requests there with
// the pod's AWS credentials, so a tenant must not be able to send them in clear text off the pod, or to a host the
// platform team has not chosen. The schema already fixes the URL's shape (host, no userinfo, no `$`).
import type { FieldError } from './cross-field.js';
import type { XRayTracingSpec } from './types.js';

const LOOPBACK_HOST = /^(localhost|127(\.[0-9]{1,3}){3}|\[::1\])$/i;

/** Host of an http(s) URL, as the URL parser reads it (brackets kept for IPv6). */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Errors for `collector.awsEndpoint` under the installation's policy: with an allow pattern (a full-match regular
 * expression the platform team sets), the endpoint must match it; without one, it must be https, or http to a
 * loopback address (an emulator beside the collector).
 */
export function awsEndpointErrors(spec: XRayTracingSpec, allowPattern?: RegExp): FieldError[] {
  const endpoint = spec.collector?.awsEndpoint;
  if (endpoint === undefined) return [];
  const path = 'spec.collector.awsEndpoint';
  if (allowPattern) {
    return allowPattern.test(endpoint) ? [] : [{ path, message: `must match the installation's allowed X-Ray endpoints ${allowPattern.source} (got "${endpoint}")` }];
  }
  if (endpoint.startsWith('https://') || LOOPBACK_HOST.test(hostOf(endpoint) ?? '')) return [];
  return [{ path, message: `must be https, or http to a loopback address (got "${endpoint}"); the installation can allow others with Helm aws.endpointAllowPattern` }];
}

/** Compiles an allow pattern so that it must match the whole endpoint. */
export function compileEndpointAllowPattern(source: string): RegExp {
  return new RegExp(`^(?:${source})$`);
}
