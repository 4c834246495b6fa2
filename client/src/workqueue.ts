// Work queues with client-go's contract (util/workqueue): a key is held once however often it is
// added, never handed to two workers at once, re-handed after done() when re-added meanwhile;
// delayed adds; per-key exponential backoff combined with an overall token bucket.
import type { Logger } from 'pino';
import { silentLogger } from './log.ts';

// ---- rate limiters ----

export interface RateLimiter<K> {
  /** How long to wait before this item may be processed again. */
  when(item: K): number;
  forget(item: K): void;
  numRequeues(item: K): number;
}

/** base * 2^failures, capped (client-go default for controllers: 5 ms → 1000 s). */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly baseMs: number;
  private readonly maxMs: number;
  constructor(baseMs = 5, maxMs = 1000_000) { this.baseMs = baseMs; this.maxMs = maxMs; }
  when(item: K): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    const d = this.baseMs * 2 ** n;
    return d > this.maxMs || !Number.isFinite(d) ? this.maxMs : d;
  }
  forget(item: K): void { this.failures.delete(item); }
  numRequeues(item: K): number { return this.failures.get(item) ?? 0; }
}

/** Fast delay for the first maxFastAttempts tries, then the slow delay. */
export class ItemFastSlowRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly fastMs: number;
  private readonly slowMs: number;
  private readonly maxFast: number;
  constructor(fastMs: number, slowMs: number, maxFastAttempts: number) { this.fastMs = fastMs; this.slowMs = slowMs; this.maxFast = maxFastAttempts; }
  when(item: K): number {
    const n = (this.failures.get(item) ?? 0) + 1;
    this.failures.set(item, n);
    return n <= this.maxFast ? this.fastMs : this.slowMs;
  }
  forget(item: K): void { this.failures.delete(item); }
  numRequeues(item: K): number { return this.failures.get(item) ?? 0; }
}

/** An overall token bucket (qps, burst) shared by all items: reservations, like golang.org/x/time/rate. */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private last: number;
  private readonly qps: number;
  private readonly burst: number;
  private readonly now: () => number;
  constructor(qps = 10, burst = 100, now: () => number = () => performance.now()) {
    this.qps = qps; this.burst = burst; this.tokens = burst; this.now = now; this.last = now();
  }
  when(_item: K): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
  forget(_item: K): void {}
  numRequeues(_item: K): number { return 0; }
}

/** The longest delay of several limiters. */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];
  constructor(...limiters: RateLimiter<K>[]) { this.limiters = limiters; }
  when(item: K): number { let d = 0; for (const l of this.limiters) d = Math.max(d, l.when(item)); return d; }
  forget(item: K): void { for (const l of this.limiters) l.forget(item); }
  numRequeues(item: K): number { let n = 0; for (const l of this.limiters) n = Math.max(n, l.numRequeues(item)); return n; }
}

/** workqueue.DefaultControllerRateLimiter: per-item 5 ms…1000 s exponential, overall 10 qps burst 100. */
export function defaultControllerRateLimiter<K = string>(): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialFailureRateLimiter<K>(5, 1000_000), new BucketRateLimiter<K>(10, 100));
}

// ---- queues ----

export interface QueueOptions<K> {
  name?: string;
  rateLimiter?: RateLimiter<K>;
}

/** The basic queue: dedup, processing/dirty sets, blocking get(). */
export class WorkQueue<K = string> {
  readonly name: string;
  private queue: K[] = [];
  private head = 0;
  /** Items that need processing: queued, or re-added while processing. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private waiters: ((item: K | undefined) => void)[] = [];
  private shuttingDownFlag = false;
  private drain = false;
  private drainWaiters: (() => void)[] = [];

  constructor(o: QueueOptions<K> = {}) { this.name = o.name ?? ''; }

  add(item: K): void {
    if (this.shuttingDownFlag) return;
    if (this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return; // handed out again by done()
    this.push(item);
  }

  /** Hands a dirty item to a waiting worker, or queues it. */
  private push(item: K): void {
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(item);
      this.processing.add(item);
      w(item);
      return;
    }
    this.queue.push(item);
  }

  /** Queued items (not counting those being processed). */
  len(): number { return this.queue.length - this.head; }

  /** The next item, waiting for one; undefined once shut down and empty. Call done(item) after. */
  get(): Promise<K | undefined> {
    if (this.len() > 0) {
      const item = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) { this.queue = this.queue.slice(this.head); this.head = 0; }
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.shuttingDownFlag) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks an item finished; if it was added meanwhile, it is queued again now. */
  done(item: K): void {
    if (!this.processing.delete(item)) return;
    if (this.dirty.has(item)) this.push(item);
    if (this.drain && this.processing.size === 0) { for (const w of this.drainWaiters) w(); this.drainWaiters = []; }
  }

  /** Stops accepting adds; waiting get()s return undefined; queued items are still handed out. */
  shutDown(): void {
    this.shuttingDownFlag = true;
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }

  /** As shutDown(), then waits until every handed-out item is done. */
  shutDownWithDrain(): Promise<void> {
    this.drain = true;
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  shuttingDown(): boolean { return this.shuttingDownFlag; }
  isProcessing(item: K): boolean { return this.processing.has(item); }
}

/** Adds delayed adds: the item is added after the delay; an earlier pending time for it wins. */
export class DelayingQueue<K = string> extends WorkQueue<K> {
  private readonly waiting = new Map<K, { at: number; timer: NodeJS.Timeout }>();

  addAfter(item: K, delayMs: number): void {
    if (this.shuttingDown()) return;
    if (delayMs <= 0) { this.add(item); return; }
    const at = performance.now() + delayMs;
    const cur = this.waiting.get(item);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => { this.waiting.delete(item); this.add(item); }, delayMs);
    this.waiting.set(item, { at, timer });
  }

  /** Items waiting for their delay to pass. */
  numWaiting(): number { return this.waiting.size; }

  override shutDown(): void {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    super.shutDown();
  }
}

/** The controllers' queue: addRateLimited / forget / numRequeues over a RateLimiter. */
export class RateLimitingQueue<K = string> extends DelayingQueue<K> {
  readonly rateLimiter: RateLimiter<K>;

  constructor(o: QueueOptions<K> = {}) {
    super(o);
    this.rateLimiter = o.rateLimiter ?? defaultControllerRateLimiter<K>();
  }

  addRateLimited(item: K): void { this.addAfter(item, this.rateLimiter.when(item)); }
  forget(item: K): void { this.rateLimiter.forget(item); }
  numRequeues(item: K): number { return this.rateLimiter.numRequeues(item); }
}

export function newRateLimitingQueue<K = string>(name?: string, rateLimiter?: RateLimiter<K>): RateLimitingQueue<K> {
  return new RateLimitingQueue<K>({ name, rateLimiter });
}

export interface SyncResult { requeueAfterMs?: number }

export interface RunWorkersOptions {
  logger?: Logger;
  /** Drop a key after this many failed retries (unlimited by default). */
  maxRetries?: number;
}

/**
 * Runs n workers doing the controller loop: take a key, sync it, forget it on success (or re-add it
 * after requeueAfterMs), re-add it rate limited on error, and done(). Resolves when the queue is shut
 * down and drained of what the workers took.
 */
export function runWorkers<K = string>(
  queue: RateLimitingQueue<K>, n: number, sync: (key: K) => Promise<SyncResult | void> | SyncResult | void, o: RunWorkersOptions = {},
): Promise<void> {
  const log = o.logger ?? silentLogger();
  async function worker(): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const r = await sync(key);
        queue.forget(key);
        if (r && r.requeueAfterMs !== undefined) queue.addAfter(key, r.requeueAfterMs);
      } catch (e) {
        if (o.maxRetries !== undefined && queue.numRequeues(key) >= o.maxRetries) {
          log.warn({ key, err: (e as Error).message }, 'dropping key out of the queue');
          queue.forget(key);
        } else {
          log.debug({ key, err: (e as Error).message }, 'error syncing; requeuing');
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  }
  return Promise.all(Array.from({ length: n }, worker)).then(() => undefined);
}
