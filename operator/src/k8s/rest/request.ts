// The one function every Kubernetes API call of the operator goes through: the operator's typed clients (core.ts,
// apps.ts…) are thin wrappers over it. Why not client-node's generated API classes: they come with every API group
// and every model (CoreV1Api alone is 584 KB of source, the models and their serializer 0.6 MB), and V8 keeps all
// of it in the heap of a long-running process; the serializer also copies every object it reads into model classes.
// Here a response is the API server's JSON as it is (timestamps stay strings, as watch events deliver them), and an
// error is client-node's ApiException (status in `code`, the server's Status as text in `body`), which errors.ts reads.
// Authentication stays client-node's (KubeConfig, through the pooled connection), and so does the fetch it sends with.
import { ApiException, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { pooledAuthentication } from '../pooled-authentication.js';

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined;

export interface RestRequest {
  method: HttpVerb;
  /** From the server's root, segments already encoded, e.g. `/api/v1/namespaces/shop/configmaps`. */
  path: string;
  /** Query parameters; undefined ones are left out. */
  query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  body?: unknown;
  /** Content-Type of the body (patches name their flavour). Default application/json. */
  contentType?: string;
}

/** Sends requests to the kubeconfig's current cluster, each with a timeout. */
export interface KubeRest {
  send<T>(request: RestRequest): Promise<T>;
}

/** Reads and writes; long enough for a large page of a list, far shorter than anything that waits on one. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const USER_AGENT = 'xray-operator';
const http = new IsomorphicFetchHttpLibrary();

/** A path segment (a name or namespace) as it goes into a URL. */
export const segment = (value: string): string => encodeURIComponent(value);

/**
 * Requests to the kubeconfig's cluster that end: client-node sends with no timeout of its own (undici then waits up to
 * 300 s for headers), so a server that accepts and never answers would stall a reconcile, a Lease renewal or a
 * certificate write indefinitely. The abort surfaces as a TimeoutError, which classifyApiError reads as a network
 * failure to retry with backoff.
 */
export function kubeRest(kubeConfig: KubeConfig, timeoutMs: number): KubeRest {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No cluster in the kubeconfig: set --kubeconfig or run in a pod');
  const server = cluster.server.replace(/\/+$/, '');
  const authentication = pooledAuthentication(kubeConfig);
  return {
    async send<T>(request: RestRequest): Promise<T> {
      const context = new RequestContext(server + request.path, request.method);
      for (const [name, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined) context.setQueryParam(name, String(value));
      }
      context.setHeaderParam('Accept', 'application/json');
      context.setHeaderParam('User-Agent', USER_AGENT);
      if (request.body !== undefined) {
        context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
        context.setBody(JSON.stringify(request.body));
      }
      await authentication.applySecurityAuthentication(context);
      context.setSignal(AbortSignal.timeout(timeoutMs));
      const response = await http.send(context).toPromise();
      const text = await response.body.text();
      if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
        throw new ApiException(response.httpStatusCode, `${request.method} ${request.path}`, text, response.headers);
      }
      return JSON.parse(text) as T;
    },
  };
}
