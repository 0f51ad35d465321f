// One connection pool for every API request of a kubeconfig. @kubernetes/client-node 2.0 gives each request a new
// undici Agent (KubeConfig.applySecurityAuthentication), so every call opened a TLS connection of its own, parsed the
// CA again and kept the socket and its buffers alive for seconds: at 200 namespaces the operator made ~4,000
// handshakes and held ~30 MiB of TLS buffers at peak (bench:controller, heaptrack). This authentication lets
// client-node do everything as before (headers, tokens, files read on every request) and then reuses the first
// Agent for as long as the TLS material it was built from is the same; new material gets a new pool and the old one
// is closed once its requests finish.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KubeConfig, RequestContext, SecurityAuthentication } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

export class PooledKubeAuthentication implements SecurityAuthentication {
  private pool: { identity: string; dispatcher: Dispatcher } | undefined;

  constructor(private readonly kubeConfig: KubeConfig) {}

  getName(): string {
    return 'kubeconfig authentication, one connection pool';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.kubeConfig.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    const identity = fresh && this.tlsIdentity();
    if (!fresh || identity === undefined) return;
    if (this.pool?.identity === identity) {
      context.setDispatcher(this.pool.dispatcher);
      return;
    }
    const previous = this.pool;
    this.pool = { identity, dispatcher: fresh };
    // close() lets the requests already sent on the old pool finish.
    previous?.dispatcher.close().catch(() => undefined);
  }

  /**
   * What the Agent's TLS settings are built from: the cluster's address, CA and verification settings and the user's
   * client certificate, files read as client-node reads them. Undefined (no pooling, client-node's Agent per request)
   * when the material can come from elsewhere: an exec credential plugin may return a client certificate, and a
   * proxied cluster gets proxy agents.
   */
  private tlsIdentity(): string | undefined {
    const cluster = this.kubeConfig.getCurrentCluster();
    const user = this.kubeConfig.getCurrentUser();
    const provider = user?.authProvider as { name?: string; config?: { exec?: unknown } } | undefined;
    if (!cluster || cluster.proxyUrl || user?.exec || provider?.name === 'exec' || provider?.config?.exec) return undefined;
    const material = (data: string | undefined, file: string | undefined): string => data ?? (file ? readFileSync(file, 'utf8') : '');
    return createHash('sha256')
      .update(JSON.stringify([
        cluster.server,
        cluster.skipTLSVerify,
        cluster.tlsServerName,
        material(cluster.caData, cluster.caFile),
        material(user?.certData, user?.certFile),
        material(user?.keyData, user?.keyFile),
      ]))
      .digest('hex');
  }
}

const pools = new WeakMap<KubeConfig, PooledKubeAuthentication>();

/** The one pooled authentication of a kubeconfig, shared by every API client made from it. */
export function pooledAuthentication(kubeConfig: KubeConfig): PooledKubeAuthentication {
  let authentication = pools.get(kubeConfig);
  if (!authentication) pools.set(kubeConfig, (authentication = new PooledKubeAuthentication(kubeConfig)));
  return authentication;
}
