import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Relative import: @k8ts/cluster depends on @k8ts/apiserver, so a package dependency back would be a cycle.
import { startEtcd, type Etcd } from '../../../cluster/src/etcd.ts';
import { EtcdStorage } from '../../src/storage/etcd.ts';
import { WatchCache } from '../../src/storage/watch-cache.ts';
import { storageContract } from './contract.ts';
import { collect, freshPrefix, pod, until } from './helpers.ts';

describe('EtcdStorage', () => {
  let etcd: Etcd;
  let storage: EtcdStorage;
  beforeAll(async () => {
    etcd = await startEtcd();
    storage = new EtcdStorage({ endpoints: etcd.endpoint });
  });
  afterAll(async () => {
    await storage?.close();
    await etcd?.stop();
  });

  storageContract(() => storage);

  it('maps a compacted list revision to Compacted and tolerates repeated compaction', async () => {
    const p = freshPrefix();
    await storage.create(p + 'a', pod('a'));
    const r = await storage.currentRevision();
    await storage.create(p + 'b', pod('b'));
    await storage.compact(r + 1);
    await storage.compact(r);
    await expect(storage.list(p, { revision: r })).rejects.toMatchObject({ code: 'Compacted' });
  });

  it('lists results larger than gRPC\'s default 4 MiB message limit', async () => {
    const p = freshPrefix('configmaps');
    const big = 'x'.repeat(20_000);
    await Promise.all(Array.from({ length: 260 }, (_, i) => storage.create(`${p}default/c${i}`, { metadata: { name: `c${i}` }, data: { big } })));
    const l = await storage.list(p);
    expect(l.items).toHaveLength(260);
    expect((l.items[0].data as { big: string }).big).toBe(big);
  });

  it('a WatchCache over etcd follows writes, and its revision follows writes elsewhere via progress requests', async () => {
    const p = freshPrefix();
    await storage.create(p + 'default/a', pod('a'));
    const cache = new WatchCache(storage, p, { progressIntervalMs: 100 });
    try {
      await cache.start();
      expect(cache.list().items.map((o) => o.metadata.name)).toEqual(['a']);
      const events: string[] = [];
      cache.watch(cache.revision(), { onEvent: (e) => { events.push(`${e.type} ${e.object.metadata.name}`); }, onError: () => {} });
      await storage.create(p + 'default/b', pod('b'));
      await until(() => events.length === 1);
      expect(events).toEqual(['ADDED b']);
      await storage.create(freshPrefix() + 'elsewhere', pod('x'));
      const rev = await storage.currentRevision();
      await cache.waitUntilFresh(rev, 3000);
      expect(cache.revision()).toBeGreaterThanOrEqual(rev);
      expect(cache.list().items.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    } finally {
      cache.stop();
    }
  });
});

describe('EtcdStorage watch across an etcd restart', () => {
  let etcd: Etcd | undefined;
  let storage: EtcdStorage | undefined;
  let dataDir = '';
  afterAll(async () => {
    await storage?.close();
    await etcd?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes from the last revision seen: events written after the restart arrive, none lost or duplicated', async () => {
    etcd = await startEtcd();
    dataDir = etcd.dataDir;
    const clientPort = Number(new URL(etcd.endpoint).port);
    storage = new EtcdStorage({ endpoints: etcd.endpoint, watchRetryMs: 100 });
    const p = freshPrefix();
    const w = collect(storage, p, await storage.currentRevision());
    const cache = new WatchCache(storage, p, { progressIntervalMs: 0 });
    await cache.start();
    const cached: string[] = [];
    const cacheErrors: unknown[] = [];
    cache.watch(cache.revision(), { onEvent: (e) => { cached.push(`${e.type} ${e.object.metadata.name}`); }, onError: (e) => { cacheErrors.push(e); } });
    try {
      await storage.create(p + 'default/a', pod('a'));
      await w.waitEvents(1);

      await etcd.stop({ keepData: true });
      etcd = undefined;
      // While etcd is down, requests fail as Unavailable.
      await expect(storage.get(p + 'default/a')).rejects.toMatchObject({ code: 'Unavailable' });
      etcd = await startEtcd({ dataDir, clientPort });

      // Writes right after the restart, probably before the watch is re-established.
      await storage.update(p + 'default/a', (o) => ({ ...o, spec: { nodeName: 'n1' } }));
      await storage.create(p + 'default/b', pod('b'));
      await storage.delete(p + 'default/a');
      const events = await w.waitEvents(4, 20_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(w.errors).toEqual([]);
      expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'MODIFIED a', 'ADDED b', 'DELETED a']);
      const revs = events.map((e) => e.revision);
      expect(new Set(revs).size).toBe(4);
      expect([...revs].sort((x, y) => x - y)).toEqual(revs);
      // The watch cache on top saw the same, without being reinitialized.
      await until(() => cached.length === 4);
      expect(cached).toEqual(['ADDED a', 'MODIFIED a', 'ADDED b', 'DELETED a']);
      expect(cacheErrors).toEqual([]);
      expect(cache.list().items.map((o) => o.metadata.name)).toEqual(['b']);
    } finally {
      w.handle.stop();
      cache.stop();
    }
  });
});
