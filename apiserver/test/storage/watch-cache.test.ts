import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '@k8ts/api';
import type { Storage, StorageError, StorageEvent, WatchHandlers, WatchHandle } from '../../src/storage/interface.ts';
import { MemoryStorage } from '../../src/storage/memory.ts';
import { TooLargeResourceVersionError, WatchCache, type CacheWatchHandlers } from '../../src/storage/watch-cache.ts';
import { pod, until } from './helpers.ts';

const P = '/registry/pods/';
const key = (name: string) => `${P}default/${name}`;

interface Watched { events: StorageEvent[]; errors: StorageError[]; handle: WatchHandle }

function watchAll(cache: WatchCache, after: number, onEvent?: CacheWatchHandlers['onEvent']): Watched {
  const w = { events: [] as StorageEvent[], errors: [] as StorageError[] } as Watched;
  w.handle = cache.watch(after, {
    onEvent: (e) => { w.events.push(e); return onEvent?.(e); },
    onError: (e) => { w.errors.push(e); },
  });
  return w;
}

const names = (w: Watched) => w.events.map((e) => `${e.type} ${e.object.metadata.name}`);

describe('WatchCache', () => {
  const caches: WatchCache[] = [];
  const make = (s: Storage, opts = {}) => {
    const c = new WatchCache(s, P, { progressIntervalMs: 0, ...opts });
    caches.push(c);
    return c;
  };
  afterEach(() => {
    for (const c of caches.splice(0)) c.stop();
  });

  it('starts from a list, then follows changes; objects are frozen and in key order', async () => {
    const s = new MemoryStorage();
    await s.create(key('b'), pod('b'));
    await s.create(key('a'), pod('a'));
    await s.create('/registry/pods-other/x', pod('x'));
    const cache = make(s);
    await cache.start();
    expect(cache.revision()).toBe(await s.currentRevision());
    expect(cache.list().items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(cache.get(key('a'))?.metadata.name).toBe('a');
    expect(Object.isFrozen(cache.get(key('a'))!.metadata)).toBe(true);

    await s.create(key('c'), pod('c'));
    await s.update(key('a'), (o) => ({ ...o, spec: { nodeName: 'n' } }));
    await s.delete(key('b'));
    const rev = await s.currentRevision();
    await cache.waitUntilFresh(rev, 1000);
    const l = cache.list();
    expect(l.revision).toBe(rev);
    expect(l.items.map((o) => o.metadata.name)).toEqual(['a', 'c']);
    expect((cache.get(key('a'))!.spec as { nodeName: string }).nodeName).toBe('n');
    expect(cache.get(key('b'))).toBeUndefined();
  });

  it('fans out every event, in order, to many watchers', async () => {
    const s = new MemoryStorage();
    const cache = make(s);
    await cache.start();
    const start = cache.revision();
    const ws = Array.from({ length: 50 }, () => watchAll(cache, start));
    for (let i = 0; i < 10; i++) await s.create(key(`p${i}`), pod(`p${i}`));
    await s.update(key('p0'), (o) => ({ ...o, spec: { nodeName: 'n' } }));
    await s.delete(key('p1'));
    await until(() => ws.every((w) => w.events.length === 12), 5000, 'all watchers to get 12 events');
    const expected = names(ws[0]);
    expect(expected.slice(-2)).toEqual(['MODIFIED p0', 'DELETED p1']);
    for (const w of ws) {
      expect(names(w)).toEqual(expected);
      expect(w.errors).toEqual([]);
    }
    const revs = ws[0].events.map((e) => e.revision);
    expect([...revs].sort((a, b) => a - b)).toEqual(revs);
    expect(ws[0].events[10].prevObject?.metadata.name).toBe('p0');
  });

  it('replays buffered events after a given revision, then live ones; stop() ends delivery', async () => {
    const s = new MemoryStorage();
    const cache = make(s);
    await cache.start();
    const a = await s.create(key('a'), pod('a'));
    await s.create(key('b'), pod('b'));
    await s.create(key('c'), pod('c'));
    await cache.waitUntilFresh(await s.currentRevision());
    const w = watchAll(cache, Number(a.metadata.resourceVersion));
    await until(() => w.events.length === 2);
    expect(names(w)).toEqual(['ADDED b', 'ADDED c']);
    await s.create(key('d'), pod('d'));
    await until(() => w.events.length === 3);
    expect(names(w)[2]).toBe('ADDED d');
    w.handle.stop();
    await s.create(key('e'), pod('e'));
    await cache.waitUntilFresh(await s.currentRevision());
    await new Promise((r) => setTimeout(r, 20));
    expect(w.events).toHaveLength(3);
  });

  it('answers a watch older than the buffer with Compacted, but serves the oldest servable revision', async () => {
    const s = new MemoryStorage();
    const cache = make(s, { capacity: 3 });
    await cache.start();
    const start = cache.revision();
    // Nothing happened since the list: watching from the list revision works.
    const fromList = watchAll(cache, start);
    const revs: number[] = [];
    for (const n of ['a', 'b', 'c', 'd', 'e']) revs.push(Number((await s.create(key(n), pod(n))).metadata.resourceVersion));
    await cache.waitUntilFresh(revs[4]);
    await until(() => fromList.events.length === 5);
    // Buffer holds c, d, e; b's revision is the oldest point from which nothing is missing.
    const tooOld = watchAll(cache, revs[0]);
    await until(() => tooOld.errors.length === 1);
    expect(tooOld.errors[0].code).toBe('Compacted');
    expect(tooOld.events).toEqual([]);
    const oldest = watchAll(cache, revs[1]);
    await until(() => oldest.events.length === 3);
    expect(names(oldest)).toEqual(['ADDED c', 'ADDED d', 'ADDED e']);
    expect(oldest.errors).toEqual([]);
  });

  it('closes a watcher that falls too far behind without holding up the others', async () => {
    const s = new MemoryStorage();
    const cache = make(s, { watcherQueueLimit: 5 });
    await cache.start();
    const start = cache.revision();
    const stuck = watchAll(cache, start, () => new Promise<void>(() => { /* a client that never drains */ }));
    // Slow, but it finishes each event within a few milliseconds, so its queue stays within the bound.
    const slowButAlive = watchAll(cache, start, () => new Promise<void>((r) => setTimeout(r, 1)));
    const fast = watchAll(cache, start);
    for (let i = 0; i < 20; i++) {
      await s.create(key(`p${i}`), pod(`p${i}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    await until(() => fast.events.length === 20);
    await until(() => stuck.errors.length === 1);
    expect(stuck.errors[0].code).toBe('Unavailable');
    expect(stuck.errors[0].message).toMatch(/too slow/);
    expect(stuck.events).toHaveLength(1); // it took the first event and never finished it
    expect(fast.errors).toEqual([]);
    await until(() => slowButAlive.events.length === 20, 5000, 'slow watcher to catch up');
    expect(slowButAlive.errors).toEqual([]);
    expect(names(slowButAlive)).toEqual(names(fast));
  });

  it('relists when the storage watch fails with Compacted; open watches end, new ones see the new state', async () => {
    const inner = new MemoryStorage();
    let failWatch: ((err: StorageError) => void) | undefined;
    let watchCalls = 0;
    // The real storage, except that the test can break the cache's storage watch as etcd does when it compacts.
    const s: Storage = {
      create: (k, o) => inner.create(k, o),
      get: (k) => inner.get(k),
      list: (p, o) => inner.list(p, o),
      update: (k, f, pre) => inner.update(k, f, pre),
      delete: (k, pre) => inner.delete(k, pre),
      currentRevision: () => inner.currentRevision(),
      compact: (r) => inner.compact(r),
      close: () => inner.close(),
      watch: (prefix: string, after: number, h: WatchHandlers): WatchHandle => {
        watchCalls++;
        const handle = inner.watch(prefix, after, h);
        failWatch = (err) => { handle.stop(); h.onError(err); };
        return handle;
      },
    };
    const cache = make(s);
    await inner.create(key('a'), pod('a'));
    await cache.start();
    const w = watchAll(cache, cache.revision());
    failWatch!({ code: 'Compacted', key: P, name: 'StorageError', message: 'compacted' } as StorageError);
    // Changes while the cache is relisting are not lost.
    await inner.create(key('b'), pod('b'));
    await inner.delete(key('a'));
    await until(() => watchCalls === 2 && cache.isSynced());
    await until(() => w.errors.length === 1);
    expect(w.errors[0].code).toBe('Unavailable');
    const rev = await inner.currentRevision();
    await cache.waitUntilFresh(rev, 1000);
    expect(cache.list().items.map((o: KubeObject) => o.metadata.name)).toEqual(['b']);
    // History before the relist is gone: a watch from before it is too old; from now on it works.
    const old = watchAll(cache, rev - 3);
    await until(() => old.errors.length === 1);
    expect(old.errors[0].code).toBe('Compacted');
    const fresh = watchAll(cache, cache.revision());
    await inner.create(key('c'), pod('c'));
    await until(() => fresh.events.length === 1);
    expect(names(fresh)).toEqual(['ADDED c']);
  });

  it('keeps revision() fresh from storage progress when its prefix is quiet; waitUntilFresh times out on the future', async () => {
    const s = new MemoryStorage();
    const cache = make(s, { progressIntervalMs: 20 });
    await cache.start();
    const before = cache.revision();
    await s.create('/registry/services/default/x', pod('x'));
    await s.create('/registry/services/default/y', pod('y'));
    const rev = await s.currentRevision();
    expect(rev).toBe(before + 2);
    await until(() => cache.revision() === rev, 2000, 'cache revision to follow the store');
    await cache.waitUntilFresh(rev, 1000);
    const err = await cache.waitUntilFresh(rev + 100, 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeResourceVersionError);
    expect((err as TooLargeResourceVersionError).current).toBe(rev);
  });

  it('a watch from a revision ahead of the cache skips events up to it', async () => {
    const s = new MemoryStorage();
    const cache = make(s);
    await cache.start();
    const w = watchAll(cache, cache.revision() + 2);
    for (const n of ['a', 'b', 'c']) await s.create(key(n), pod(n));
    await until(() => w.events.length === 1);
    await cache.waitUntilFresh(await s.currentRevision());
    await new Promise((r) => setTimeout(r, 20));
    expect(names(w)).toEqual(['ADDED c']);
  });

  it('delivers a requested bookmark after the events queued before it', async () => {
    const s = new MemoryStorage();
    const cache = make(s);
    await cache.start();
    const log: string[] = [];
    const h = cache.watch(cache.revision(), {
      onEvent: async (e) => { await new Promise((r) => setTimeout(r, 5)); log.push(`event ${e.revision}`); },
      onError: () => {},
      onBookmark: (r) => { log.push(`bookmark ${r}`); },
    });
    await s.create(key('a'), pod('a'));
    await s.create(key('b'), pod('b'));
    await s.create('/registry/services/default/x', pod('x'));
    const rev = await s.currentRevision();
    await cache.waitUntilFresh(rev, 1000);
    h.requestBookmark();
    await until(() => log.length === 3);
    expect(log).toEqual([`event ${rev - 2}`, `event ${rev - 1}`, `bookmark ${rev}`]);
    h.stop();
  });

  it('waitUntilFresh asks for progress at once instead of waiting for the next tick', async () => {
    const s = new MemoryStorage();
    const cache = make(s, { progressIntervalMs: 0 });
    await cache.start();
    await s.create('/registry/services/default/x', pod('x'));
    await cache.waitUntilFresh(await s.currentRevision(), 500);
  });
});
