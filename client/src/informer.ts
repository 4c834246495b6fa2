// SharedIndexInformer: one reflector per resource feeding an Indexer and fanning changes out to
// handlers (client-go tools/cache shared_informer). Handlers get objects and enqueue keys.
import type { KubeObject } from '@k8ts/api/object.ts';
import type { Logger } from 'pino';
import { Indexer, DeletedFinalStateUnknown, NamespaceIndex, metaNamespaceIndexFunc, deletionHandlingKey } from './store.ts';
import type { Indexers } from './store.ts';
import { Reflector } from './reflector.ts';
import type { ListerWatcher, ReflectorOptions, ReflectorStore } from './reflector.ts';
import { silentLogger } from './log.ts';
import { Lister } from './lister.ts';

export interface ResourceEventHandler<T> {
  onAdd?(obj: T, isInInitialList: boolean): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** Gets a DeletedFinalStateUnknown when the delete itself was missed (seen only on relist). */
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface HandlerRegistration {
  hasSynced(): boolean;
  remove(): void;
}

export interface InformerOptions<T> extends Omit<ReflectorOptions, 'logger'> {
  /** Default resync period for handlers (0: never). */
  resyncPeriodMs?: number;
  indexers?: Indexers<T>;
  logger?: Logger;
}

interface Listener<T> {
  handler: ResourceEventHandler<T>;
  resyncPeriodMs: number;
  synced: boolean;
  timer?: NodeJS.Timeout;
}

function rvOf(o: KubeObject | undefined): string | undefined { return o?.metadata?.resourceVersion; }

export class SharedIndexInformer<T extends KubeObject = KubeObject> implements ReflectorStore<T> {
  readonly indexer: Indexer<T>;
  private readonly lw: ListerWatcher<T>;
  private readonly o: InformerOptions<T>;
  private readonly log: Logger;
  private readonly listeners = new Set<Listener<T>>();
  private reflector: Reflector<T> | undefined;
  private synced = false;
  private started = false;
  private stopped = false;
  private syncWaiters: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private lastRV = '';

  constructor(lw: ListerWatcher<T>, o: InformerOptions<T> = {}) {
    this.lw = lw;
    this.o = o;
    this.log = o.logger ?? silentLogger();
    this.indexer = new Indexer<T>({ [NamespaceIndex]: metaNamespaceIndexFunc, ...(o.indexers ?? {}) });
  }

  /** Registers a handler. Added after start, it first gets onAdd for everything already cached. */
  addEventHandler(handler: ResourceEventHandler<T>, resyncPeriodMs = this.o.resyncPeriodMs ?? 0): HandlerRegistration {
    const l: Listener<T> = { handler, resyncPeriodMs, synced: false };
    this.listeners.add(l);
    if (this.synced) {
      for (const obj of this.indexer.list()) this.call(l, 'onAdd', () => handler.onAdd?.(obj, true));
      l.synced = true;
    }
    if (this.started && !this.stopped) this.startResync(l);
    return {
      hasSynced: () => l.synced,
      remove: () => { if (l.timer) clearInterval(l.timer); this.listeners.delete(l); },
    };
  }

  addIndexers(indexers: Indexers<T>): void { this.indexer.addIndexers(indexers); }
  getIndexer(): Indexer<T> { return this.indexer; }
  lister(): Lister<T> { return new Lister<T>(this.indexer, this.o.name); }
  hasSynced(): boolean { return this.synced; }
  isStopped(): boolean { return this.stopped; }
  lastSyncResourceVersion(): string { return this.lastRV; }

  /** Starts list/watch; resolves when the signal aborts and the reflector has stopped. */
  run(signal: AbortSignal): Promise<void> {
    if (this.running) return this.running;
    this.started = true;
    this.reflector = new Reflector<T>(this.lw, this, { ...this.o, logger: this.log });
    for (const l of this.listeners) this.startResync(l);
    this.running = this.reflector.run(signal).finally(() => {
      this.stopped = true;
      for (const l of this.listeners) if (l.timer) clearInterval(l.timer);
      for (const w of this.syncWaiters) w();
      this.syncWaiters = [];
    });
    return this.running;
  }

  /** Resolves true once the first list has been delivered, false if stopped (or the signal aborts) first. */
  waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => { signal?.removeEventListener('abort', done); resolve(this.synced); };
      this.syncWaiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private startResync(l: Listener<T>): void {
    if (l.resyncPeriodMs <= 0 || l.timer) return;
    l.timer = setInterval(() => {
      if (!this.synced) return;
      for (const obj of this.indexer.list()) this.call(l, 'onUpdate', () => l.handler.onUpdate?.(obj, obj));
    }, l.resyncPeriodMs);
    l.timer.unref();
  }

  private call(l: Listener<T>, what: string, fn: () => void): void {
    try { fn(); } catch (e) { this.log.error({ err: (e as Error).message, handler: what }, 'event handler threw'); }
  }

  private emitAdd(obj: T, initial: boolean): void {
    for (const l of this.listeners) this.call(l, 'onAdd', () => l.handler.onAdd?.(obj, initial));
  }
  private emitUpdate(old: T, obj: T): void {
    for (const l of this.listeners) this.call(l, 'onUpdate', () => l.handler.onUpdate?.(old, obj));
  }
  private emitDelete(obj: T | DeletedFinalStateUnknown<T>): void {
    for (const l of this.listeners) this.call(l, 'onDelete', () => l.handler.onDelete?.(obj));
  }

  // ---- ReflectorStore: applied to the cache, then delivered as the difference against it ----

  replace(items: T[], resourceVersion: string): void {
    const initial = !this.synced;
    const seen = new Set<string>();
    for (const obj of items) {
      const key = this.indexer.keyFunc(obj);
      seen.add(key);
      const old = this.indexer.getByKey(key);
      if (!old) {
        this.indexer.set(key, obj);
        this.emitAdd(obj, initial);
      } else if (rvOf(old) !== rvOf(obj) || !rvOf(obj)) {
        this.indexer.set(key, obj);
        this.emitUpdate(old, obj);
      }
    }
    for (const [key, old] of [...this.indexer.entries()]) {
      if (seen.has(key)) continue;
      this.indexer.deleteKey(key);
      this.emitDelete(new DeletedFinalStateUnknown(key, old));
    }
    this.lastRV = resourceVersion;
    if (initial) {
      this.synced = true;
      for (const l of this.listeners) l.synced = true;
      for (const w of this.syncWaiters) w();
      this.syncWaiters = [];
    }
  }

  add(obj: T): void { this.upsert(obj); }
  update(obj: T): void { this.upsert(obj); }

  private upsert(obj: T): void {
    const key = this.indexer.keyFunc(obj);
    const old = this.indexer.getByKey(key);
    if (rvOf(obj)) this.lastRV = rvOf(obj)!;
    // A replayed event for a version we already hold (a server re-sending after a re-watch) changes nothing.
    if (old && rvOf(obj) && rvOf(old) === rvOf(obj)) return;
    this.indexer.set(key, obj);
    if (old) this.emitUpdate(old, obj);
    else this.emitAdd(obj, false);
  }

  delete(obj: T): void {
    const key = this.indexer.keyFunc(obj);
    if (rvOf(obj)) this.lastRV = rvOf(obj)!;
    if (!this.indexer.has(key)) return;
    this.indexer.deleteKey(key);
    this.emitDelete(obj);
  }
}

/** Waits for all informers to sync; false when any stopped first or the signal aborted. */
export async function waitForCacheSync(signal: AbortSignal | undefined, ...informers: { waitForCacheSync(s?: AbortSignal): Promise<boolean> }[]): Promise<boolean> {
  const results = await Promise.all(informers.map((i) => i.waitForCacheSync(signal)));
  return results.every(Boolean);
}

/**
 * The usual controller handler: enqueue the key of whatever changed (tombstones included). `filter`
 * drops objects the controller does not care about; updates that change nothing (resyncs) are kept,
 * since level-triggered controllers want them.
 */
export function enqueueHandler<T extends KubeObject>(queue: { add(key: string): void }, filter?: (obj: T) => boolean): ResourceEventHandler<T> {
  const add = (o: T | DeletedFinalStateUnknown<T>) => {
    const obj = o instanceof DeletedFinalStateUnknown ? o.obj : o;
    if (filter && !filter(obj)) return;
    queue.add(deletionHandlingKey(o));
  };
  return { onAdd: (o) => add(o), onUpdate: (_old, o) => add(o), onDelete: (o) => add(o) };
}
