// An informer that keeps going: client-node's ListWatch relists on 410 and reconnects after watch timeouts, but
// stops on any other error (API server down, 5xx, 403). This wrapper restarts it with capped exponential backoff,
// strips objects to what we use before they reach the cache (memory), and reports `connected` / `synced`.
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { backoffDelayMs, type BackoffPolicy } from '../runtime/backoff.js';
import { describeApiError } from './errors.js';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerState {
  /** The last list or watch request reached the API server. */
  connected: boolean;
  /** The cache has been filled by a list at least once. */
  synced: boolean;
  /** Restarts after errors since start. */
  restarts: number;
}

export interface ResilientInformerOptions<T extends object> {
  /** For logs and metrics: `pods`, `xraytracings`… */
  name: string;
  kubeConfig: KubeConfig;
  /** Watch path, e.g. `/api/v1/pods`. */
  path: string;
  /** One page of the list; the informer pages through it and strips each page before asking for the next. */
  list: (page: ListPage) => Promise<{ metadata?: { resourceVersion?: string; _continue?: string }; items: T[] }>;
  /** Objects per list page. Default LIST_PAGE_SIZE. */
  pageSize?: number;
  /** Reduces an object to what the operator reads; runs on every listed and watched object. */
  strip?: (object: T) => T;
  logger: Logger;
  restartBackoff?: BackoffPolicy;
}

const RESTART_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000, jitter: 0.2 };

export interface ListPage {
  limit: number;
  _continue?: string;
}

/** As client-go's: a whole list of a big cluster's pods or ConfigMaps never sits in memory unstripped at once. */
export const LIST_PAGE_SIZE = 500;

/**
 * A Watch that strips objects and tells the informer when a watch is established. ListWatch only watches after its
 * list is in the cache, so an established watch also means the cache is synced.
 */
class StrippingWatch<T extends object> extends Watch {
  constructor(
    kubeConfig: KubeConfig,
    private readonly strip: (object: T) => T,
    private readonly onEstablished: () => void,
  ) {
    super(kubeConfig);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const stripping = (phase: string, apiObj: unknown, watchObj?: unknown): void => {
      const isObject = phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED';
      callback(phase, isObject ? this.strip(apiObj as T) : apiObj, watchObj);
    };
    // Watch.watch reports a failed request through `done` before it returns; no early error means a 200 stream.
    let failedEarly = false;
    let returned = false;
    const trackingDone = (err: unknown): void => {
      if (err && !returned) failedEarly = true;
      done(err);
    };
    const controller = await super.watch(path, { ...queryParams, allowWatchBookmarks: true }, stripping, trackingDone);
    returned = true;
    if (!failedEarly) this.onEstablished();
    return controller;
  }
}

/** Objects of kind T in a cache; T is a structural type (our XRayTracing is not client-node's KubernetesObject). */
export class ResilientInformer<T extends object> {
  private readonly listWatch: ListWatch<KubernetesObject>;
  private readonly state: InformerState = { connected: false, synced: false, restarts: 0 };
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(private readonly options: ResilientInformerOptions<T>) {
    const strip = options.strip ?? ((object: T) => object);
    const watch = new StrippingWatch<T>(options.kubeConfig, strip, () => this.established());
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const items: T[] = [];
      const limit = options.pageSize ?? LIST_PAGE_SIZE;
      let _continue: string | undefined;
      let resourceVersion: string | undefined;
      do {
        const page = await options.list({ limit, _continue });
        for (const item of page.items) items.push(strip(item));
        // Every page of one list is served from the same snapshot; its version is where the watch starts.
        resourceVersion = page.metadata?.resourceVersion;
        _continue = page.metadata?._continue || undefined;
      } while (_continue);
      return { metadata: { resourceVersion }, items };
    };
    this.listWatch = new ListWatch<KubernetesObject>(options.path, watch, list, false);
    this.listWatch.on('error', (error: unknown) => this.failed(error));
  }

  get name(): string {
    return this.options.name;
  }

  snapshot(): Readonly<InformerState> {
    return { ...this.state };
  }

  on(event: InformerEvent, callback: (object: T) => void): void {
    this.listWatch.on(event, callback as (object: KubernetesObject) => void);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace) as T | undefined;
  }

  list(namespace?: string): readonly T[] {
    return this.listWatch.list(namespace) as readonly T[];
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listWatch.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.listWatch.stop();
  }

  private established(): void {
    this.state.connected = true;
    this.state.synced = true;
    this.failures = 0;
  }

  private failed(error: unknown): void {
    this.state.connected = false;
    if (this.stopped || this.restartTimer) return;
    this.failures++;
    const delayMs = backoffDelayMs(this.failures, this.options.restartBackoff ?? RESTART_BACKOFF);
    this.options.logger.warn(
      { operation: 'informer', informer: this.options.name, err: error, detail: describeApiError(error), retryInMs: delayMs },
      'Informer stopped on an error, restarting',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.state.restarts++;
      this.listWatch.start().catch((startError: unknown) => this.failed(startError));
    }, delayMs);
    this.restartTimer.unref();
  }
}
