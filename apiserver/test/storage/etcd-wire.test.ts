// The hand-written etcd wire codec, checked against protobufjs reading etcd's own .proto files (those the etcd3
// package ships): what we encode, protobufjs decodes to the intended fields, and what protobufjs encodes, we read.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FrameReader } from '../../src/storage/etcd/grpc.ts';
import {
  CompareResult, CompareTarget, Reader, Writer, decodeDeleteRangeResponse, decodeRangeResponse, decodeTxnResponse,
  decodeWatchResponse, encodeCompaction, encodeDeleteRange, encodePut, encodeRange, encodeTxn, encodeWatchCreate,
  encodeWatchProgress,
} from '../../src/storage/etcd/wire.ts';

const requireFromEtcd3 = createRequire(createRequire(import.meta.url).resolve('etcd3'));
// protobufjs comes with etcd3 (through @grpc/proto-loader); only what this test uses is typed here.
interface PbType { decode(b: Uint8Array): object; encode(m: object): { finish(): Uint8Array }; fromObject(o: object): object; toObject(m: object, o: object): object }
const protobuf = requireFromEtcd3('protobufjs') as { Root: new () => { loadSync(file: string, o: object): { lookupType(n: string): PbType } } };
const protoDir = join(dirname(requireFromEtcd3.resolve('etcd3')), '..', 'proto');
const root = new protobuf.Root().loadSync(join(protoDir, 'rpc.proto'), { keepCase: true });
const type = (name: string) => root.lookupType(name);
const toObject = (t: string, buf: Buffer) => type(t).toObject(type(t).decode(buf), { longs: Number, bytes: String, defaults: false, enums: Number });
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Our encoding of one message, without gRPC's 5-byte prefix (checked separately). */
function encoded(fill: (w: Writer) => void): Buffer {
  const w = new Writer(8); // small on purpose: the buffer has to grow
  fill(w);
  const framed = w.finish();
  expect(framed[0]).toBe(0);
  expect(framed.readUInt32BE(1)).toBe(framed.length - 5);
  return framed.subarray(5);
}

describe('etcd wire: requests, read back by protobufjs', () => {
  it('a create transaction: compare create_revision = 0 (sent although zero), put', () => {
    const value = JSON.stringify({ kind: 'Pod', metadata: { name: 'ü-∑' }, spec: { x: 'y'.repeat(3000) } });
    const buf = encoded((w) => encodeTxn(w, {
      compare: [{ key: '/registry/pods/default/a', target: CompareTarget.Create, result: CompareResult.Equal, value: 0 }],
      success: [{ put: { key: '/registry/pods/default/a', value } }],
    }));
    const t = type('etcdserverpb.TxnRequest').decode(buf) as unknown as { compare: { target_union?: string }[] };
    // The oneof member is present on the wire even at 0 (proto3 skips zero scalars, not set oneof members).
    expect(t.compare[0].target_union).toBe('create_revision');
    expect(toObject('etcdserverpb.TxnRequest', buf)).toEqual({
      compare: [{ target: 1, key: b64('/registry/pods/default/a'), create_revision: 0 }],
      success: [{ request_put: { key: b64('/registry/pods/default/a'), value: b64(value) } }],
    });
  });

  it('an update transaction: compare mod_revision, put on success, range on failure', () => {
    const buf = encoded((w) => encodeTxn(w, {
      compare: [{ key: '/k', target: CompareTarget.Mod, result: CompareResult.Equal, value: 2 ** 40 + 3 }],
      success: [{ put: { key: '/k', value: 'v' } }],
      failure: [{ range: { key: '/k' } }],
    }));
    expect(toObject('etcdserverpb.TxnRequest', buf)).toEqual({
      compare: [{ target: 2, key: b64('/k'), mod_revision: 2 ** 40 + 3 }],
      success: [{ request_put: { key: b64('/k'), value: b64('v') } }],
      failure: [{ request_range: { key: b64('/k') } }],
    });
  });

  it('a guarded delete transaction', () => {
    const buf = encoded((w) => encodeTxn(w, {
      compare: [{ key: '/k', target: CompareTarget.Mod, result: CompareResult.Equal, value: 7 }],
      success: [{ deleteRange: { key: '/k' } }],
      failure: [{ range: { key: '/k' } }],
    }));
    expect(toObject('etcdserverpb.TxnRequest', buf)).toEqual({
      compare: [{ target: 2, key: b64('/k'), mod_revision: 7 }],
      success: [{ request_delete_range: { key: b64('/k') } }],
      failure: [{ request_range: { key: b64('/k') } }],
    });
  });

  it('range, put, delete-range and compaction requests', () => {
    expect(toObject('etcdserverpb.RangeRequest', encoded((w) => encodeRange(w, { key: '/a/', rangeEnd: Buffer.from('/a0'), limit: 500, revision: 123456789 }))))
      .toEqual({ key: b64('/a/'), range_end: b64('/a0'), limit: 500, revision: 123456789 });
    expect(toObject('etcdserverpb.RangeRequest', encoded((w) => encodeRange(w, { key: Buffer.from([0]), countOnly: true }))))
      .toEqual({ key: 'AA==', count_only: true });
    expect(toObject('etcdserverpb.PutRequest', encoded((w) => encodePut(w, { key: 'k', value: Buffer.from([1, 2, 255]) }))))
      .toEqual({ key: b64('k'), value: Buffer.from([1, 2, 255]).toString('base64') });
    expect(toObject('etcdserverpb.DeleteRangeRequest', encoded((w) => encodeDeleteRange(w, { key: '/k', prevKv: true }))))
      .toEqual({ key: b64('/k'), prev_kv: true });
    expect(toObject('etcdserverpb.CompactionRequest', encoded((w) => encodeCompaction(w, 99, false)))).toEqual({ revision: 99 });
  });

  it('watch create and progress requests', () => {
    expect(toObject('etcdserverpb.WatchRequest', encoded((w) => encodeWatchCreate(w, {
      key: '/registry/pods/', rangeEnd: Buffer.from('/registry/pods0'), startRevision: 42, prevKv: true, progressNotify: true,
    })))).toEqual({ create_request: { key: b64('/registry/pods/'), range_end: b64('/registry/pods0'), start_revision: 42, prev_kv: true, progress_notify: true } });
    const progress = type('etcdserverpb.WatchRequest').decode(encoded((w) => encodeWatchProgress(w))) as unknown as { request_union?: string };
    expect(progress.request_union).toBe('progress_request');
  });

  it('a message longer than 127 and 16383 bytes gets a multi-byte length in front', () => {
    for (const n of [126, 127, 128, 16383, 16384, 3 * 1024 * 1024]) {
      const value = 'x'.repeat(n);
      const buf = encoded((w) => encodeTxn(w, { compare: [], success: [{ put: { key: 'k', value } }] }));
      expect((toObject('etcdserverpb.TxnRequest', buf) as { success: { request_put: { value: string } }[] }).success[0].request_put.value).toBe(b64(value));
    }
  });
});

describe('etcd wire: responses written by protobufjs, read by us', () => {
  const header = { cluster_id: '14841639068965178418', member_id: '10276657743932975437', revision: 2 ** 45 + 1, raft_term: 9 };
  const kv = (key: string, value: string, create: number, mod: number) => ({ key: Buffer.from(key), value: Buffer.from(value), create_revision: create, mod_revision: mod, version: 3, lease: 0 });
  const enc = (t: string, obj: object) => Buffer.from(type(t).encode(type(t).fromObject(obj)).finish());

  it('range responses: kvs, more, count; ids past 2^53 are skipped, the revision is kept', () => {
    const r = decodeRangeResponse(new Reader(enc('etcdserverpb.RangeResponse', { header, kvs: [kv('/a', '{"x":1}', 5, 9), kv('/b', '', 6, 6)], more: true, count: 1234 })));
    expect(r.revision).toBe(2 ** 45 + 1);
    expect(r.more).toBe(true);
    expect(r.count).toBe(1234);
    expect(r.kvs.map((k) => [k.key.toString(), k.value.toString(), k.createRevision, k.modRevision, k.version])).toEqual([['/a', '{"x":1}', 5, 9, 3], ['/b', '', 6, 6, 3]]);
    const empty = decodeRangeResponse(new Reader(enc('etcdserverpb.RangeResponse', { header })));
    expect(empty).toEqual({ revision: 2 ** 45 + 1, kvs: [], more: false, count: 0 });
  });

  it('txn responses: succeeded, and the failure branch\'s range', () => {
    const ok = decodeTxnResponse(new Reader(enc('etcdserverpb.TxnResponse', { header, succeeded: true, responses: [{ response_put: { header } }] })));
    expect(ok.succeeded).toBe(true);
    expect(ok.revision).toBe(2 ** 45 + 1);
    const failed = decodeTxnResponse(new Reader(enc('etcdserverpb.TxnResponse', { header, succeeded: false, responses: [{ response_range: { header, kvs: [kv('/k', 'cur', 3, 8)], count: 1 } }] })));
    expect(failed.succeeded).toBe(false);
    expect(failed.responses[0].range?.kvs[0].value.toString()).toBe('cur');
    expect(failed.responses[0].range?.kvs[0].modRevision).toBe(8);
  });

  it('delete-range responses carry the previous values', () => {
    const d = decodeDeleteRangeResponse(new Reader(enc('etcdserverpb.DeleteRangeResponse', { header, deleted: 1, prev_kvs: [kv('/k', 'old', 3, 8)] })));
    expect(d.deleted).toBe(1);
    expect(d.prevKvs[0].value.toString()).toBe('old');
  });

  it('watch responses: creation, events with previous values, compaction, cancellation', () => {
    const created = decodeWatchResponse(new Reader(enc('etcdserverpb.WatchResponse', { header, watch_id: 0, created: true })));
    expect(created).toMatchObject({ created: true, canceled: false, events: [], revision: 2 ** 45 + 1 });
    const events = decodeWatchResponse(new Reader(enc('etcdserverpb.WatchResponse', {
      header, watch_id: 0, events: [
        { type: 0, kv: kv('/a', 'new', 5, 10) },
        { type: 0, kv: kv('/a', 'newer', 5, 11), prev_kv: kv('/a', 'new', 5, 10) },
        { type: 1, kv: { key: Buffer.from('/a'), mod_revision: 12 }, prev_kv: kv('/a', 'newer', 5, 11) },
      ],
    })));
    expect(events.events.map((e) => [e.type, e.kv.key.toString(), e.kv.value.toString(), e.kv.modRevision, e.prevKv?.value.toString()])).toEqual([
      ['PUT', '/a', 'new', 10, undefined], ['PUT', '/a', 'newer', 11, 'new'], ['DELETE', '/a', '', 12, 'newer'],
    ]);
    const compactedRes = decodeWatchResponse(new Reader(enc('etcdserverpb.WatchResponse', { header, compact_revision: 77, canceled: true, cancel_reason: 'mvcc: required revision has been compacted' })));
    expect(compactedRes).toMatchObject({ compactRevision: 77, canceled: true, cancelReason: 'mvcc: required revision has been compacted' });
  });

  it('a truncated message is an error, not a wrong answer', () => {
    const buf = enc('etcdserverpb.RangeResponse', { header, kvs: [kv('/a', 'v'.repeat(300), 5, 9)] });
    expect(() => decodeRangeResponse(new Reader(buf.subarray(0, buf.length - 10)))).toThrow(/truncated/);
  });
});

describe('gRPC framing across chunks', () => {
  it('finds every message whatever the chunk boundaries', () => {
    const messages = [Buffer.alloc(0), Buffer.from('a'), Buffer.alloc(300, 7), Buffer.from('hello'), Buffer.alloc(70_000, 1)];
    const stream = Buffer.concat(messages.map((m) => { const h = Buffer.alloc(5); h.writeUInt32BE(m.length, 1); return Buffer.concat([h, m]); }));
    for (const size of [1, 2, 3, 4, 5, 6, 7, 13, 301, 4096, stream.length]) {
      const got: Buffer[] = [];
      const r = new FrameReader();
      for (let at = 0; at < stream.length; at += size) r.push(stream.subarray(at, at + size), (m) => got.push(Buffer.from(m)));
      expect(got).toEqual(messages);
    }
  });

  it('refuses a compressed message (none is asked for)', () => {
    expect(() => new FrameReader().push(Buffer.from([1, 0, 0, 0, 1, 9]), () => {})).toThrow(/compressed/);
  });
});
