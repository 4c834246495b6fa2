// The API server's watch cache for one resource prefix: one storage watch, an in-memory snapshot of the
// current objects and a bounded buffer of recent events, fanned out to many client watchers in process.
// Objects and events handed out are deep-frozen and shared between callers: never mutate them.
import type { KubeObject } from '@k8ts/api';
import { StorageError, type Storage, type StorageEvent, type WatchHandle } from './interface.ts';
import { lowerBound } from './codec.ts';

export interface WatchCacheOptions {
  /** Events kept for watches that start in the past (default 10 000). */
  capacity?: number;
  /** Events queued for one watcher before it is closed as too slow (default 1 000). */
  watcherQueueLimit?: number;
  /** How often a quiet cache asks the storage for progress, to keep revision() fresh (default 1 000 ms; 0 = never). */
  progressIntervalMs?: number;
  /** Delay before retrying a failed relist (default 1 000 ms). */
  retryMs?: number;
  /** The storage key of a listed object (default: prefix + "namespace/name", or prefix + "name"). */
  keyOf?: (o: KubeObject) => string;
}

export interface CacheWatchHandlers {
  /**
   * Called in revision order. May return a promise: the next event is delivered only after it settles, and
   * events queue meanwhile; a watcher whose queue overflows is closed with onError (as upstream closes slow
   * watchers).
   */
  onEvent(e: StorageEvent): void | Promise<void>;
  /**
   * Called once when the cache ends the watch: code 'Compacted' when the start revision is older than the
   * buffer (HTTP 410 Expired); code 'Unavailable' when the watcher was too slow, the cache was reinitialized
   * or stopped (the client should simply watch again from its last revision).
   */
  onError(err: StorageError): void;
  /** Answer to CacheWatchHandle.requestBookmark, in order with the events (may return a promise, as onEvent). */
  onBookmark?(revision: number): void | Promise<void>;
}

export interface CacheWatchHandle extends WatchHandle {
  /**
   * Queues a bookmark behind the events already queued for this watcher: onBookmark(R) is called once every
   * event up to R has been delivered, with R the cache's revision at the time of the request.
   */
  requestBookmark(): void;
}

/** waitUntilFresh timed out: the cache has not seen the requested revision (upstream's "Too large resource version"). */
export class TooLargeResourceVersionError extends Error {
  readonly requested: number;
  readonly current: number;
  constructor(requested: number, current: number) {
    super(`Too large resource version: ${requested}, current: ${current}`);
    this.name = 'TooLargeResourceVersionError';
    this.requested = requested;
    this.current = current;
  }
}

export class WatchCache {
  private readonly storage: Storage;
  private readonly prefix: string;
  private readonly capacity: number;
  private readonly queueLimit: number;
  private readonly progressIntervalMs: number;
  private readonly retryMs: number;
  private readonly keyOf: (o: KubeObject) => string;

  private objects = new Map<string, KubeObject>();
  private sortedKeys: string[] = [];
  private events: EventRing;
  /** Every event with a revision above this is in the buffer. */
  private bufferStart = 0;
  private rev = 0;
  private synced = false;
  private stopped = false;
  private storageWatch?: WatchHandle;
  private watchers = new Set<CacheWatcher>();
  private freshWaiters = new Set<{ revision: number; resolve: () => void }>();
  private progressTimer?: NodeJS.Timeout;
  private eventsSinceTick = 0;
  private relisting?: Promise<void>;

  constructor(storage: Storage, prefix: string, opts: WatchCacheOptions = {}) {
    this.storage = storage;
    this.prefix = prefix;
    this.capacity = opts.capacity ?? 10_000;
    this.queueLimit = opts.watcherQueueLimit ?? 1_000;
    this.progressIntervalMs = opts.progressIntervalMs ?? 1_000;
    this.retryMs = opts.retryMs ?? 1_000;
    this.keyOf = opts.keyOf ?? ((o) => {
      const ns = o.metadata.namespace;
      return ns ? `${prefix}${ns}/${o.metadata.name}` : `${prefix}${o.metadata.name}`;
    });
    this.events = new EventRing(this.capacity);
  }

  /** Lists and starts watching; resolves once the cache is synced (retrying the list while storage fails). */
  async start(): Promise<void> {
    await this.relist();
    if (this.progressIntervalMs > 0 && !this.progressTimer) {
      this.progressTimer = setInterval(() => this.progressTick(), this.progressIntervalMs);
      this.progressTimer.unref();
    }
  }

  /** The newest revision the cache has caught up with. */
  revision(): number {
    return this.rev;
  }

  isSynced(): boolean {
    return this.synced;
  }

  /** The current objects in key order, at revision(). */
  list(): { items: KubeObject[]; revision: number } {
    return { items: this.sortedKeys.map((k) => this.objects.get(k)!), revision: this.rev };
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  /** Resolves once revision() >= revision; rejects with TooLargeResourceVersionError after timeoutMs. */
  waitUntilFresh(revision: number, timeoutMs = 3_000): Promise<void> {
    if (this.synced && this.rev >= revision) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          this.freshWaiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.freshWaiters.delete(waiter);
        reject(new TooLargeResourceVersionError(revision, this.rev));
      }, timeoutMs);
      this.freshWaiters.add(waiter);
      this.storageWatch?.requestProgress?.();
    });
  }

  /**
   * Events with revision > afterRevision: buffered ones first, then live ones. For upstream's resourceVersion
   * "0"/unset watches, call list() and watch(list().revision) in the same tick (nothing can happen in between).
   */
  watch(afterRevision: number, handlers: CacheWatchHandlers): CacheWatchHandle {
    const w = new CacheWatcher(handlers, afterRevision, this.queueLimit, this.prefix, () => this.rev, (x) => this.watchers.delete(x));
    if (!this.synced) {
      w.fail(new StorageError('Unavailable', this.prefix, 'watch cache is not ready'));
      return w;
    }
    if (afterRevision < this.bufferStart) {
      w.fail(new StorageError('Compacted', this.prefix,
        `too old resource version: ${afterRevision} (${this.bufferStart})`, this.bufferStart + 1));
      return w;
    }
    for (const e of this.events.since(afterRevision)) w.push(e);
    this.watchers.add(w);
    return w;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.storageWatch?.stop();
    this.storageWatch = undefined;
    this.closeAllWatchers('watch cache stopped');
  }

  private progressTick(): void {
    // Only a quiet cache needs progress; events move the revision by themselves.
    if (this.eventsSinceTick === 0 && this.synced) this.storageWatch?.requestProgress?.();
    this.eventsSinceTick = 0;
  }

  /** (Re)initializes from a fresh list; ends all client watches, as upstream's cacher does on relist. */
  private relist(): Promise<void> {
    this.relisting ??= this.doRelist().finally(() => { this.relisting = undefined; });
    return this.relisting;
  }

  private async doRelist(): Promise<void> {
    this.synced = false;
    this.storageWatch?.stop();
    this.storageWatch = undefined;
    this.closeAllWatchers('watch cache reinitialized');
    let listRevision: number;
    for (;;) {
      if (this.stopped) return;
      try {
        const list = await this.storage.list(this.prefix);
        if (this.stopped) return;
        this.replace(list.items, list.revision);
        listRevision = list.revision;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, this.retryMs));
      }
    }
    this.storageWatch = this.storage.watch(this.prefix, listRevision, {
      onEvent: (e) => this.onStorageEvent(e),
      onError: () => {
        // Compacted (we fell behind etcd's history) or the watch died: start over from a fresh list.
        if (!this.stopped) void this.relist();
      },
      onProgress: (revision) => this.advance(revision),
    });
    this.synced = true;
    this.notifyFresh();
  }

  private replace(items: KubeObject[], revision: number): void {
    this.objects = new Map();
    for (const o of items) {
      const key = this.keyOf(o);
      this.objects.set(key, deepFreeze(o));
    }
    this.sortedKeys = [...this.objects.keys()].sort();
    this.events = new EventRing(this.capacity);
    this.rev = Math.max(this.rev, revision);
    this.bufferStart = revision;
  }

  private onStorageEvent(e: StorageEvent): void {
    if (e.type === 'MODIFIED' && e.prevRevision !== undefined) {
      // The object this change replaces is the one held here (events arrive in revision order): use it
      // rather than decoding etcd's copy of it.
      const held = this.objects.get(e.key);
      if (held && held.metadata?.resourceVersion === String(e.prevRevision)) {
        Object.defineProperty(e, 'prevObject', { value: held, enumerable: true, configurable: true, writable: false });
      }
    }
    deepFreeze(e);
    this.eventsSinceTick++;
    if (e.type === 'DELETED') {
      if (this.objects.delete(e.key)) this.sortedKeys.splice(lowerBound(this.sortedKeys, e.key), 1);
    } else {
      if (!this.objects.has(e.key)) this.sortedKeys.splice(lowerBound(this.sortedKeys, e.key), 0, e.key);
      this.objects.set(e.key, e.object);
    }
    const evicted = this.events.push(e);
    if (evicted) this.bufferStart = evicted.revision;
    for (const w of this.watchers) w.push(e);
    this.advance(e.revision);
  }

  private advance(revision: number): void {
    if (revision <= this.rev) return;
    this.rev = revision;
    this.notifyFresh();
  }

  private notifyFresh(): void {
    if (!this.synced) return;
    for (const waiter of [...this.freshWaiters]) {
      if (this.rev >= waiter.revision) waiter.resolve();
    }
  }

  private closeAllWatchers(reason: string): void {
    const all = [...this.watchers];
    this.watchers.clear();
    for (const w of all) w.fail(new StorageError('Unavailable', this.prefix, reason));
  }
}

type Queued = StorageEvent | { bookmark: number };

/** One client watcher: a bounded queue drained in order, waiting for promise-returning handlers. */
class CacheWatcher implements CacheWatchHandle {
  private readonly handlers: CacheWatchHandlers;
  private readonly after: number;
  private readonly limit: number;
  private readonly prefix: string;
  private readonly revision: () => number;
  private readonly onStop: (w: CacheWatcher) => void;
  private queue: Queued[] = [];
  private head = 0;
  private busy = false;
  private scheduled = false;
  private stopped = false;

  constructor(handlers: CacheWatchHandlers, after: number, limit: number, prefix: string, revision: () => number, onStop: (w: CacheWatcher) => void) {
    this.handlers = handlers;
    this.after = after;
    this.limit = limit;
    this.prefix = prefix;
    this.revision = revision;
    this.onStop = onStop;
  }

  push(e: StorageEvent): void {
    if (this.stopped || e.revision <= this.after) return;
    this.enqueue(e);
  }

  requestBookmark(): void {
    if (this.stopped) return;
    this.enqueue({ bookmark: Math.max(this.revision(), this.after) });
  }

  private enqueue(item: Queued): void {
    this.queue.push(item);
    if (this.queue.length - this.head > this.limit) {
      this.fail(new StorageError('Unavailable', this.prefix, `watcher too slow: more than ${this.limit} events pending`));
      return;
    }
    this.schedule();
  }

  /** Ends the watch with an error, delivered after nothing else. */
  fail(err: StorageError): void {
    if (this.stopped) return;
    this.stop();
    queueMicrotask(() => this.handlers.onError(err));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue = [];
    this.head = 0;
    this.onStop(this);
  }

  private schedule(): void {
    if (this.scheduled || this.busy) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (!this.stopped && !this.busy && this.head < this.queue.length) {
      const item = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      let r: void | Promise<void>;
      try {
        r = 'bookmark' in item ? this.handlers.onBookmark?.(item.bookmark) : this.handlers.onEvent(item);
      } catch (err) {
        this.fail(new StorageError('Unavailable', this.prefix, `watch handler failed: ${(err as Error).message}`));
        return;
      }
      if (r && typeof (r as Promise<void>).then === 'function') {
        this.busy = true;
        (r as Promise<void>).then(
          () => {
            this.busy = false;
            this.drain();
          },
          (err: unknown) => this.fail(new StorageError('Unavailable', this.prefix, `watch handler failed: ${(err as Error)?.message}`)),
        );
      }
    }
  }
}

/** A fixed-capacity ring of events in revision order. */
class EventRing {
  private readonly buf: (StorageEvent | undefined)[];
  private start = 0;
  private size = 0;

  constructor(capacity: number) {
    this.buf = new Array(Math.max(1, capacity));
  }

  /** Appends; returns the evicted oldest event when full. */
  push(e: StorageEvent): StorageEvent | undefined {
    const cap = this.buf.length;
    let evicted: StorageEvent | undefined;
    if (this.size === cap) {
      evicted = this.buf[this.start];
      this.start = (this.start + 1) % cap;
      this.size--;
    }
    this.buf[(this.start + this.size) % cap] = e;
    this.size++;
    return evicted;
  }

  /** Buffered events with revision > after, oldest first. */
  since(after: number): StorageEvent[] {
    const cap = this.buf.length;
    // Binary search for the first event with revision > after.
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buf[(this.start + mid) % cap]!.revision <= after) lo = mid + 1;
      else hi = mid;
    }
    const out: StorageEvent[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.buf[(this.start + i) % cap]!);
    return out;
  }
}


function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
