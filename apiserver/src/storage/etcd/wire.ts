// The protobuf wire form of the few etcd v3 messages the API server sends and reads (etcdserverpb/rpc.proto and
// mvccpb/kv.proto; field numbers are etcd's). Written by hand for speed: keys and values go straight from strings
// into one buffer, revisions are plain numbers (an etcd revision stays far below 2^53), and fields nobody reads
// (cluster and member ids, raft terms) are skipped instead of decoded.

// ---- writing ----

/**
 * One message being encoded, as gRPC sends it: a 5-byte prefix (not compressed, length) and the message, in one
 * growing buffer. Nested messages are written in place and their length put in front afterwards.
 */
export class Writer {
  private buf: Buffer;
  private pos = 5;

  constructor(size = 512) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** The length-prefixed message. */
  finish(): Buffer {
    this.buf[0] = 0;
    this.buf.writeUInt32BE(this.pos - 5, 1);
    return this.buf.subarray(0, this.pos);
  }

  /** A bytes/string field (skipped when empty, as proto3 does). */
  bytes(field: number, value: string | Uint8Array | undefined): this {
    if (value === undefined || value.length === 0) return this;
    const n = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
    this.tag(field, 2);
    this.varint(n);
    this.ensure(n);
    if (typeof value === 'string') this.buf.write(value, this.pos, 'utf8');
    else this.buf.set(value, this.pos);
    this.pos += n;
    return this;
  }

  /** A varint field (int64, enum); zero is skipped unless `always` (a oneof member is written even when zero). */
  uint(field: number, value: number | undefined, always = false): this {
    if (!value && !always) return this;
    this.tag(field, 0);
    this.varint(value ?? 0);
    return this;
  }

  bool(field: number, value: boolean | undefined): this {
    return value ? this.uint(field, 1) : this;
  }

  /** A nested message field, written by `body` (an empty message is still written: its presence is the value). */
  message(field: number, body: (w: this) => void): this {
    this.tag(field, 2);
    this.ensure(1);
    const lengthAt = this.pos++;
    body(this);
    const n = this.pos - lengthAt - 1;
    const lengthBytes = varintSize(n);
    if (lengthBytes > 1) {
      this.ensure(lengthBytes - 1);
      this.buf.copyWithin(lengthAt + lengthBytes, lengthAt + 1, this.pos);
      this.pos += lengthBytes - 1;
    }
    let at = lengthAt;
    let v = n;
    while (v > 127) { this.buf[at++] = (v & 127) | 128; v >>>= 7; }
    this.buf[at] = v;
    return this;
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  private varint(v: number): void {
    this.ensure(10);
    while (v > 127) {
      this.buf[this.pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v > 127) { v = Math.floor(v / 128); n++; }
  return n;
}

// ---- reading ----

/** Reads one message's fields in order. Numbers beyond 2^53 lose precision (only ids nobody reads are that big). */
export class Reader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /** The next field's tag: field number * 8 + wire type. */
  tag(): number {
    return this.varint();
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated protobuf varint');
      const b = this.buf[this.pos++];
      result += (b & 127) * scale;
      if (b < 128) return result;
      scale *= 128;
    }
  }

  /** A length-delimited field's bounds, for a nested Reader or a slice. */
  delimited(): [number, number] {
    const n = this.varint();
    const start = this.pos;
    this.pos += n;
    if (this.pos > this.end) throw new Error('truncated protobuf field');
    return [start, this.pos];
  }

  bytes(): Buffer {
    const [s, e] = this.delimited();
    return this.buf.subarray(s, e);
  }

  sub(): Reader {
    const [s, e] = this.delimited();
    return new Reader(this.buf, s, e);
  }

  skip(tag: number): void {
    switch (tag & 7) {
      case 0: this.varint(); break;
      case 1: this.pos += 8; break;
      case 2: this.delimited(); break;
      case 5: this.pos += 4; break;
      default: throw new Error(`unsupported protobuf wire type ${tag & 7}`);
    }
  }
}

// ---- etcd's messages ----

export const CompareTarget = { Version: 0, Create: 1, Mod: 2, Value: 3, Lease: 4 } as const;
export const CompareResult = { Equal: 0, Greater: 1, Less: 2, NotEqual: 3 } as const;

export interface RangeRequest {
  key: string | Uint8Array;
  rangeEnd?: Uint8Array;
  limit?: number;
  revision?: number;
  countOnly?: boolean;
}
export interface PutRequest { key: string | Uint8Array; value: string | Uint8Array }
export interface DeleteRangeRequest { key: string | Uint8Array; rangeEnd?: Uint8Array; prevKv?: boolean }
export type RequestOp = { range: RangeRequest } | { put: PutRequest } | { deleteRange: DeleteRangeRequest };
export interface Compare {
  key: string | Uint8Array;
  /** A numeric target (comparing values, target Value, is not needed here). */
  target: Exclude<(typeof CompareTarget)[keyof typeof CompareTarget], typeof CompareTarget.Value>;
  result: (typeof CompareResult)[keyof typeof CompareResult];
  /** The number compared with: a version, create or mod revision, or lease, as the target says. */
  value: number;
}
export interface TxnRequest { compare: Compare[]; success: RequestOp[]; failure?: RequestOp[] }
export interface WatchCreateRequest {
  key: string | Uint8Array;
  rangeEnd?: Uint8Array;
  startRevision?: number;
  progressNotify?: boolean;
  prevKv?: boolean;
}

export function encodeRange(w: Writer, r: RangeRequest): void {
  w.bytes(1, r.key).bytes(2, r.rangeEnd).uint(3, r.limit).uint(4, r.revision).bool(9, r.countOnly);
}

export function encodePut(w: Writer, r: PutRequest): void {
  w.bytes(1, r.key).bytes(2, r.value);
}

export function encodeDeleteRange(w: Writer, r: DeleteRangeRequest): void {
  w.bytes(1, r.key).bytes(2, r.rangeEnd).bool(3, r.prevKv);
}

function encodeRequestOp(w: Writer, op: RequestOp): void {
  if ('range' in op) w.message(1, (m) => encodeRange(m, op.range));
  else if ('put' in op) w.message(2, (m) => encodePut(m, op.put));
  else w.message(3, (m) => encodeDeleteRange(m, op.deleteRange));
}

/** The compared number's field follows the target: version 4, create_revision 5, mod_revision 6, lease 8. */
const compareValueField: Record<Compare['target'], number> = { 0: 4, 1: 5, 2: 6, 4: 8 };

export function encodeTxn(w: Writer, t: TxnRequest): void {
  for (const c of t.compare) {
    w.message(1, (m) => {
      m.uint(1, c.result).uint(2, c.target).bytes(3, c.key);
      m.uint(compareValueField[c.target], c.value, true);
    });
  }
  for (const op of t.success) w.message(2, (m) => encodeRequestOp(m, op));
  for (const op of t.failure ?? []) w.message(3, (m) => encodeRequestOp(m, op));
}

export function encodeCompaction(w: Writer, revision: number, physical: boolean): void {
  w.uint(1, revision).bool(2, physical);
}

export function encodeWatchCreate(w: Writer, c: WatchCreateRequest): void {
  w.message(1, (m) => {
    m.bytes(1, c.key).bytes(2, c.rangeEnd).uint(3, c.startRevision).bool(4, c.progressNotify).bool(6, c.prevKv);
  });
}

export function encodeWatchProgress(w: Writer): void {
  w.message(3, () => {});
}

export interface KeyValue {
  key: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  value: Buffer;
}
export interface RangeResponse { revision: number; kvs: KeyValue[]; more: boolean; count: number }
export interface DeleteRangeResponse { revision: number; deleted: number; prevKvs: KeyValue[] }
export interface ResponseOp { range?: RangeResponse; deleteRange?: DeleteRangeResponse }
export interface TxnResponse { revision: number; succeeded: boolean; responses: ResponseOp[] }
export interface WatchEvent { type: 'PUT' | 'DELETE'; kv: KeyValue; prevKv?: KeyValue }
export interface WatchResponse {
  revision: number;
  watchId: number;
  created: boolean;
  canceled: boolean;
  compactRevision: number;
  cancelReason: string;
  events: WatchEvent[];
}

const empty = Buffer.alloc(0);

/** ResponseHeader: only the revision is read. */
function decodeHeaderRevision(r: Reader): number {
  let revision = 0;
  while (r.more()) {
    const t = r.tag();
    if (t === (3 << 3)) revision = r.varint();
    else r.skip(t);
  }
  return revision;
}

function decodeKeyValue(r: Reader): KeyValue {
  const kv: KeyValue = { key: empty, createRevision: 0, modRevision: 0, version: 0, value: empty };
  while (r.more()) {
    const t = r.tag();
    switch (t) {
      case (1 << 3) | 2: kv.key = r.bytes(); break;
      case 2 << 3: kv.createRevision = r.varint(); break;
      case 3 << 3: kv.modRevision = r.varint(); break;
      case 4 << 3: kv.version = r.varint(); break;
      case (5 << 3) | 2: kv.value = r.bytes(); break;
      default: r.skip(t);
    }
  }
  return kv;
}

export function decodeRangeResponse(r: Reader): RangeResponse {
  const res: RangeResponse = { revision: 0, kvs: [], more: false, count: 0 };
  while (r.more()) {
    const t = r.tag();
    switch (t) {
      case (1 << 3) | 2: res.revision = decodeHeaderRevision(r.sub()); break;
      case (2 << 3) | 2: res.kvs.push(decodeKeyValue(r.sub())); break;
      case 3 << 3: res.more = r.varint() !== 0; break;
      case 4 << 3: res.count = r.varint(); break;
      default: r.skip(t);
    }
  }
  return res;
}

export function decodeDeleteRangeResponse(r: Reader): DeleteRangeResponse {
  const res: DeleteRangeResponse = { revision: 0, deleted: 0, prevKvs: [] };
  while (r.more()) {
    const t = r.tag();
    switch (t) {
      case (1 << 3) | 2: res.revision = decodeHeaderRevision(r.sub()); break;
      case 2 << 3: res.deleted = r.varint(); break;
      case (3 << 3) | 2: res.prevKvs.push(decodeKeyValue(r.sub())); break;
      default: r.skip(t);
    }
  }
  return res;
}

/** Responses without a body anybody reads (Put, Compaction): the header's revision. */
export function decodeHeaderOnly(r: Reader): { revision: number } {
  let revision = 0;
  while (r.more()) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) revision = decodeHeaderRevision(r.sub());
    else r.skip(t);
  }
  return { revision };
}

function decodeResponseOp(r: Reader): ResponseOp {
  const op: ResponseOp = {};
  while (r.more()) {
    const t = r.tag();
    if (t === ((1 << 3) | 2)) op.range = decodeRangeResponse(r.sub());
    else if (t === ((3 << 3) | 2)) op.deleteRange = decodeDeleteRangeResponse(r.sub());
    else r.skip(t);
  }
  return op;
}

export function decodeTxnResponse(r: Reader): TxnResponse {
  const res: TxnResponse = { revision: 0, succeeded: false, responses: [] };
  while (r.more()) {
    const t = r.tag();
    switch (t) {
      case (1 << 3) | 2: res.revision = decodeHeaderRevision(r.sub()); break;
      case 2 << 3: res.succeeded = r.varint() !== 0; break;
      case (3 << 3) | 2: res.responses.push(decodeResponseOp(r.sub())); break;
      default: r.skip(t);
    }
  }
  return res;
}

function decodeEvent(r: Reader): WatchEvent {
  const ev: WatchEvent = { type: 'PUT', kv: undefined as unknown as KeyValue };
  while (r.more()) {
    const t = r.tag();
    switch (t) {
      case 1 << 3: ev.type = r.varint() === 1 ? 'DELETE' : 'PUT'; break;
      case (2 << 3) | 2: ev.kv = decodeKeyValue(r.sub()); break;
      case (3 << 3) | 2: ev.prevKv = decodeKeyValue(r.sub()); break;
      default: r.skip(t);
    }
  }
  ev.kv ??= { key: empty, createRevision: 0, modRevision: 0, version: 0, value: empty };
  return ev;
}

export function decodeWatchResponse(r: Reader): WatchResponse {
  const res: WatchResponse = { revision: 0, watchId: 0, created: false, canceled: false, compactRevision: 0, cancelReason: '', events: [] };
  while (r.more()) {
    const t = r.tag();
    switch (t) {
      case (1 << 3) | 2: res.revision = decodeHeaderRevision(r.sub()); break;
      case 2 << 3: res.watchId = r.varint(); break;
      case 3 << 3: res.created = r.varint() !== 0; break;
      case 4 << 3: res.canceled = r.varint() !== 0; break;
      case 5 << 3: res.compactRevision = r.varint(); break;
      case (6 << 3) | 2: res.cancelReason = r.bytes().toString('utf8'); break;
      case (11 << 3) | 2: res.events.push(decodeEvent(r.sub())); break;
      default: r.skip(t);
    }
  }
  return res;
}
