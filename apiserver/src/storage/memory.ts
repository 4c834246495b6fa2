// An in-process Storage with etcd's semantics: one store-wide revision counter, per-key version history
// (so lists at older revisions and watches from older revisions work until compaction), compare-and-swap
// writes. Objects are kept JSON-encoded, so callers never share references with the store.
import type { KubeObject } from '@k8ts/api';
import {
  StorageError, type ListOptions, type ListResult, type Preconditions, type Storage, type StorageEvent,
  type WatchHandle, type WatchHandlers,
} from './interface.ts';
import { checkPreconditions, compacted, decode, encode, keyExists, keyNotFound, lowerBound, sameStored, written } from './codec.ts';

interface Version {
  rev: number;
  /** The encoded object, or null for a deletion. */
  data: string | null;
}

interface LogEntry {
  rev: number;
  key: string;
  data: string | null;
  prev?: { rev: number; data: string };
}

type Queued = { event: StorageEvent } | { progress: number } | { error: StorageError };

class MemoryWatcher implements WatchHandle {
  readonly prefix: string;
  readonly after: number;
  private readonly handlers: WatchHandlers;
  private readonly owner: MemoryStorage;
  private queue: Queued[] = [];
  private scheduled = false;
  private stopped = false;

  constructor(owner: MemoryStorage, prefix: string, after: number, handlers: WatchHandlers) {
    this.owner = owner;
    this.prefix = prefix;
    this.after = after;
    this.handlers = handlers;
  }

  push(item: Queued): void {
    if (this.stopped) return;
    this.queue.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    while (!this.stopped && this.queue.length > 0) {
      const item = this.queue.shift()!;
      if ('event' in item) this.handlers.onEvent(item.event);
      else if ('progress' in item) this.handlers.onProgress?.(item.progress);
      else {
        this.stop();
        this.handlers.onError(item.error);
      }
    }
  }

  requestProgress(): void {
    this.push({ progress: Math.max(this.after, this.owner.revisionNow()) });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue = [];
    this.owner.detach(this);
  }
}

export class MemoryStorage implements Storage {
  private rev = 1;
  private compactRev = 0;
  /** All keys that have history, sorted. */
  private keys: string[] = [];
  private versions = new Map<string, Version[]>();
  /** Changes with revision >= compactRev, in revision order. */
  private log: LogEntry[] = [];
  private watchers = new Set<MemoryWatcher>();

  revisionNow(): number {
    return this.rev;
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    if (this.latest(key)?.data != null) throw keyExists(key);
    const data = encode(obj);
    const rev = this.write(key, data);
    return written(obj, data, rev);
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const v = this.latest(key);
    return v?.data != null ? decode(v.data, v.rev) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const revision = opts.revision ?? this.rev;
    if (revision < this.compactRev) throw compacted(prefix, this.compactRev);
    if (revision > this.rev) throw new StorageError('Unavailable', prefix, `required revision ${revision} is a future revision (current ${this.rev})`);
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter + '\0' : prefix;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KubeObject[] = [];
    let remaining = 0;
    let lastKey = '';
    for (let i = lowerBound(this.keys, from); i < this.keys.length; i++) {
      const key = this.keys[i];
      if (!key.startsWith(prefix)) break;
      const v = versionAt(this.versions.get(key)!, revision);
      if (v?.data == null) continue;
      if (items.length < limit) {
        items.push(decode(v.data, v.rev));
        lastKey = key;
      } else remaining++;
    }
    return remaining > 0 ? { items, revision, continueAfter: lastKey, remaining } : { items, revision };
  }

  async update(
    key: string,
    tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    preconditions?: Preconditions,
    _cached?: KubeObject, // reads here cost nothing: always decide on the latest state
  ): Promise<KubeObject> {
    for (;;) {
      const cur = this.latest(key);
      if (cur?.data == null) throw keyNotFound(key);
      const current = decode(cur.data, cur.rev);
      checkPreconditions(key, current, preconditions);
      const next = await tryUpdate(decode(cur.data, cur.rev));
      const now = this.latest(key);
      if (now !== cur) {
        // Someone wrote in between: try again on the new state (a resourceVersion precondition then fails).
        continue;
      }
      const data = encode(next);
      if (sameStored(data, cur.data)) return current;
      const rev = this.write(key, data);
      return written(next, data, rev);
    }
  }

  async delete(key: string, preconditions?: Preconditions): Promise<KubeObject> {
    const cur = this.latest(key);
    if (cur?.data == null) throw keyNotFound(key);
    checkPreconditions(key, decode(cur.data, cur.rev), preconditions);
    const rev = this.write(key, null);
    return decode(cur.data, rev);
  }

  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): WatchHandle {
    const w = new MemoryWatcher(this, prefix, afterRevision, handlers);
    if (afterRevision + 1 < this.compactRev) {
      w.push({ error: compacted(prefix, this.compactRev) });
      return w;
    }
    for (let i = lowerBoundRev(this.log, afterRevision + 1); i < this.log.length; i++) {
      const e = this.log[i];
      if (e.key.startsWith(prefix)) w.push({ event: toEvent(e) });
    }
    this.watchers.add(w);
    return w;
  }

  detach(w: MemoryWatcher): void {
    this.watchers.delete(w);
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compact(revision: number): Promise<void> {
    if (revision > this.rev) throw new StorageError('Unavailable', '', `cannot compact to future revision ${revision}`);
    if (revision <= this.compactRev) return;
    this.compactRev = revision;
    const kept: string[] = [];
    for (const key of this.keys) {
      const vs = this.versions.get(key)!;
      let i = 0;
      while (i + 1 < vs.length && vs[i + 1].rev <= revision) i++;
      // vs[i] is the newest version at or before the compaction point (if its rev <= revision).
      let rest = vs[i].rev <= revision ? vs.slice(i) : vs;
      if (rest[0].rev <= revision && rest[0].data === null) rest = rest.slice(1);
      if (rest.length === 0) {
        this.versions.delete(key);
        continue;
      }
      this.versions.set(key, rest);
      kept.push(key);
    }
    this.keys = kept;
    this.log = this.log.slice(lowerBoundRev(this.log, revision));
  }

  async close(): Promise<void> {
    for (const w of [...this.watchers]) w.stop();
  }

  private latest(key: string): Version | undefined {
    const vs = this.versions.get(key);
    return vs?.[vs.length - 1];
  }

  /** Appends a version (data null = deletion) at the next revision and notifies watchers. */
  private write(key: string, data: string | null): number {
    const rev = ++this.rev;
    let vs = this.versions.get(key);
    if (!vs) {
      vs = [];
      this.versions.set(key, vs);
      this.keys.splice(lowerBound(this.keys, key), 0, key);
    }
    const prev = vs[vs.length - 1];
    vs.push({ rev, data });
    const entry: LogEntry = { rev, key, data };
    if (prev?.data != null) entry.prev = { rev: prev.rev, data: prev.data };
    this.log.push(entry);
    for (const w of this.watchers) {
      if (rev > w.after && key.startsWith(w.prefix)) w.push({ event: toEvent(entry) });
    }
    return rev;
  }
}

function toEvent(e: LogEntry): StorageEvent {
  const prevObject = e.prev ? decode(e.prev.data, e.prev.rev) : undefined;
  if (e.data === null) return { type: 'DELETED', key: e.key, object: decode(e.prev!.data, e.rev), prevObject, revision: e.rev };
  if (prevObject) return { type: 'MODIFIED', key: e.key, object: decode(e.data, e.rev), prevObject, revision: e.rev };
  return { type: 'ADDED', key: e.key, object: decode(e.data, e.rev), revision: e.rev };
}

function versionAt(vs: Version[], revision: number): Version | undefined {
  let found: Version | undefined;
  for (const v of vs) {
    if (v.rev > revision) break;
    found = v;
  }
  return found;
}


/** First index whose revision is >= rev. */
function lowerBoundRev(log: LogEntry[], rev: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid].rev < rev) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
