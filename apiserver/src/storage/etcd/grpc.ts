// gRPC over HTTP/2 (node:http2), as much of it as an etcd client needs: unary calls with deadlines, and
// bidirectional streams. One HTTP/2 connection carries every call, as gRPC's own clients do; a broken connection
// is replaced on the next call, trying the endpoints in turn. Messages are already encoded and length-prefixed
// (wire.ts); responses are handed back as the message bytes.
import http2, { type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { Http2Pool, certainlyNotSent, streamError, type PooledConnection } from '@k8ts/client/http2-pool.ts';

/** gRPC status codes (the ones this client tells apart). */
export const Code = { OK: 0, Cancelled: 1, Unknown: 2, DeadlineExceeded: 4, OutOfRange: 11, Internal: 13, Unavailable: 14 } as const;

export class GrpcError extends Error {
  readonly code: number;
  /** The request certainly did not reach the server (so it may be sent again, even a write). */
  readonly notSent: boolean;
  constructor(code: number, message: string, notSent = false) {
    super(message);
    this.name = 'GrpcError';
    this.code = code;
    this.notSent = notSent;
  }
}

export interface ChannelOptions {
  /** A call that was never sent (no connection), or a read that failed for want of one, is tried this often. */
  attempts?: number;
  /** First pause between attempts, doubling up to 500 ms. */
  retryDelayMs?: number;
  /**
   * Calls one connection carries before the next call opens a new one (the old one finishes what it has).
   * HTTP/2 stream ids run out after 2^30 requests from a client, which a busy API server reaches in weeks.
   */
  streamsPerConnection?: number;
  /**
   * While calls are open (a watch always is), the connection is pinged this often, and dropped when a ping goes
   * unanswered for keepaliveTimeoutMs: a vanished etcd host (no FIN, no RST) would otherwise hang watches for good.
   * 30 s and 10 s by default, as the API server's etcd client upstream.
   */
  keepaliveMs?: number;
  keepaliveTimeoutMs?: number;
}

const { NGHTTP2_CANCEL } = http2.constants;
/** Flow-control windows wide enough that a large list streams without waiting on window updates. */
const streamWindow = 8 * 1024 * 1024;
const connectionWindow = 64 * 1024 * 1024;

export class Channel {
  private readonly endpoints: string[];
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly pool: Http2Pool;
  private next = 0;
  private closed = false;

  constructor(endpoints: string[], opts: ChannelOptions = {}) {
    if (endpoints.length === 0) throw new Error('no etcd endpoints');
    this.endpoints = endpoints.map((e) => (/^[a-z]+:\/\//.test(e) ? e : `http://${e}`));
    this.attempts = opts.attempts ?? 3;
    this.retryDelayMs = opts.retryDelayMs ?? 50;
    // Each new connection tries the next endpoint.
    this.pool = new Http2Pool(() => http2.connect(this.endpoints[this.next++ % this.endpoints.length], {
      settings: { enablePush: false, initialWindowSize: streamWindow },
      // The limit guards against a hostile peer; etcd is trusted, and a large list is buffered for a moment.
      maxSessionMemory: 1024,
    }), {
      peer: 'etcd',
      streamsPerConnection: opts.streamsPerConnection,
      keepaliveMs: opts.keepaliveMs,
      keepaliveTimeoutMs: opts.keepaliveTimeoutMs,
      connectionWindow,
    });
  }

  /**
   * One request message, one response message. `idempotent` calls (reads) are tried again when the server was
   * unreachable; others only when they certainly were not sent.
   */
  async unary(path: string, message: Buffer, timeoutMs: number, idempotent: boolean): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1, delay = this.retryDelayMs; ; attempt++, delay = Math.min(delay * 2, 500)) {
      try {
        return await this.unaryOnce(path, message, Math.max(1, deadline - Date.now()));
      } catch (e) {
        const err = e as GrpcError;
        const retriable = err.code === Code.Unavailable && (idempotent || err.notSent);
        if (!retriable || attempt >= this.attempts || this.closed || Date.now() + delay >= deadline) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** A bidirectional stream: write messages, receive them through onMessage; onEnd once, with the error if any. */
  stream(path: string, onMessage: (msg: Buffer) => void, onEnd: (err: GrpcError) => void): BidiStream {
    let stream: ClientHttp2Stream;
    let conn: PooledConnection;
    try {
      ({ stream, conn } = this.open({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' }));
    } catch (e) {
      queueMicrotask(() => onEnd(e as GrpcError));
      return { write() {}, cancel() {} };
    }
    const frames = new FrameReader();
    const status = StatusTracker.of(stream, conn);
    stream.on('data', (chunk: Buffer) => {
      try {
        frames.push(chunk, onMessage);
      } catch (e) {
        status.fail(new GrpcError(Code.Internal, (e as Error).message));
        stream.close(NGHTTP2_CANCEL);
      }
    });
    // The server finished the call (trailers): close our half as well, or the stream would stay half-open.
    stream.on('end', () => { if (!stream.destroyed) stream.close(); });
    stream.on('close', () => onEnd(status.result(stream) ?? new GrpcError(Code.OK, 'stream ended')));
    return {
      write: (msg) => { if (!stream.destroyed && stream.writable) stream.write(msg); },
      cancel: () => { status.fail(new GrpcError(Code.Cancelled, 'canceled')); if (!stream.destroyed) stream.close(NGHTTP2_CANCEL); },
    };
  }

  close(): void {
    this.closed = true;
    this.pool.close();
  }

  private unaryOnce(path: string, message: Buffer, timeoutMs: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let stream: ClientHttp2Stream;
      let conn: PooledConnection;
      try {
        ({ stream, conn } = this.open({
          ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': `${Math.ceil(timeoutMs)}m`,
        }));
      } catch (e) {
        reject(e);
        return;
      }
      const status = StatusTracker.of(stream, conn);
      const chunks: Buffer[] = [];
      const timer = setTimeout(() => {
        status.fail(new GrpcError(Code.DeadlineExceeded, `deadline exceeded after ${Math.ceil(timeoutMs)} ms`));
        stream.close(NGHTTP2_CANCEL);
      }, timeoutMs);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('close', () => {
        clearTimeout(timer);
        const err = status.result(stream);
        if (err) { reject(err); return; }
        try {
          resolve(onlyMessage(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
        } catch (e) {
          reject(new GrpcError(Code.Internal, (e as Error).message));
        }
      });
      stream.end(message);
    });
  }

  /** A new stream on the pool's connection; a stream that cannot be opened was not sent. */
  private open(headers: OutgoingHttpHeaders): { stream: ClientHttp2Stream; conn: PooledConnection } {
    if (this.closed) throw new GrpcError(Code.Unavailable, 'etcd client closed', true);
    try {
      return this.pool.request(headers, { endStream: false });
    } catch (e) {
      throw new GrpcError(Code.Unavailable, `etcd connection: ${(e as Error).message}`, true);
    }
  }
}

export interface BidiStream {
  write(msg: Buffer): void;
  cancel(): void;
}

/** The grpc-status of a call, from the response headers (a trailers-only answer) or the trailers. */
class StatusTracker {
  private code?: number;
  private message = '';
  private error?: GrpcError;

  /** Follows a stream's headers, trailers and transport errors. */
  static of(stream: ClientHttp2Stream, conn: PooledConnection): StatusTracker {
    const t = new StatusTracker();
    stream.on('response', (h) => t.headers(h));
    stream.on('trailers', (h) => t.trailers(h));
    stream.on('error', (e) => t.fail(transportError(e, stream, conn)));
    return t;
  }

  headers(h: IncomingHttpHeaders): void {
    const s = h[':status'];
    if (s !== undefined && Number(s) !== 200) this.fail(new GrpcError(Code.Unavailable, `etcd answered HTTP ${s}`));
    if (h['grpc-status'] !== undefined) this.trailers(h);
  }

  trailers(h: IncomingHttpHeaders): void {
    this.code = Number(h['grpc-status']);
    const m = h['grpc-message'];
    if (typeof m === 'string') {
      try { this.message = decodeURIComponent(m); } catch { this.message = m; }
    }
  }

  /** A failure seen by this side (transport, deadline, cancel); the first one wins. */
  fail(err: GrpcError): void {
    this.error ??= err;
  }

  /** The call's failure, or undefined when it succeeded. */
  result(stream: ClientHttp2Stream): GrpcError | undefined {
    if (this.error) return this.error;
    if (this.code === Code.OK) return undefined;
    if (this.code === undefined) {
      return new GrpcError(Code.Unavailable, `etcd stream closed without a status (HTTP/2 code ${stream.rstCode ?? 0})`);
    }
    return new GrpcError(this.code, this.message || `gRPC status ${this.code}`);
  }
}

/** A failure of the transport, as Unavailable; one that certainly did not reach etcd says so (notSent). */
function transportError(e: unknown, stream: ClientHttp2Stream, conn: PooledConnection): GrpcError {
  if (e instanceof GrpcError) return e;
  const err = streamError(e);
  return new GrpcError(Code.Unavailable, `etcd connection: ${(err as Error)?.message ?? String(err)}`, certainlyNotSent(e, stream, conn));
}

/** The one message of a unary response. */
function onlyMessage(body: Buffer): Buffer {
  if (body.length < 5) throw new Error(`gRPC response without a message (${body.length} bytes)`);
  if (body[0] !== 0) throw new Error('compressed gRPC message (none was asked for)');
  const n = body.readUInt32BE(1);
  if (body.length < 5 + n) throw new Error('truncated gRPC message');
  return body.subarray(5, 5 + n);
}

/** Splits a stream's bytes into length-prefixed messages, across chunk boundaries. */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the message at the head of pending needs in all (5 until its prefix is there). */
  private wanted = 5;

  push(chunk: Buffer, onMessage: (msg: Buffer) => void): void {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.wanted === 5 && this.pendingBytes >= 5) this.wanted = 5 + Buffer.concat(this.pending, this.pendingBytes).readUInt32BE(1);
      if (this.pendingBytes < this.wanted) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let at = 0;
    while (buf.length - at >= 5) {
      if (buf[at] !== 0) throw new Error('compressed gRPC message (none was asked for)');
      const n = buf.readUInt32BE(at + 1);
      if (buf.length - at - 5 < n) break;
      onMessage(buf.subarray(at + 5, at + 5 + n));
      at += 5 + n;
    }
    if (at < buf.length) {
      const rest = buf.subarray(at);
      this.pending.push(rest);
      this.pendingBytes = rest.length;
      this.wanted = rest.length >= 5 ? 5 + rest.readUInt32BE(1) : 5;
    } else {
      this.wanted = 5;
    }
  }
}
