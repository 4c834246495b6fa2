// A lean client for etcd's KV service: unary gRPC calls made directly over one node:http2 session.
// The general-purpose client (etcd3 over grpc-js) spent about a third of the API server's CPU on its layers
// (interceptors, resolving and load-balancing calls, metadata, fault-handling policies) for each request.
// This one frames the protobuf messages of etcd-proto.ts itself, for the KV calls and for watch streams.
import { EventEmitter } from 'node:events';
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import {
  decode, decodeWatchResponse, frame, watchFrame, type WatchRequest, type WatchResponse,
  type CompactionRequest, type CompactionResponse, type DeleteRangeRequest, type DeleteRangeResponse,
  type RangeRequest, type RangeResponse, type TxnRequest, type TxnResponse,
} from './etcd-proto.ts';

/** gRPC status codes used here. */
export const GrpcStatus = { OK: 0, CANCELLED: 1, UNKNOWN: 2, DEADLINE_EXCEEDED: 4, UNAVAILABLE: 14 } as const;

/** A failed call: `code` is the gRPC status; connection failures are UNAVAILABLE. */
export class EtcdCallError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
    this.name = code === GrpcStatus.UNAVAILABLE ? 'Unavailable' : code === GrpcStatus.DEADLINE_EXCEEDED ? 'DeadlineExceeded' : 'EtcdError';
  }
}

export interface EtcdKVOptions {
  /** Per-call deadline in ms (default 10 s). */
  timeoutMs?: number;
  /** Attempts for a call that failed before etcd answered (connection refused or lost); default 3. */
  maxAttempts?: number;
}

/** Flow-control window per stream and per connection: large lists arrive without waiting for window updates. */
const WINDOW = 16 * 1024 * 1024;

export class EtcdKV {
  private readonly endpoints: string[];
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private session?: ClientHttp2Session;
  private next = 0;
  private closed = false;

  constructor(endpoints: string[], o: EtcdKVOptions = {}) {
    if (!endpoints.length) throw new Error('etcd: no endpoints');
    this.endpoints = endpoints.map((e) => (/^\w+:\/\//.test(e) ? e : `http://${e}`));
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.maxAttempts = o.maxAttempts ?? 3;
  }

  range(r: RangeRequest): Promise<RangeResponse> {
    return this.call('/etcdserverpb.KV/Range', frame.range(r), decode.range);
  }

  txn(r: TxnRequest): Promise<TxnResponse> {
    return this.call('/etcdserverpb.KV/Txn', frame.txn(r), decode.txn);
  }

  deleteRange(r: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    return this.call('/etcdserverpb.KV/DeleteRange', frame.deleteRange(r), decode.deleteRange);
  }

  compact(r: CompactionRequest): Promise<CompactionResponse> {
    return this.call('/etcdserverpb.KV/Compact', frame.compact(r), decode.compact);
  }

  /**
   * Opens a Watch stream (bidirectional): write WatchRequests, get WatchResponses as 'data'; 'error' or 'end'
   * when the stream or its connection ends (the caller re-opens).
   */
  watch(): WatchStream {
    return new WatchStream(this.connection());
  }

  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
  }

  private async call<T>(path: string, body: Buffer, parse: (b: Buffer) => T): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return parse(await this.unary(path, body, deadline));
      } catch (e) {
        // Only calls that never reached etcd (connection refused) are retried, so a write is never applied twice.
        const retriable = e instanceof NotSent && attempt < this.maxAttempts && Date.now() < deadline;
        if (!retriable) throw e instanceof NotSent ? e.error : e;
        await new Promise((r) => setTimeout(r, Math.min(500, 50 * 2 ** (attempt - 1))));
      }
    }
  }

  private connection(): ClientHttp2Session {
    if (this.closed) throw new EtcdCallError(GrpcStatus.CANCELLED, 'etcd client closed');
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    // Round-robin over the endpoints when (re)connecting.
    const endpoint = this.endpoints[this.next++ % this.endpoints.length];
    const s = connect(endpoint, { settings: { initialWindowSize: WINDOW, enablePush: false } });
    s.on('connect', () => {
      connected.add(s);
      try { s.setLocalWindowSize(WINDOW); } catch { /* closed meanwhile */ }
    });
    const drop = () => { if (this.session === s) this.session = undefined; };
    s.on('error', drop);
    s.on('goaway', drop);
    s.on('close', drop);
    // Idle connections must not keep the process alive.
    s.unref();
    this.session = s;
    return s;
  }

  /** One unary call: resolves with the response message (without its frame header). */
  private unary(path: string, body: Buffer, deadline: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let stream: ClientHttp2Stream;
      let session: ClientHttp2Session;
      try {
        session = this.connection();
        stream = session.request({
          ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers',
          'grpc-timeout': `${Math.max(1, deadline - Date.now())}m`,
        });
      } catch (e) {
        reject(new NotSent(new EtcdCallError(GrpcStatus.UNAVAILABLE, `etcd unavailable: ${(e as Error).message}`)));
        return;
      }
      const chunks: Buffer[] = [];
      let answered = false;
      let status: number | undefined;
      let message = '';
      let settled = false;
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) return reject(err);
        if (status === undefined) return reject(new EtcdCallError(GrpcStatus.UNAVAILABLE, 'etcd unavailable: the stream ended without a gRPC status'));
        if (status !== GrpcStatus.OK) return reject(new EtcdCallError(status, message || `gRPC status ${status}`));
        const data = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        if (data.length < 5) return reject(new EtcdCallError(GrpcStatus.UNKNOWN, 'etcd sent no response message'));
        if (data[0] !== 0) return reject(new EtcdCallError(GrpcStatus.UNKNOWN, 'etcd sent a compressed message'));
        resolve(data.subarray(5, 5 + data.readUInt32BE(1)));
      };
      const timer = setTimeout(() => {
        stream.close(constants.NGHTTP2_CANCEL);
        finish(new EtcdCallError(GrpcStatus.DEADLINE_EXCEEDED, 'etcd request deadline exceeded'));
      }, Math.max(1, deadline - Date.now()));
      const readStatus = (h: Record<string, unknown>) => {
        if (h['grpc-status'] !== undefined) status = Number(h['grpc-status']);
        if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
      };
      stream.on('response', (h) => {
        answered = true;
        if (h[':status'] !== 200) {
          status = GrpcStatus.UNAVAILABLE;
          message = `etcd answered HTTP ${h[':status']}`;
        }
        readStatus(h); // a trailers-only response carries the status in the headers
      });
      stream.on('trailers', readStatus);
      stream.on('data', (c: Buffer) => { chunks.push(c); });
      stream.on('end', () => finish());
      stream.on('close', () => finish());
      stream.on('error', (e: Error) => {
        const err = new EtcdCallError(GrpcStatus.UNAVAILABLE, `etcd unavailable: ${e.message}`);
        // Nothing reached etcd when the connection itself never came up (refused, unreachable).
        finish(answered || connected.has(session) ? err : new NotSent(err));
      });
      stream.end(body);
    });
  }
}

/** Sessions that completed their connection: a stream on any other one cannot have reached etcd. */
const connected = new WeakSet<ClientHttp2Session>();

/** A call that failed before etcd answered anything: safe to retry. */
class NotSent extends Error {
  readonly error: EtcdCallError;
  constructor(error: EtcdCallError) {
    super(error.message);
    this.error = error;
  }
}

/** One etcd Watch stream: 'data' (WatchResponse), 'error' (Error), 'end'. */
export class WatchStream extends EventEmitter {
  private readonly stream: ClientHttp2Stream;
  private pending: Buffer | undefined;
  private ended = false;

  constructor(session: ClientHttp2Session) {
    super();
    this.stream = session.request({ ':method': 'POST', ':path': '/etcdserverpb.Watch/Watch', 'content-type': 'application/grpc', te: 'trailers' });
    let status: number | undefined;
    let message = '';
    const readStatus = (h: Record<string, unknown>) => {
      if (h['grpc-status'] !== undefined) status = Number(h['grpc-status']);
      if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
    };
    this.stream.on('response', readStatus);
    this.stream.on('trailers', readStatus);
    this.stream.on('data', (c: Buffer) => this.onData(c));
    this.stream.on('error', (e: Error) => this.end(new EtcdCallError(GrpcStatus.UNAVAILABLE, `etcd watch: ${e.message}`)));
    this.stream.on('close', () => {
      this.end(status !== undefined && status !== GrpcStatus.OK ? new EtcdCallError(status, message || `gRPC status ${status}`) : undefined);
    });
  }

  write(r: WatchRequest): void {
    if (!this.ended) this.stream.write(watchFrame(r));
  }

  /** Ends the stream from our side; no further events are emitted. */
  cancel(): void {
    if (this.ended) return;
    this.ended = true;
    this.stream.close(constants.NGHTTP2_CANCEL);
  }

  private onData(chunk: Buffer): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      if (buf[0] !== 0) {
        this.end(new EtcdCallError(GrpcStatus.UNKNOWN, 'etcd sent a compressed message'));
        return;
      }
      const msg = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      let res: WatchResponse;
      try {
        res = decodeWatchResponse(msg);
      } catch (e) {
        this.end(new EtcdCallError(GrpcStatus.UNKNOWN, `etcd watch: ${(e as Error).message}`));
        return;
      }
      if (this.ended) return;
      this.emit('data', res);
    }
    // Messages are views into the chunk: keep only the unparsed tail (copied, so the chunk can go).
    if (buf.length) this.pending = Buffer.from(buf);
  }

  private end(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.stream.close(constants.NGHTTP2_CANCEL);
    if (err) this.emit('error', err);
    else this.emit('end');
  }
}
