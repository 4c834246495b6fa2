// The few etcd v3 protobuf messages the KV client needs (etcdserverpb rpc.proto, mvccpb kv.proto), encoded and
// decoded directly: field numbers as in those files. int64 fields are JS numbers (revisions stay far below 2^53).

export interface KeyValue {
  key: Buffer;
  create_revision: number;
  mod_revision: number;
  version: number;
  value: Buffer;
  lease: number;
}

export interface ResponseHeader { revision: number }

export interface RangeRequest {
  key: Buffer;
  range_end?: Buffer;
  limit?: number;
  revision?: number;
  count_only?: boolean;
}
export interface RangeResponse { header: ResponseHeader; kvs: KeyValue[]; more: boolean; count: number }

export interface PutRequest { key: Buffer; value: Buffer; prev_kv?: boolean }
export interface PutResponse { header: ResponseHeader; prev_kv?: KeyValue }

export interface DeleteRangeRequest { key: Buffer; range_end?: Buffer; prev_kv?: boolean }
export interface DeleteRangeResponse { header: ResponseHeader; deleted: number; prev_kvs: KeyValue[] }

/** Compare.CompareResult */
export const CompareResult = { Equal: 0, Greater: 1, Less: 2, NotEqual: 3 } as const;
/** Compare.CompareTarget */
export const CompareTarget = { Version: 0, Create: 1, Mod: 2, Value: 3, Lease: 4 } as const;

export interface Compare {
  result: number;
  target: number;
  key: Buffer;
  version?: number;
  create_revision?: number;
  mod_revision?: number;
  value?: Buffer;
}

export interface RequestOp { request_range?: RangeRequest; request_put?: PutRequest; request_delete_range?: DeleteRangeRequest }
export interface ResponseOp { response_range?: RangeResponse; response_put?: PutResponse; response_delete_range?: DeleteRangeResponse }

export interface TxnRequest { compare: Compare[]; success: RequestOp[]; failure?: RequestOp[] }
export interface TxnResponse { header: ResponseHeader; succeeded: boolean; responses: ResponseOp[] }

export interface CompactionRequest { revision: number; physical?: boolean }
export interface CompactionResponse { header: ResponseHeader }

// ---- writing ----

const VARINT = 0;
const LEN = 2;

/** A growable protobuf byte writer. */
class Writer {
  buf: Buffer;
  pos = 0;
  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  varint(v: number): void {
    this.ensure(10);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  /** An int64/uint64/enum field, left out when zero (proto3) unless `always` (a oneof member). */
  int(field: number, v: number | undefined, always = false): void {
    if (v === undefined || (v === 0 && !always)) return;
    if (v < 0 || !Number.isSafeInteger(v)) throw new RangeError(`etcd field ${field}: ${v} is not a non-negative safe integer`);
    this.tag(field, VARINT);
    this.varint(v);
  }
  bool(field: number, v: boolean | undefined): void {
    if (!v) return;
    this.tag(field, VARINT);
    this.varint(1);
  }
  bytes(field: number, v: Buffer | undefined, always = false): void {
    if (v === undefined || (v.length === 0 && !always)) return;
    this.tag(field, LEN);
    this.varint(v.length);
    this.ensure(v.length);
    v.copy(this.buf, this.pos);
    this.pos += v.length;
  }
  /** A nested message: written in place, its length prefix fixed up afterwards. */
  message(field: number, write: (w: Writer) => void): void {
    this.tag(field, LEN);
    // Reserve 5 bytes for the length (enough for 32 bits), then close the gap if the length is shorter.
    this.ensure(5);
    const at = this.pos;
    this.pos += 5;
    write(this);
    const len = this.pos - at - 5;
    const lenBytes = varintLength(len);
    if (lenBytes < 5) this.buf.copy(this.buf, at + lenBytes, at + 5, this.pos);
    this.pos -= 5 - lenBytes;
    let v = len;
    for (let i = 0; i < lenBytes; i++) {
      this.buf[at + i] = i < lenBytes - 1 ? (v & 0x7f) | 0x80 : v & 0x7f;
      v >>>= 7;
    }
  }
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function varintLength(v: number): number {
  let n = 1;
  while (v > 0x7f) {
    v >>>= 7;
    n++;
  }
  return n;
}

function writeRange(w: Writer, r: RangeRequest): void {
  w.bytes(1, r.key);
  w.bytes(2, r.range_end);
  w.int(3, r.limit);
  w.int(4, r.revision);
  w.bool(9, r.count_only);
}

function writePut(w: Writer, r: PutRequest): void {
  w.bytes(1, r.key);
  w.bytes(2, r.value);
  w.bool(4, r.prev_kv);
}

function writeDeleteRange(w: Writer, r: DeleteRangeRequest): void {
  w.bytes(1, r.key);
  w.bytes(2, r.range_end);
  w.bool(3, r.prev_kv);
}

function writeCompare(w: Writer, c: Compare): void {
  w.int(1, c.result);
  w.int(2, c.target);
  w.bytes(3, c.key);
  // target_union is a oneof: the member is written even when zero.
  if (c.version !== undefined) w.int(4, c.version, true);
  if (c.create_revision !== undefined) w.int(5, c.create_revision, true);
  if (c.mod_revision !== undefined) w.int(6, c.mod_revision, true);
  if (c.value !== undefined) w.bytes(7, c.value, true);
}

function writeRequestOp(w: Writer, op: RequestOp): void {
  if (op.request_range) w.message(1, (x) => writeRange(x, op.request_range!));
  else if (op.request_put) w.message(2, (x) => writePut(x, op.request_put!));
  else if (op.request_delete_range) w.message(3, (x) => writeDeleteRange(x, op.request_delete_range!));
}

function encodeWith(write: (w: Writer) => void, sizeHint: number): Buffer {
  // The gRPC frame header (compressed flag + 4-byte length) is reserved in front, so no copy is needed later.
  const w = new Writer(sizeHint + 64);
  w.pos = 5;
  write(w);
  const out = w.finish();
  out[0] = 0;
  out.writeUInt32BE(out.length - 5, 1);
  return out;
}

function opSize(op: RequestOp): number {
  return (op.request_put?.value.length ?? 0) + (op.request_put?.key.length ?? 0) + (op.request_range?.key.length ?? 0) + (op.request_delete_range?.key.length ?? 0);
}

/** gRPC frames (5-byte header + message) for each request type. */
export const frame = {
  range: (r: RangeRequest) => encodeWith((w) => writeRange(w, r), r.key.length + (r.range_end?.length ?? 0)),
  deleteRange: (r: DeleteRangeRequest) => encodeWith((w) => writeDeleteRange(w, r), r.key.length + (r.range_end?.length ?? 0)),
  compact: (r: CompactionRequest) => encodeWith((w) => { w.int(1, r.revision); w.bool(2, r.physical); }, 16),
  txn: (r: TxnRequest) => {
    let size = 0;
    for (const c of r.compare) size += c.key.length + (c.value?.length ?? 0) + 16;
    for (const op of r.success) size += opSize(op) + 16;
    for (const op of r.failure ?? []) size += opSize(op) + 16;
    return encodeWith((w) => {
      for (const c of r.compare) w.message(1, (x) => writeCompare(x, c));
      for (const op of r.success) w.message(2, (x) => writeRequestOp(x, op));
      for (const op of r.failure ?? []) w.message(3, (x) => writeRequestOp(x, op));
    }, size);
  },
};

// ---- reading ----

/** A protobuf reader over one message; bytes fields are views into the underlying buffer. */
class Reader {
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
  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('etcd response: truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
  }
  /** The [start, end) of a length-delimited field. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    this.pos += len;
    if (this.pos > this.end) throw new Error('etcd response: truncated field');
    return [start, this.pos];
  }
  bytes(): Buffer {
    const [s, e] = this.span();
    return this.buf.subarray(s, e);
  }
  sub(): Reader {
    const [s, e] = this.span();
    return new Reader(this.buf, s, e);
  }
  skip(wire: number): void {
    switch (wire) {
      case 0: this.varint(); return;
      case 1: this.pos += 8; return;
      case 2: this.span(); return;
      case 5: this.pos += 4; return;
      default: throw new Error(`etcd response: unsupported wire type ${wire}`);
    }
  }
}

const EMPTY = Buffer.alloc(0);

function readHeader(r: Reader): ResponseHeader {
  const h: ResponseHeader = { revision: 0 };
  while (r.more()) {
    const t = r.varint();
    if (t >>> 3 === 3 && (t & 7) === VARINT) h.revision = r.varint();
    else r.skip(t & 7);
  }
  return h;
}

export function readKeyValue(r: Reader): KeyValue {
  const kv: KeyValue = { key: EMPTY, create_revision: 0, mod_revision: 0, version: 0, value: EMPTY, lease: 0 };
  while (r.more()) {
    const t = r.varint();
    switch (t >>> 3) {
      case 1: kv.key = r.bytes(); break;
      case 2: kv.create_revision = r.varint(); break;
      case 3: kv.mod_revision = r.varint(); break;
      case 4: kv.version = r.varint(); break;
      case 5: kv.value = r.bytes(); break;
      case 6: kv.lease = r.varint(); break;
      default: r.skip(t & 7);
    }
  }
  return kv;
}

function readRange(r: Reader): RangeResponse {
  const res: RangeResponse = { header: { revision: 0 }, kvs: [], more: false, count: 0 };
  while (r.more()) {
    const t = r.varint();
    switch (t >>> 3) {
      case 1: res.header = readHeader(r.sub()); break;
      case 2: res.kvs.push(readKeyValue(r.sub())); break;
      case 3: res.more = r.varint() !== 0; break;
      case 4: res.count = r.varint(); break;
      default: r.skip(t & 7);
    }
  }
  return res;
}

function readPut(r: Reader): PutResponse {
  const res: PutResponse = { header: { revision: 0 } };
  while (r.more()) {
    const t = r.varint();
    switch (t >>> 3) {
      case 1: res.header = readHeader(r.sub()); break;
      case 2: res.prev_kv = readKeyValue(r.sub()); break;
      default: r.skip(t & 7);
    }
  }
  return res;
}

function readDeleteRange(r: Reader): DeleteRangeResponse {
  const res: DeleteRangeResponse = { header: { revision: 0 }, deleted: 0, prev_kvs: [] };
  while (r.more()) {
    const t = r.varint();
    switch (t >>> 3) {
      case 1: res.header = readHeader(r.sub()); break;
      case 2: res.deleted = r.varint(); break;
      case 3: res.prev_kvs.push(readKeyValue(r.sub())); break;
      default: r.skip(t & 7);
    }
  }
  return res;
}

function readResponseOp(r: Reader): ResponseOp {
  const op: ResponseOp = {};
  while (r.more()) {
    const t = r.varint();
    switch (t >>> 3) {
      case 1: op.response_range = readRange(r.sub()); break;
      case 2: op.response_put = readPut(r.sub()); break;
      case 3: op.response_delete_range = readDeleteRange(r.sub()); break;
      default: r.skip(t & 7);
    }
  }
  return op;
}

function readTxn(r: Reader): TxnResponse {
  const res: TxnResponse = { header: { revision: 0 }, succeeded: false, responses: [] };
  while (r.more()) {
    const t = r.varint();
    switch (t >>> 3) {
      case 1: res.header = readHeader(r.sub()); break;
      case 2: res.succeeded = r.varint() !== 0; break;
      case 3: res.responses.push(readResponseOp(r.sub())); break;
      default: r.skip(t & 7);
    }
  }
  return res;
}

function readCompaction(r: Reader): CompactionResponse {
  const res: CompactionResponse = { header: { revision: 0 } };
  while (r.more()) {
    const t = r.varint();
    if (t >>> 3 === 1 && (t & 7) === LEN) res.header = readHeader(r.sub());
    else r.skip(t & 7);
  }
  return res;
}

/** Decoders for each response message (the message bytes, without the gRPC frame header). */
export const decode = {
  range: (b: Buffer) => readRange(new Reader(b)),
  deleteRange: (b: Buffer) => readDeleteRange(new Reader(b)),
  txn: (b: Buffer) => readTxn(new Reader(b)),
  compact: (b: Buffer) => readCompaction(new Reader(b)),
};

// ---- watch ----

export interface WatchCreateRequest { key: Buffer; range_end?: Buffer; start_revision?: number; progress_notify?: boolean; prev_kv?: boolean }
export interface WatchRequest { create_request?: WatchCreateRequest; progress_request?: Record<string, never>; cancel_request?: { watch_id: number } }

/** mvccpb.Event.EventType */
export const EventType = { PUT: 0, DELETE: 1 } as const;
export interface WatchEvent { type: number; kv: KeyValue; prev_kv?: KeyValue }
export interface WatchResponse {
  header: ResponseHeader;
  watch_id: number;
  created: boolean;
  canceled: boolean;
  compact_revision: number;
  cancel_reason: string;
  events: WatchEvent[];
}

function writeWatchRequest(w: Writer, r: WatchRequest): void {
  if (r.create_request) {
    const c = r.create_request;
    w.message(1, (x) => {
      x.bytes(1, c.key);
      x.bytes(2, c.range_end);
      x.int(3, c.start_revision);
      x.bool(4, c.progress_notify);
      x.bool(6, c.prev_kv);
    });
  } else if (r.cancel_request) {
    const id = r.cancel_request.watch_id;
    w.message(2, (x) => x.int(1, id));
  } else if (r.progress_request) {
    w.message(3, () => undefined);
  }
}

function readWatchEvent(r: Reader): WatchEvent {
  const ev: WatchEvent = { type: EventType.PUT, kv: readKeyValue(new Reader(EMPTY)) };
  while (r.more()) {
    const t = r.varint();
    switch (t >>> 3) {
      case 1: ev.type = r.varint(); break;
      case 2: ev.kv = readKeyValue(r.sub()); break;
      case 3: ev.prev_kv = readKeyValue(r.sub()); break;
      default: r.skip(t & 7);
    }
  }
  return ev;
}

function readWatchResponse(r: Reader): WatchResponse {
  const res: WatchResponse = { header: { revision: 0 }, watch_id: 0, created: false, canceled: false, compact_revision: 0, cancel_reason: '', events: [] };
  while (r.more()) {
    const t = r.varint();
    switch (t >>> 3) {
      case 1: res.header = readHeader(r.sub()); break;
      case 2: res.watch_id = r.varint(); break;
      case 3: res.created = r.varint() !== 0; break;
      case 4: res.canceled = r.varint() !== 0; break;
      case 5: res.compact_revision = r.varint(); break;
      case 6: res.cancel_reason = r.bytes().toString('utf8'); break;
      case 11: res.events.push(readWatchEvent(r.sub())); break;
      default: r.skip(t & 7);
    }
  }
  return res;
}

export const watchFrame = (r: WatchRequest) => encodeWith((w) => writeWatchRequest(w, r), (r.create_request?.key.length ?? 0) * 2 + 16);
export const decodeWatchResponse = (b: Buffer) => readWatchResponse(new Reader(b));
