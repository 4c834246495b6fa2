// One HTTP/2 connection carrying every request to a peer, as gRPC's and Go's clients keep it: opened on the first
// request and again after the last one broke or was told to go away (GOAWAY), retired after a set number of streams
// (stream ids run out at 2^30), pinged while in use so that a vanished peer is noticed, and never holding the process
// open while idle. The etcd client (gRPC) and the RestClient (the API server) share it; each brings its own connect().
import type { ClientHttp2Session, ClientHttp2Stream, ClientSessionRequestOptions, OutgoingHttpHeaders } from 'node:http2';
import { createRequire } from 'node:module';

// Through require, as in rest.ts: kubectl starts faster without the ESM namespace objects of node's http modules.
const http2 = createRequire(import.meta.url)('node:http2') as typeof import('node:http2');
const { NGHTTP2_REFUSED_STREAM } = http2.constants;
const sessionUnusable = new Set(['ERR_HTTP2_INVALID_SESSION', 'ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_OUT_OF_STREAMS']);

export interface Http2PoolOptions {
  /** Who is at the other end, for error messages ("etcd", "the API server"). */
  peer: string;
  /** Streams one connection carries before the next request opens a new one (the old one finishes its own). */
  streamsPerConnection?: number;
  /** Ping this often while streams are open (and while idle too with pingIdle); 0: never. */
  keepaliveMs?: number;
  /** A ping unanswered this long destroys the connection, failing its streams. */
  keepaliveTimeoutMs?: number;
  /** Ping an idle connection as well (gRPC servers refuse that; HTTP servers answer it). */
  pingIdle?: boolean;
  /** The connection-level receive window, set once connected (the stream window is a setting of connect()). */
  connectionWindow?: number;
  /**
   * Checked once the connection is up, before it counts as connected: an error destroys it, and its streams count
   * as never sent (the RestClient checks here that TLS agreed on h2).
   */
  verify?: (session: ClientHttp2Session) => Error | undefined;
}

/** A connection and what the pool knows of it. */
export interface PooledConnection {
  readonly session: ClientHttp2Session;
  /** The connection came up (and passed verify): a request failing after this may have reached the peer. */
  connected: boolean;
  /** Streams opened on it so far, and still open. */
  streams: number;
  active: number;
  /** Retired: takes no new streams, and closes when its last one ends. */
  draining: boolean;
}

export class Http2Pool {
  private readonly connectSession: () => ClientHttp2Session;
  private readonly opts: Required<Omit<Http2PoolOptions, 'verify'>> & Pick<Http2PoolOptions, 'verify'>;
  private conn?: PooledConnection;
  private closed = false;

  constructor(connect: () => ClientHttp2Session, opts: Http2PoolOptions) {
    this.connectSession = connect;
    this.opts = {
      peer: opts.peer,
      streamsPerConnection: opts.streamsPerConnection ?? 1_000_000_000,
      keepaliveMs: opts.keepaliveMs ?? 30_000,
      keepaliveTimeoutMs: opts.keepaliveTimeoutMs ?? 10_000,
      pingIdle: opts.pingIdle ?? false,
      connectionWindow: opts.connectionWindow ?? 0,
      verify: opts.verify,
    };
  }

  /**
   * A new stream on the current connection (opened when there is none, or when it has carried its share). Throws
   * when the stream cannot be opened; such a request was not sent.
   */
  request(headers: OutgoingHttpHeaders, options?: ClientSessionRequestOptions): { stream: ClientHttp2Stream; conn: PooledConnection } {
    if (this.closed) throw new Error(`the client of ${this.opts.peer} is closed`);
    let conn = this.conn;
    if (conn && conn.streams >= this.opts.streamsPerConnection) this.retire(conn);
    if (!this.conn || this.conn.session.closed || this.conn.session.destroyed) this.conn = this.connect();
    conn = this.conn;
    let stream: ClientHttp2Stream;
    try {
      stream = conn.session.request(headers, options);
    } catch (e) {
      // The connection is closing or out of stream ids (not a header the caller got wrong): replace it.
      if (sessionUnusable.has((e as { code?: string }).code ?? '')) this.retire(conn);
      throw e;
    }
    conn.streams++;
    if (conn.active++ === 0) conn.session.ref();
    const c = conn;
    stream.once('close', () => {
      if (--c.active > 0) return;
      if (c.draining) { if (!c.session.closed) c.session.close(); }
      else if (!c.session.destroyed) c.session.unref();
    });
    return { stream, conn };
  }

  /** Destroys the connection, failing its open streams; later requests throw. */
  close(): void {
    this.closed = true;
    const c = this.conn;
    this.conn = undefined;
    c?.session.destroy();
  }

  private connect(): PooledConnection {
    const session = this.connectSession();
    const conn: PooledConnection = { session, connected: false, streams: 0, active: 0, draining: false };
    session.on('connect', () => {
      const err = this.opts.verify?.(session);
      if (err) { this.retire(conn); session.destroy(err); return; }
      conn.connected = true;
      if (this.opts.connectionWindow) session.setLocalWindowSize(this.opts.connectionWindow);
    });
    // Errors reach the requests through their streams; the connection is only replaced.
    session.on('error', () => this.retire(conn));
    session.on('goaway', () => this.retire(conn));
    let keepalive: NodeJS.Timeout | undefined;
    if (this.opts.keepaliveMs > 0) {
      keepalive = setInterval(() => this.ping(conn), this.opts.keepaliveMs);
      keepalive.unref();
    }
    session.on('close', () => {
      clearInterval(keepalive);
      this.retire(conn);
    });
    return conn;
  }

  /** Pings the connection; without an answer in time it is destroyed, failing its streams (which start again elsewhere). */
  private ping(conn: PooledConnection): void {
    const { session } = conn;
    if (!conn.connected || (conn.active === 0 && !this.opts.pingIdle) || session.destroyed || session.closed) return;
    const ms = this.opts.keepaliveTimeoutMs;
    const timer = setTimeout(() => session.destroy(Object.assign(new Error(`${this.opts.peer} did not answer a keepalive ping within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    timer.unref();
    try {
      session.ping(() => clearTimeout(timer));
    } catch {
      clearTimeout(timer);
    }
  }

  /** The next request opens another connection; this one finishes its streams, then closes. */
  private retire(conn: PooledConnection): void {
    if (this.conn === conn) this.conn = undefined;
    conn.draining = true;
    if (conn.active === 0 && !conn.session.closed && !conn.session.destroyed) conn.session.close();
  }
}

/**
 * A stream's error as the caller should see it: a stream canceled because its connection failed carries that failure
 * (connect ECONNREFUSED, a TLS error) as its cause, and the cause is what happened.
 */
export function streamError<T>(e: T): T | Error {
  const cause = (e as { code?: string } | undefined)?.code === 'ERR_HTTP2_STREAM_CANCEL' ? (e as { cause?: unknown }).cause : undefined;
  return cause instanceof Error ? cause : e;
}

/**
 * Whether a failed stream certainly was not processed by the peer, so that even a write may be sent again: its
 * connection never came up (or failed verify), the peer refused the stream (REFUSED_STREAM, which is also how streams
 * beyond a GOAWAY's last id end), or no stream id was left.
 */
export function certainlyNotSent(err: unknown, stream: ClientHttp2Stream | undefined, conn: PooledConnection | undefined): boolean {
  if (conn && !conn.connected) return true;
  if (stream?.rstCode === NGHTTP2_REFUSED_STREAM) return true;
  return (err as { code?: string } | undefined)?.code === 'ERR_HTTP2_OUT_OF_STREAMS';
}
