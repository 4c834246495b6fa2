// The etcd v3 calls the API server makes — Range, Txn, DeleteRange, Compact and Watch — over one gRPC channel.
import { Channel, Code, GrpcError, type BidiStream } from './grpc.ts';
import {
  Reader, Writer, decodeDeleteRangeResponse, decodeHeaderOnly, encodePut, type PutRequest, decodeRangeResponse, decodeTxnResponse, decodeWatchResponse,
  encodeCompaction, encodeDeleteRange, encodeRange, encodeTxn, encodeWatchCreate, encodeWatchProgress,
  type DeleteRangeRequest, type DeleteRangeResponse, type RangeRequest, type RangeResponse, type TxnRequest,
  type TxnResponse, type WatchCreateRequest, type WatchResponse,
} from './wire.ts';

export { Code, GrpcError } from './grpc.ts';
export { CompareResult, CompareTarget, type KeyValue, type WatchEvent, type WatchResponse } from './wire.ts';

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

  async range(r: RangeRequest): Promise<RangeResponse> {
    const w = new Writer();
    encodeRange(w, r);
    return decodeRangeResponse(new Reader(await this.channel.unary('/etcdserverpb.KV/Range', w.finish(), this.timeoutMs, true)));
  }

  /** A plain put (the API server writes through txn; this is for tools and benchmarks). */
  async put(r: PutRequest): Promise<{ revision: number }> {
    const w = new Writer();
    encodePut(w, r);
    return decodeHeaderOnly(new Reader(await this.channel.unary('/etcdserverpb.KV/Put', w.finish(), this.timeoutMs, false)));
  }

  async txn(t: TxnRequest): Promise<TxnResponse> {
    const w = new Writer();
    encodeTxn(w, t);
    return decodeTxnResponse(new Reader(await this.channel.unary('/etcdserverpb.KV/Txn', w.finish(), this.timeoutMs, false)));
  }

  async deleteRange(r: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    const w = new Writer();
    encodeDeleteRange(w, r);
    return decodeDeleteRangeResponse(new Reader(await this.channel.unary('/etcdserverpb.KV/DeleteRange', w.finish(), this.timeoutMs, false)));
  }

  /** Compacts history up to revision (asking again for a compaction already done is harmless). */
  async compact(revision: number, physical = false): Promise<void> {
    const w = new Writer();
    encodeCompaction(w, revision, physical);
    await this.channel.unary('/etcdserverpb.KV/Compact', w.finish(), this.timeoutMs, true);
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
}

export interface WatchStream {
  create(req: WatchCreateRequest): void;
  requestProgress(): void;
  cancel(): void;
}
