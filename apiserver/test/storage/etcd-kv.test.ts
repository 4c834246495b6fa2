// The lean etcd KV client (hand-framed gRPC over node:http2) against a real etcd: message encoding at the
// length boundaries of protobuf varints, transactions' compare semantics, ranges, deletes, errors and retries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type Etcd } from '../../../cluster/src/etcd.ts';
import { freePort } from '../../../cluster/src/ports.ts';
import { EtcdCallError, EtcdKV, GrpcStatus } from '../../src/storage/etcd-kv.ts';
import { CompareResult, CompareTarget, EventType, type WatchResponse } from '../../src/storage/etcd-proto.ts';

describe('EtcdKV', () => {
  let etcd: Etcd | undefined;
  let kv: EtcdKV;
  beforeAll(async () => {
    etcd = await startEtcd();
    kv = new EtcdKV([etcd.endpoint]);
  }, 30_000);
  afterAll(async () => {
    kv?.close();
    await etcd?.stop();
  });

  it('round-trips values whose lengths cross every varint boundary, and reads revisions back', async () => {
    const sizes = [0, 1, 127, 128, 16383, 16384, 70_000, 2_097_152];
    let lastRevision = 0;
    for (const n of sizes) {
      const key = Buffer.from(`/t/size/${n}`);
      const value = Buffer.alloc(n, n % 251);
      const res = await kv.txn({
        compare: [{ key, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
        success: [{ request_put: { key, value } }],
      });
      expect(res.succeeded).toBe(true);
      expect(res.header.revision).toBeGreaterThan(lastRevision);
      lastRevision = res.header.revision;
      const got = await kv.range({ key });
      expect(got.kvs).toHaveLength(1);
      expect(got.kvs[0].key.toString()).toBe(key.toString());
      expect(Buffer.compare(got.kvs[0].value, value)).toBe(0);
      expect(got.kvs[0].mod_revision).toBe(res.header.revision);
      expect(got.kvs[0].create_revision).toBe(res.header.revision);
      expect(got.kvs[0].version).toBe(1);
    }
    const all = await kv.range({ key: Buffer.from('/t/size/'), range_end: Buffer.from('/t/size0') });
    expect(all.count).toBe(sizes.length);
    const page = await kv.range({ key: Buffer.from('/t/size/'), range_end: Buffer.from('/t/size0'), limit: 3 });
    expect(page.kvs).toHaveLength(3);
    expect(page.more).toBe(true);
    expect(page.count).toBe(sizes.length);
  });

  it('a create compare fails on an existing key; a mod compare runs the failure branch with the current value', async () => {
    const key = Buffer.from('/t/cas');
    const first = await kv.txn({
      compare: [{ key, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
      success: [{ request_put: { key, value: Buffer.from('v1') } }],
    });
    expect(first.succeeded).toBe(true);
    const again = await kv.txn({
      compare: [{ key, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
      success: [{ request_put: { key, value: Buffer.from('v2') } }],
    });
    expect(again.succeeded).toBe(false);
    const stale = await kv.txn({
      compare: [{ key, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: first.header.revision - 1 }],
      success: [{ request_put: { key, value: Buffer.from('v3') } }],
      failure: [{ request_range: { key } }],
    });
    expect(stale.succeeded).toBe(false);
    const current = stale.responses[0].response_range!.kvs[0];
    expect(current.value.toString()).toBe('v1');
    expect(current.mod_revision).toBe(first.header.revision);
    const ok = await kv.txn({
      compare: [{ key, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: current.mod_revision }],
      success: [{ request_put: { key, value: Buffer.from('v4') } }],
    });
    expect(ok.succeeded).toBe(true);
    const del = await kv.deleteRange({ key, prev_kv: true });
    expect(del.deleted).toBe(1);
    expect(del.prev_kvs[0].value.toString()).toBe('v4');
    expect((await kv.range({ key })).kvs).toEqual([]);
  });

  it('reports etcd errors with their gRPC status and message (compaction, future revision)', async () => {
    const key = Buffer.from('/t/compact');
    const r1 = await kv.txn({ compare: [], success: [{ request_put: { key, value: Buffer.from('a') } }] });
    await kv.txn({ compare: [], success: [{ request_put: { key, value: Buffer.from('b') } }] });
    await kv.compact({ revision: r1.header.revision + 1 });
    const old = await kv.range({ key, revision: r1.header.revision }).catch((e: unknown) => e);
    expect(old).toBeInstanceOf(EtcdCallError);
    expect((old as Error).message).toContain('required revision has been compacted');
    const future = await kv.range({ key, revision: r1.header.revision + 1000 }).catch((e: unknown) => e);
    expect((future as Error).message).toContain('required revision is a future revision');
    const count = await kv.range({ key: Buffer.from([0]), count_only: true });
    expect(count.header.revision).toBeGreaterThan(r1.header.revision);
  });

  it('streams watch events with previous values, answers progress requests, and reports a compacted start', async () => {
    const start = (await kv.range({ key: Buffer.from([0]), count_only: true })).header.revision;
    const stream = kv.watch();
    const got: WatchResponse[] = [];
    stream.on('data', (r: WatchResponse) => got.push(r));
    const wait = async (cond: () => boolean) => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(cond()).toBe(true);
    };
    try {
      stream.write({ create_request: { key: Buffer.from('/w/'), range_end: Buffer.from('/w0'), start_revision: start + 1, prev_kv: true } });
      await wait(() => got.some((r) => r.created));
      const key = Buffer.from('/w/a');
      await kv.txn({ compare: [], success: [{ request_put: { key, value: Buffer.from('one') } }] });
      await kv.txn({ compare: [], success: [{ request_put: { key, value: Buffer.from('two') } }] });
      const del = await kv.deleteRange({ key });
      const events = () => got.flatMap((r) => r.events);
      await wait(() => events().length === 3);
      const [a, b, c] = events();
      expect([a.type, a.kv.value.toString(), a.kv.create_revision === a.kv.mod_revision, a.prev_kv]).toEqual([EventType.PUT, 'one', true, undefined]);
      expect([b.type, b.kv.value.toString(), b.prev_kv?.value.toString()]).toEqual([EventType.PUT, 'two', 'one']);
      expect([c.type, c.kv.mod_revision, c.prev_kv?.value.toString()]).toEqual([EventType.DELETE, del.header.revision, 'two']);
      const before = got.length;
      stream.write({ progress_request: {} });
      await wait(() => got.length > before && got[got.length - 1].events.length === 0);
      expect(got[got.length - 1].header.revision).toBeGreaterThanOrEqual(del.header.revision);
    } finally {
      stream.cancel();
    }
    // History before the last compaction (the earlier test compacted) is gone: the watch says so.
    const old = kv.watch();
    const res: WatchResponse[] = [];
    old.on('data', (r: WatchResponse) => res.push(r));
    try {
      old.write({ create_request: { key: Buffer.from('/t/'), range_end: Buffer.from('/t0'), start_revision: 1 } });
      await wait(() => res.some((r) => r.compact_revision > 0));
    } finally {
      old.cancel();
    }
  });

  it('fails as Unavailable when nothing listens, after its retries', async () => {
    const port = await freePort();
    const dead = new EtcdKV([`http://127.0.0.1:${port}`], { timeoutMs: 2_000 });
    try {
      const t0 = Date.now();
      const err = await dead.range({ key: Buffer.from('/x') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EtcdCallError);
      expect((err as EtcdCallError).code).toBe(GrpcStatus.UNAVAILABLE);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(100); // two back-offs: 50 + 100 ms
    } finally {
      dead.close();
    }
  });
});
