// Reflector: keeps a store in step with the API server by LIST then WATCH (client-go tools/cache).
// Lists with resourceVersion=0 first (paging by 500), watches from the list's resourceVersion with
// bookmarks and a random 5–10 min timeout, re-watches from the last seen resourceVersion after a
// close or a broken stream, and relists after 410 Expired.
import type { KubeObject, KubeList } from '@k8ts/api/object.ts';
import { StatusError } from '@k8ts/api/status.ts';
import type { Logger } from 'pino';
import type { ResourceClient, Watch } from './resource-client.ts';
import { watchErrorToStatusError } from './resource-client.ts';
import { silentLogger } from './log.ts';

/** What a reflector writes into (the shared informer implements it). */
export interface ReflectorStore<T> {
  /** The full state at `resourceVersion` after a (re)list. */
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

/** The ListWatch a reflector needs; a ResourceClient fits. */
export type ListerWatcher<T extends KubeObject> = Pick<ResourceClient<T>, 'list' | 'watch'>;

export interface ReflectorOptions {
  name?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size of the initial list (client-go: 500). */
  pageSize?: number;
  /** Watch timeout in seconds; random in [min, 2*min) (client-go: min 300). */
  minWatchTimeoutSeconds?: number;
  /** Backoff between failed list/watch attempts: initial and max ms (client-go: 800 ms → 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  logger?: Logger;
}

function isExpired(e: unknown): boolean {
  return e instanceof StatusError && (e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone');
}

function isTooLargeResourceVersion(e: unknown): boolean {
  return e instanceof StatusError && e.code === 504 && !!e.status.details?.causes?.some((c) => c.reason === 'ResourceVersionTooLarge');
}

function isConnectionRefused(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ECONNREFUSED';
}

function abortable(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Outcome of one watch: relist, or re-watch at once / after a backoff. */
type WatchEnd = 'rewatch' | 'backoff' | 'relist';

export class Reflector<T extends KubeObject> {
  readonly name: string;
  private readonly lw: ListerWatcher<T>;
  private readonly store: ReflectorStore<T>;
  private readonly o: ReflectorOptions;
  private readonly log: Logger;
  private lastSyncResourceVersion = '';
  private lastSyncResourceVersionUnavailable = false;
  private backoffMs: number;
  private currentWatch: Watch<T> | undefined;

  constructor(lw: ListerWatcher<T>, store: ReflectorStore<T>, o: ReflectorOptions = {}) {
    this.lw = lw;
    this.store = store;
    this.o = o;
    this.name = o.name ?? 'reflector';
    this.log = (o.logger ?? silentLogger()).child({ reflector: this.name });
    this.backoffMs = o.initialBackoffMs ?? 800;
  }

  /** The resourceVersion of the last list, watch event or bookmark seen. */
  lastSyncResourceVersionSeen(): string { return this.lastSyncResourceVersion; }

  /** The resourceVersion the next list uses (client-go's relistResourceVersion). */
  relistResourceVersion(): string {
    if (this.lastSyncResourceVersionUnavailable) return '';
    return this.lastSyncResourceVersion || '0';
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.currentWatch?.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        try {
          await this.listAndWatch(signal);
        } catch (e) {
          if (signal.aborted) break;
          this.log.warn({ err: (e as Error).message }, 'failed to list and watch');
        }
        if (signal.aborted) break;
        await this.backoff(signal);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async backoff(signal: AbortSignal): Promise<void> {
    const ms = this.backoffMs;
    this.backoffMs = Math.min(this.o.maxBackoffMs ?? 30_000, ms * 2);
    await abortable(ms / 2 + Math.random() * (ms / 2), signal);
  }

  private resetBackoff(): void { this.backoffMs = this.o.initialBackoffMs ?? 800; }

  /** LIST, replace the store, then WATCH until the watch needs a relist. */
  async listAndWatch(signal: AbortSignal): Promise<void> {
    await this.list(signal);
    this.resetBackoff();
    while (!signal.aborted) {
      const end = await this.watchOnce(signal);
      if (signal.aborted || end === 'relist') return;
      if (end === 'backoff') await this.backoff(signal);
      else this.resetBackoff();
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    let rv = this.relistResourceVersion();
    let list: KubeList<T>;
    try {
      list = await this.listPages(rv, signal);
    } catch (e) {
      if (!(isExpired(e) || isTooLargeResourceVersion(e)) || rv === '') throw e;
      // The resourceVersion we asked for is gone: list the newest state instead.
      this.lastSyncResourceVersionUnavailable = true;
      rv = '';
      list = await this.listPages(rv, signal);
    }
    const listRV = list.metadata?.resourceVersion ?? '';
    this.store.replace(list.items, listRV);
    this.lastSyncResourceVersion = listRV;
    this.lastSyncResourceVersionUnavailable = false;
  }

  private async listPages(resourceVersion: string, signal: AbortSignal): Promise<KubeList<T>> {
    // A relist at a known resourceVersion is unpaged so the server can answer from its watch cache
    // (paging there would force reads from etcd); the first list (rv=0) and a fresh list ("") page.
    const limit = resourceVersion === '' || resourceVersion === '0' ? (this.o.pageSize ?? 500) : undefined;
    const base = { labelSelector: this.o.labelSelector, fieldSelector: this.o.fieldSelector, signal };
    const first = await this.lw.list({ ...base, limit, resourceVersion: resourceVersion || undefined });
    const items = first.items ?? [];
    let cont = first.metadata?.continue;
    while (cont) {
      let page: KubeList<T>;
      try {
        page = await this.lw.list({ ...base, limit, continue: cont });
      } catch (e) {
        // An expired continue token: start over with a full, unpaged list of the newest state.
        if (!isExpired(e)) throw e;
        return this.lw.list({ ...base });
      }
      items.push(...page.items);
      cont = page.metadata?.continue;
    }
    return { ...first, items };
  }

  private watchTimeoutSeconds(): number {
    const min = this.o.minWatchTimeoutSeconds ?? 300;
    return Math.floor(min * (1 + Math.random()));
  }

  private async watchOnce(signal: AbortSignal): Promise<WatchEnd> {
    let w: Watch<T>;
    try {
      w = await this.lw.watch({
        labelSelector: this.o.labelSelector, fieldSelector: this.o.fieldSelector,
        resourceVersion: this.lastSyncResourceVersion, allowWatchBookmarks: true,
        timeoutSeconds: this.watchTimeoutSeconds(), signal,
      });
    } catch (e) {
      if (signal.aborted) return 'rewatch';
      if (isExpired(e)) { this.log.debug('watch resourceVersion expired; relisting'); return 'relist'; }
      // The server is down or restarting: keep our resourceVersion and try the watch again.
      if (isConnectionRefused(e) || (e instanceof StatusError && (e.code === 429 || e.code >= 500))) return 'backoff';
      throw e;
    }
    this.currentWatch = w;
    const started = Date.now();
    let events = 0;
    try {
      for await (const ev of w) {
        if (ev.type === 'ERROR') {
          const err = watchErrorToStatusError(ev.object);
          if (isExpired(err)) { this.log.debug({ rv: this.lastSyncResourceVersion }, 'watch closed with: too old resource version'); return 'relist'; }
          this.log.warn({ err: err.message }, 'watch error event');
          return 'backoff';
        }
        const obj = ev.object;
        const rv = obj?.metadata?.resourceVersion;
        switch (ev.type) {
          case 'ADDED': this.store.add(obj); break;
          case 'MODIFIED': this.store.update(obj); break;
          case 'DELETED': this.store.delete(obj); break;
          case 'BOOKMARK': break;
          default: this.log.warn({ type: ev.type }, 'unknown watch event type');
        }
        if (rv) this.lastSyncResourceVersion = rv;
        events++;
      }
      // A watch that ends at once with nothing in it means trouble: do not hot-loop (client-go does the same).
      return events || Date.now() - started > 1000 ? 'rewatch' : 'backoff';
    } catch (e) {
      if (signal.aborted) return 'rewatch';
      this.log.debug({ err: (e as Error).message, rv: this.lastSyncResourceVersion }, 'watch broke; re-watching');
      return 'backoff';
    } finally {
      this.currentWatch = undefined;
      w.close();
    }
  }
}
