// Storage over etcd v3 (through our own client, etcd/client.ts). Values are JSON; an object's resourceVersion is
// its key's mod_revision. Writes are compare-and-swap transactions on the revisions, as upstream's etcd3 store.
import type { KubeObject } from '@k8ts/api';
import { Code, CompareResult, CompareTarget, EtcdClient, GrpcError, type KeyValue, type WatchResponse, type WatchStream } from './etcd/client.ts';
import {
  StorageError, type ListOptions, type ListResult, type Preconditions, type Storage, type StorageEvent,
  type WatchHandle, type WatchHandlers,
} from './interface.ts';
import { checkPreconditions, compacted, decode, encode, keyExists, keyNotFound, sameStored, written } from './codec.ts';

export interface EtcdStorageOptions {
  /** Endpoints such as "http://127.0.0.1:2379". */
  endpoints: string | string[];
  /** Per-request deadline in ms (default 10 s). */
  requestTimeoutMs?: number;
  /** Delay before re-establishing a broken watch stream (default 200 ms, doubling up to 2 s). */
  watchRetryMs?: number;
}

export class EtcdStorage implements Storage {
  private readonly client: EtcdClient;
  private readonly watchRetryMs: number;
  private readonly watches = new Set<EtcdWatch>();
  private closed = false;

  constructor(opts: EtcdStorageOptions | string | string[]) {
    const o: EtcdStorageOptions = typeof opts === 'string' || Array.isArray(opts) ? { endpoints: opts } : opts;
    this.watchRetryMs = o.watchRetryMs ?? 200;
    this.client = new EtcdClient(typeof o.endpoints === 'string' ? [o.endpoints] : o.endpoints, { timeoutMs: o.requestTimeoutMs ?? 10_000 });
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    const data = encode(obj);
    const res = await this.call(key, () => this.client.txn({
      compare: [{ key, target: CompareTarget.Create, result: CompareResult.Equal, value: 0 }],
      success: [{ put: { key, value: data } }],
    }));
    if (!res.succeeded) throw keyExists(key);
    return written(obj, data, res.revision);
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const kv = await this.getKv(key);
    return kv ? decode(kv.value.toString(), kv.modRevision) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter + '\0' : prefix;
    const res = await this.call(prefix, () => this.client.range({
      key: start,
      rangeEnd: prefixEnd(prefix),
      limit: opts.limit && opts.limit > 0 ? opts.limit : 0,
      revision: opts.revision ?? 0,
    }));
    const revision = opts.revision ?? res.revision;
    const items = res.kvs.map((kv) => decode(kv.value.toString(), kv.modRevision));
    const remaining = res.count - res.kvs.length;
    if (res.more && remaining > 0 && res.kvs.length > 0) {
      return { items, revision, continueAfter: res.kvs[res.kvs.length - 1].key.toString(), remaining };
    }
    return { items, revision };
  }

  async update(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    preconditions?: Preconditions,
    cached?: KubeObject,
  ): Promise<KubeObject> {
    type State = { stored: string; rev: number; fromCache: boolean } | undefined;
    const fromKv = (kv: KeyValue | undefined): State => (kv ? { stored: kv.value.toString(), rev: kv.modRevision, fromCache: false } : undefined);
    let state: State = cached?.metadata?.resourceVersion
      ? { stored: encode(cached), rev: Number(cached.metadata.resourceVersion), fromCache: true }
      : fromKv(await this.getKv(key));
    for (;;) {
      if (!state) throw keyNotFound(key);
      // The watch cache's copy is frozen and only read here; tryUpdate gets a fresh copy either way.
      const current = state.fromCache ? cached! : decode(state.stored, state.rev);
      let next: KubeObject;
      try {
        checkPreconditions(key, current, preconditions);
        next = await tryUpdate(decode(state.stored, state.rev));
      } catch (e) {
        // The cached copy may be stale: decide again on what etcd holds before failing.
        if (state.fromCache) { state = fromKv(await this.getKv(key)); continue; }
        throw e;
      }
      const data = encode(next);
      if (sameStored(data, state.stored)) {
        // Nothing to write, if what we started from is current.
        if (state.fromCache) { state = fromKv(await this.getKv(key)); continue; }
        return current;
      }
      const res = await this.call(key, () => this.client.txn({
        compare: [{ key, target: CompareTarget.Mod, result: CompareResult.Equal, value: state!.rev }],
        success: [{ put: { key, value: data } }],
        failure: [{ range: { key } }],
      }));
      if (res.succeeded) return written(next, data, res.revision);
      // Lost a race (or started from a stale copy): the failure branch carries the current object.
      state = fromKv(res.responses[0]?.range?.kvs[0]);
    }
  }

  async delete(key: string, preconditions?: Preconditions): Promise<KubeObject> {
    if (!preconditions || (preconditions.uid === undefined && preconditions.resourceVersion === undefined)) {
      const res = await this.call(key, () => this.client.deleteRange({ key, prevKv: true }));
      const prev = res.prevKvs[0];
      if (!prev) throw keyNotFound(key);
      return decode(prev.value.toString(), res.revision);
    }
    let kv = await this.getKv(key);
    for (;;) {
      if (!kv) throw keyNotFound(key);
      checkPreconditions(key, decode(kv.value.toString(), kv.modRevision), preconditions);
      const res = await this.call(key, () => this.client.txn({
        compare: [{ key, target: CompareTarget.Mod, result: CompareResult.Equal, value: kv!.modRevision }],
        success: [{ deleteRange: { key } }],
        failure: [{ range: { key } }],
      }));
      if (res.succeeded) return decode(kv.value.toString(), res.revision);
      kv = res.responses[0]?.range?.kvs[0];
    }
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): WatchHandle {
    const w = new EtcdWatch(this.client, prefix, afterRevision, handlers, this.watchRetryMs, () => this.watches.delete(w));
    this.watches.add(w);
    w.start();
    return w;
  }

  async currentRevision(): Promise<number> {
    // A count-only range over one (absent) key: the cheapest request that carries the store's revision.
    const res = await this.call('', () => this.client.range({ key: Buffer.from([0]), countOnly: true }));
    return res.revision;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.call('', () => this.client.compact(revision));
    } catch (e) {
      // Already compacted at or past this revision: nothing to do.
      if (e instanceof StorageError && e.code === 'Compacted') return;
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.stop();
    this.client.close();
  }

  private async getKv(key: string): Promise<KeyValue | undefined> {
    const res = await this.call(key, () => this.client.range({ key }));
    return res.kvs[0];
  }

  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toStorageError(key, e);
    }
  }
}

/** etcd errors as StorageErrors where the caller can act on them; others pass through. */
function toStorageError(key: string, e: unknown): unknown {
  if (!(e instanceof GrpcError)) return e;
  if (e.message.includes('required revision has been compacted')) return compacted(key);
  if (e.message.includes('required revision is a future revision')) return new StorageError('Unavailable', key, e.message);
  if (e.code === Code.Unavailable || e.code === Code.DeadlineExceeded || e.code === Code.Cancelled) {
    return new StorageError('Unavailable', key, `etcd unavailable: ${e.message}`);
  }
  return e;
}

/** The smallest key greater than every key starting with prefix. */
function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i] < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return Buffer.from([0]);
}

/**
 * One etcd watch stream for one prefix. It survives connection loss: the stream is re-established from the
 * last revision seen (revisions already delivered are skipped), so an etcd restart is invisible to the handlers.
 * It ends by itself only when the history it needs was compacted.
 */
class EtcdWatch implements WatchHandle {
  private readonly client: EtcdClient;
  private readonly prefix: string;
  private readonly handlers: WatchHandlers;
  private readonly retryMs: number;
  private readonly onStop: () => void;
  /** The newest revision delivered (or the start point). */
  private lastRevision: number;
  private stream?: WatchStream;
  private stopped = false;
  private created = false;
  private backoff: number;
  private generation = 0;
  private timers = new Set<NodeJS.Timeout>();
  private progressWanted = false;
  /** Until then the watcher may still be catching up on history (see onResponse). */
  private catchUpUntil = 0;

  constructor(client: EtcdClient, prefix: string, afterRevision: number, handlers: WatchHandlers, retryMs: number, onStop: () => void) {
    this.client = client;
    this.prefix = prefix;
    this.lastRevision = afterRevision;
    this.handlers = handlers;
    this.retryMs = retryMs;
    this.backoff = retryMs;
    this.onStop = onStop;
  }

  start(): void {
    this.connect();
  }

  requestProgress(): void {
    if (this.stopped) return;
    if (this.stream && this.created) this.stream.requestProgress();
    else this.progressWanted = true;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.closeStream();
    this.onStop();
  }

  private connect(): void {
    const gen = ++this.generation;
    let stream: WatchStream;
    try {
      stream = this.client.watch((res) => { if (gen === this.generation) this.onResponse(res, gen); }, () => this.reconnectLater(gen));
    } catch {
      this.reconnectLater(gen);
      return;
    }
    this.stream = stream;
    this.created = false;
    stream.create({
      key: this.prefix,
      rangeEnd: prefixEnd(this.prefix),
      startRevision: this.lastRevision + 1,
      prevKv: true,
      progressNotify: true,
    });
  }

  private onResponse(res: WatchResponse, gen: number): void {
    if (this.stopped) return;
    if (res.compactRevision > 0) {
      this.fail(compacted(this.prefix, res.compactRevision));
      return;
    }
    if (res.canceled) {
      this.fail(new StorageError('Unavailable', this.prefix, `etcd canceled the watch: ${res.cancelReason || 'no reason given'}`));
      return;
    }
    if (res.created) {
      this.created = true;
      // Started at or before the store's revision: etcd replays history to this watcher in the background for a
      // short while, during which etcd 3.4 answers progress requests with a revision it has not sent yet.
      if (res.revision > this.lastRevision) this.catchUpUntil = Date.now() + 500;
      this.backoff = this.retryMs;
      if (this.progressWanted) {
        this.progressWanted = false;
        this.stream?.requestProgress();
      }
      return;
    }
    if (res.events.length === 0) {
      // A progress notification. etcd before 3.4.25 may send a requested one ahead of events already queued for
      // the stream (etcd-io/etcd#15220); waiting briefly lets any such events arrive (and be delivered) first.
      const revision = res.revision;
      const delay = Math.max(100, this.catchUpUntil - Date.now());
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.stopped && gen === this.generation) this.handlers.onProgress?.(Math.max(revision, this.lastRevision));
      }, delay);
      this.timers.add(t);
      return;
    }
    for (const ev of res.events) {
      const revision = ev.kv.modRevision;
      if (revision <= this.lastRevision) continue; // already delivered before a reconnection
      this.lastRevision = revision;
      this.handlers.onEvent(toEvent(ev.type, ev.kv, ev.prevKv, revision));
      if (this.stopped) return;
    }
  }

  private fail(err: StorageError): void {
    this.stop();
    this.handlers.onError(err);
  }

  private reconnectLater(gen: number): void {
    if (this.stopped || gen !== this.generation) return;
    this.generation++;
    this.closeStream();
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, 2_000);
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) this.connect();
    }, delay);
    this.timers.add(t);
  }

  private closeStream(): void {
    const s = this.stream;
    this.stream = undefined;
    this.created = false;
    s?.cancel();
  }
}

function toEvent(type: 'PUT' | 'DELETE', kv: KeyValue, prev: KeyValue | undefined, revision: number): StorageEvent {
  const key = kv.key.toString();
  if (type === 'DELETE') {
    // A DELETE event's kv carries the key and the deletion's revision; the object is prev_kv's.
    const prevObject = prev?.value.length ? decode(prev.value.toString(), prev.modRevision) : undefined;
    // etcd always sends prev_kv for deletions when asked; the fallback only keeps the stream alive if not.
    const object = prevObject ? decode(prev!.value.toString(), revision) : { metadata: { resourceVersion: String(revision) } };
    return { type: 'DELETED', key, object, prevObject, revision };
  }
  const object = decode(kv.value.toString(), revision);
  if (kv.createRevision === revision || !prev?.value.length) return { type: 'ADDED', key, object, revision };
  // The previous object is parsed only if somebody reads it: the watch cache usually has it already.
  const prevRevision = prev.modRevision;
  let prevObject: KubeObject | undefined;
  const e: StorageEvent = { type: 'MODIFIED', key, object, prevRevision, revision };
  Object.defineProperty(e, 'prevObject', {
    enumerable: true, configurable: true,
    get: () => (prevObject ??= decode(prev.value.toString(), prevRevision)),
  });
  return e;
}
