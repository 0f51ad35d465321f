// API clients whose every request ends: @kubernetes/client-node sends requests with no timeout of its own (undici
// then waits up to 300 s for headers), so a server that accepts and never answers would stall a reconcile, a Lease
// renewal or a certificate write indefinitely. Each request here carries an AbortSignal.timeout; the abort surfaces
// as a TimeoutError, which classifyApiError reads as a network failure to retry with backoff.
import {
  createConfiguration,
  ServerConfiguration,
  type KubeConfig,
  type Middleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { pooledAuthentication } from './pooled-authentication.js';

/** Reads and writes; long enough for a large page of a list, far shorter than anything that waits on one. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const USER_AGENT = 'xray-operator';

function timeoutMiddleware(timeoutMs: number): Middleware {
  return {
    pre: (context: RequestContext): Promise<RequestContext> => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      context.setHeaderParam('User-Agent', USER_AGENT);
      return Promise.resolve(context);
    },
    post: (context: ResponseContext): Promise<ResponseContext> => Promise.resolve(context),
  };
}

/** Like `kubeConfig.makeApiClient(Api)`, with a timeout on every request and the kubeconfig's one connection pool. */
export function makeTimedApiClient<T>(kubeConfig: KubeConfig, Api: new (configuration: ReturnType<typeof createConfiguration>) => T, timeoutMs: number): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No cluster in the kubeconfig: set --kubeconfig or run in a pod');
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: pooledAuthentication(kubeConfig) },
    promiseMiddleware: [timeoutMiddleware(timeoutMs)],
  });
  return new Api(configuration);
}
