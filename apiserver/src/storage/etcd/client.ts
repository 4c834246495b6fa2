// The etcd v3 calls the API server makes — Range, Txn, DeleteRange, Compact and Watch — over one gRPC channel.
import { Channel, Code, GrpcError, type BidiStream } from './grpc.ts';
import {
  Reader, Writer, decodeDeleteRangeResponse, decodeHeaderOnly, decodeRangeResponse, decodeTxnResponse, decodeWatchResponse,
  encodeCompaction, encodeDeleteRange, encodePut, encodeRange, encodeTxn, encodeWatchCreate, encodeWatchProgress,
  type DeleteRangeRequest, type DeleteRangeResponse, type PutRequest, type RangeRequest, type RangeResponse,
  type TxnRequest, type TxnResponse, type WatchCreateRequest, type WatchResponse,
} from './wire.ts';

export { Code, GrpcError } from './grpc.ts';
export { CompareResult, CompareTarget, type KeyValue, type WatchResponse } from './wire.ts';

export interface EtcdClientOptions {
  /** Per-call deadline in ms (default 10 s). */
  timeoutMs?: number;
}

export class EtcdClient {
  private readonly channel: Channel;
  private readonly timeoutMs: number;

  constructor(endpoints: string[], opts: EtcdClientOptions = {}) {
    this.channel = new Channel(endpoints);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** Reads are idempotent, so they are tried again when etcd was unreachable; writes only when never sent. */
  range(r: RangeRequest): Promise<RangeResponse> {
    return this.unary('/etcdserverpb.KV/Range', true, (w) => encodeRange(w, r), decodeRangeResponse);
  }

  /** A plain put (the API server writes through txn; this is for tools and benchmarks). */
  put(r: PutRequest): Promise<{ revision: number }> {
    return this.unary('/etcdserverpb.KV/Put', false, (w) => encodePut(w, r), decodeHeaderOnly);
  }

  txn(t: TxnRequest): Promise<TxnResponse> {
    return this.unary('/etcdserverpb.KV/Txn', false, (w) => encodeTxn(w, t), decodeTxnResponse);
  }

  deleteRange(r: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    return this.unary('/etcdserverpb.KV/DeleteRange', false, (w) => encodeDeleteRange(w, r), decodeDeleteRangeResponse);
  }

  /** Compacts history up to revision (asking again for a compaction already done is harmless). */
  async compact(revision: number, physical = false): Promise<void> {
    await this.unary('/etcdserverpb.KV/Compact', true, (w) => encodeCompaction(w, revision, physical), decodeHeaderOnly);
  }

  /**
   * One Watch stream carrying one watcher: `create` starts it; responses (creation, events, progress) go to
   * onResponse; onEnd reports the stream's end (a canceled stream ends with code Cancelled).
   */
  watch(onResponse: (res: WatchResponse) => void, onEnd: (err: GrpcError) => void): WatchStream {
    let ended = false;
    const stream: BidiStream = this.channel.stream('/etcdserverpb.Watch/Watch', (msg) => {
      if (ended) return;
      let res: WatchResponse;
      try {
        res = decodeWatchResponse(new Reader(msg));
      } catch (e) {
        ended = true;
        stream.cancel();
        onEnd(new GrpcError(Code.Internal, `undecodable watch response: ${(e as Error).message}`));
        return;
      }
      onResponse(res);
    }, (err) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    });
    return {
      create: (req) => { const w = new Writer(); encodeWatchCreate(w, req); stream.write(w.finish()); },
      requestProgress: () => { const w = new Writer(16); encodeWatchProgress(w); stream.write(w.finish()); },
      cancel: () => stream.cancel(),
    };
  }

  close(): void {
    this.channel.close();
  }

  private async unary<T>(path: string, idempotent: boolean, encode: (w: Writer) => void, decode: (r: Reader) => T): Promise<T> {
    const w = new Writer();
    encode(w);
    return decode(new Reader(await this.channel.unary(path, w.finish(), this.timeoutMs, idempotent)));
  }
}

export interface WatchStream {
  create(req: WatchCreateRequest): void;
  requestProgress(): void;
  cancel(): void;
}
