// RestClient: JSON over HTTP/2 (one multiplexed connection, as client-go) or HTTP/1.1 (keep-alive agents), Status
// errors, retries with backoff, Warning headers, and streams (watch/log) that end cleanly on abort. client-go's rest
// package, small.
import type * as Http from 'node:http';
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import { isIP } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { StatusError, statusError } from '@k8ts/api/status.ts';
import type { Status, StatusReason } from '@k8ts/api/status.ts';
import type { RestConfig } from './kubeconfig.ts';
import { Semaphore } from './semaphore.ts';
import { Http2Pool, certainlyNotSent, streamError } from './http2-pool.ts';

// node:http and node:https through require: an ESM import of node:http builds its namespace object, which
// reads the lazy `WebSocket` getter and loads undici (~60 ms of CPU on every kubectl start).
const nodeRequire = createRequire(import.meta.url);
const http = nodeRequire('node:http') as typeof import('node:http');
const https = nodeRequire('node:https') as typeof import('node:https');
const tlsModule = nodeRequire('node:tls') as typeof import('node:tls');
const http2 = nodeRequire('node:http2') as typeof import('node:http2');

export type QueryValue = string | number | boolean | undefined | null | string[];
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  method?: string;
  path: string;
  query?: Query;
  /** An object (sent as JSON), a string or a Buffer. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Retry 5xx / connection errors even for a non-idempotent verb (the request is known to be safe). */
  retry?: boolean;
  /** Give up on the whole request (all attempts) after this long. */
  timeoutMs?: number;
}

export interface StreamOptions extends RequestOptions {
  /** 'lines' (watch: one JSON document per line) or 'chunks' (logs: text as it arrives). */
  mode?: 'lines' | 'chunks';
}

export interface RestClientOptions {
  /** Attempts after the first; client-go uses 10, we default to 5. */
  maxRetries?: number;
  /** First backoff; doubles per attempt up to maxBackoffMs. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  /** Receives the text of each `Warning: 299 - "text"` response header. */
  warningHandler?: (warning: string) => void;
  userAgent?: string;
  /**
   * Ordinary requests in flight at once (streams are not limited); default 64. Over HTTP/1.1 each holds a connection
   * of its own; over HTTP/2 they share one.
   */
  maxConnections?: number;
  /**
   * Offer HTTP/2 to an https server (by ALPN; a server that does not take it is spoken to in HTTP/1.1). Default true,
   * as client-go. Upgrades (exec, attach, port-forward) are HTTP/1.1 either way.
   */
  http2?: boolean;
  /** Default timeout for a whole request (all attempts); streams are never timed out. 0: none. */
  timeoutMs?: number;
  /** A TLS handshake not done in this time fails its connection (client-go's TLSHandshakeTimeout, 10 s). */
  tlsHandshakeTimeoutMs?: number;
}

/** The code of the error a connection fails with when its TLS handshake takes too long. */
export const TLS_HANDSHAKE_TIMEOUT = 'ERR_TLS_HANDSHAKE_TIMEOUT';

/** Destroys a connecting TLS socket whose handshake is not done within `ms`: a server that accepts and never answers
 * would otherwise hold the request forever. */
function withHandshakeTimeout<T extends import('node:tls').TLSSocket>(socket: T, ms: number): T {
  if (!ms) return socket;
  const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`the TLS handshake did not finish within ${ms} ms`), { code: TLS_HANDSHAKE_TIMEOUT })), ms);
  timer.unref();
  socket.once('secureConnect', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
  return socket;
}

/** An open response stream (watch or log): iterate it; close() or aborting the signal ends it cleanly. */
export interface ResponseStream extends AsyncIterable<string> {
  readonly statusCode: number;
  readonly headers: Http.IncomingHttpHeaders;
  close(): void;
}

const idempotent = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const retryableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', TLS_HANDSHAKE_TIMEOUT, 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET',
  // HTTP/2: the stream or the connection under it broke, or the server sent GOAWAY.
  'ERR_HTTP2_STREAM_ERROR', 'ERR_HTTP2_SESSION_ERROR', 'ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_INVALID_SESSION', 'ERR_HTTP2_STREAM_CANCEL',
  'ERR_HTTP2_ERROR', 'ERR_HTTP2_OUT_OF_STREAMS', 'ERR_STREAM_PREMATURE_CLOSE']);

/** The query string for a request, without allocating a URLSearchParams. */
export function encodeQuery(q: Query | undefined): string {
  if (!q) return '';
  let s = '';
  for (const k in q) {
    const v = q[k];
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      for (const x of v) s += (s ? '&' : '?') + k + '=' + encodeURIComponent(x);
    } else {
      s += (s ? '&' : '?') + k + '=' + encodeURIComponent(String(v));
    }
  }
  return s;
}

/** The text of an RFC 7234 warning header value (`299 - "text"`), or the raw value when malformed. */
export function parseWarningHeader(v: string): string[] {
  const out: string[] = [];
  const re = /(\d{3}) (\S+) "((?:[^"\\]|\\.)*)"(?: "[^"]*")?/g;
  let m: RegExpExecArray | null;
  let any = false;
  while ((m = re.exec(v))) {
    any = true;
    if (m[1] === '299') out.push(m[3].replace(/\\(.)/g, '$1'));
  }
  if (!any && v.trim()) out.push(v.trim());
  return out;
}

const genericMessages: Record<number, [StatusReason | 'Unknown', string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  413: ['RequestEntityTooLarge', 'the server has rejected the request because it is too large'],
  415: ['UnsupportedMediaType', 'the server was unable to handle the media type requested'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

/** The StatusError for a failed response: the server's Status when it sent one, else synthesized as client-go does. */
export function errorFromResponse(code: number, body: string, contentType: string | undefined): StatusError {
  if (body && (contentType ?? '').includes('json')) {
    try {
      const s = JSON.parse(body) as Status;
      if (s && s.kind === 'Status') return new StatusError({ ...s, code: s.code || code });
    } catch { /* not JSON after all */ }
  }
  const known = genericMessages[code];
  let reason: string;
  let message: string;
  if (known) [reason, message] = known;
  else if (code >= 500) { reason = 'InternalError'; message = `an error on the server (${JSON.stringify(body.trim() || 'unknown')}) has prevented the request from succeeding`; }
  else { reason = 'Unknown'; message = `the server responded with the status code ${code} but did not return more information`; }
  if (code === 500) message = `an error on the server (${JSON.stringify(body.trim() || 'unknown')}) has prevented the request from succeeding`;
  const err = statusError(code, reason as StatusReason, message,
    body.trim() ? { causes: [{ reason: 'UnexpectedServerResponse', message: body.trim().slice(0, 1024) }] } : undefined);
  return err;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal!.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** client-go's root CA pool: the bundle must hold at least one certificate (Node would take none without a word). */
function checkRootCertificates(ca: Buffer): void {
  const blocks = ca.toString('latin1').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  const parses = (pem: string) => { try { new X509Certificate(pem); return true; } catch { return false; } };
  if (!blocks.some(parses)) throw new Error('unable to load root certificates: unable to parse bytes as PEM block');
}

function isConnectionError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return !!code && (retryableCodes.has(code) || (e as Error).message === 'socket hang up');
}

function retryAfterMs(h: Http.IncomingHttpHeaders): number | undefined {
  const v = h['retry-after'];
  if (!v) return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) return Math.max(0, n) * 1000;
  const d = Date.parse(v);
  return Number.isFinite(d) ? Math.max(0, d - Date.now()) : undefined;
}

/** Waits for p; when signal aborts first, rejects with its reason and hands p to onAbandon. */
function abortable(p: Promise<void>, signal: AbortSignal | undefined, onAbandon: () => void): Promise<void> {
  if (!signal) return p;
  if (signal.aborted) { onAbandon(); return Promise.reject(signal.reason); }
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => { onAbandon(); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(() => { signal.removeEventListener('abort', onAbort); resolve(); });
  });
}

interface RawResponse { statusCode: number; headers: Http.IncomingHttpHeaders; body: string }

/** A response whose headers have arrived, over either protocol. */
interface Exchange {
  statusCode: number;
  headers: Http.IncomingHttpHeaders;
  /** The body as it arrives (a stream's). */
  body: Readable;
  /** The whole body; rejects when the connection or stream ends before it. */
  text(): Promise<string>;
  /** The whole body arrived (as opposed to a connection or stream that ended early). */
  complete(): boolean;
  /** Ends the exchange (the connection under it, for HTTP/1.1; the stream alone, for HTTP/2). */
  destroy(): void;
}

const endedEarly = () => Object.assign(new Error('the response ended before its end'), { code: 'ECONNRESET' });

const text = (chunks: Buffer[]) => (chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));

/** A readable's whole content as text; rejects if it ended before its end. */
async function readAll(body: Readable, complete: () => boolean): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  if (!complete()) throw endedEarly();
  return text(chunks);
}

/**
 * An HTTP/2 response body read from the moment its headers arrive. Node may destroy a finished stream while its last
 * data is still buffered; a reader (an async iterator included) that starts after that sees a premature close, though
 * all the data is there. So a short response is collected at once, and a stream's data goes through a PassThrough
 * attached at once (which keeps the back-pressure of a slow reader).
 */
function http2Body(stream: ClientHttp2Stream, streaming: boolean): Pick<Exchange, 'body' | 'text' | 'complete' | 'destroy'> {
  // A stream reset (or its connection destroyed) also ends with 'end', but with an error code.
  const whole = () => !stream.rstCode;
  const complete = () => stream.readableEnded && whole();
  if (!streaming) {
    const all = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let ended = false;
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.once('end', () => {
        ended = true;
        if (whole()) resolve(text(chunks));
        else reject(endedEarly());
      });
      stream.once('error', reject);
      // All data was handed over as it came; 'end', if it comes, is at most a tick behind 'close'.
      stream.once('close', () => { if (!ended) setImmediate(() => reject(endedEarly())); });
    });
    all.catch(() => {}); // it is awaited by the caller, a moment later
    return { body: stream, text: () => all, complete, destroy: () => stream.destroy() };
  }
  const out = new PassThrough();
  stream.pipe(out);
  // A stream that closed whole still hands out what it has buffered, then ends; a broken one ends the reader now.
  stream.on('error', (e) => out.destroy(e));
  stream.once('close', () => { if (!whole()) out.destroy(endedEarly()); });
  return { body: out, text: () => readAll(out, whole), complete, destroy: () => { stream.destroy(); out.destroy(); } };
}

/** HTTP/2 stream windows: a large list or a busy watch streams without waiting on window updates. */
const streamWindow = 4 * 1024 * 1024;
const connectionWindow = 32 * 1024 * 1024;

/** client-go's client-side token bucket (RestConfig qps/burst): waits for a token before each request. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  private readonly qps: number;
  private readonly burst: number;
  constructor(qps: number, burst: number) { this.qps = qps; this.burst = Math.max(1, burst); this.tokens = this.burst; }
  /** Milliseconds to wait for a reserved token (0 when one is available now). */
  reserve(): number {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
}

export class RestClient {
  readonly config: RestConfig;
  readonly baseUrl: URL;
  /** The server's host name or address (an IPv6 one without its brackets). */
  private readonly host: string;
  private readonly agent: Http.Agent;
  /** Requests waiting for one of the agent's connections wait here, not in the agent (see once()). */
  private readonly slots: Semaphore;
  private readonly streamAgent: Http.Agent;
  private readonly transport: typeof http | typeof https;
  /** The HTTP/2 connection, while the server speaks HTTP/2 (undefined for http:// and after a server refused it). */
  private h2: Http2Pool | undefined;
  private readonly maxRetries: number;
  private readonly backoffBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly basePath: string;
  private readonly userAgent: string;
  warningHandler: (warning: string) => void;
  private token: string | undefined;
  private tokenReadAt = 0;
  private readonly limiter: TokenBucket | undefined;
  private readonly defaultTimeoutMs: number;
  private readonly tlsHandshakeTimeoutMs: number;

  constructor(config: RestConfig, opts: RestClientOptions = {}) {
    this.config = config;
    this.baseUrl = new URL(config.server);
    this.host = this.baseUrl.hostname.replace(/^\[|\]$/g, '');
    this.basePath = this.baseUrl.pathname.replace(/\/+$/, '');
    const tls = this.baseUrl.protocol === 'https:';
    this.transport = tls ? https : http;
    // Two pools: short requests share a bounded set of keep-alive connections (opening thousands of
    // sockets for a burst is slower than queueing on a few); long-running streams (watches, logs)
    // each hold a connection for minutes, so they get their own unbounded pool and never starve requests.
    // Idle connections are kept up to the pool size: closing them after a burst only to reopen them (a TLS
    // handshake each) at the next one costs more than the idle sockets.
    // The CA and client key go in one secure context: given as ca/cert/key, Node's agent writes them into the
    // pool's name string for every request (kilobytes of PEM, built and hashed per request).
    if (tls && config.ca) checkRootCertificates(config.ca);
    const secureContext = tls ? tlsModule.createSecureContext({ ca: config.ca, cert: config.cert, key: config.key }) : undefined;
    // An idle connection is closed after 90 s (client-go's IdleConnTimeout), or a second before the server said it would
    // close it (its Keep-Alive: timeout=N; Node's agent heeds that only when given a timeout): a request sent on a
    // connection the server is closing meets ECONNRESET, and a POST cannot safely be sent again.
    const idle = { keepAlive: true, timeout: 90_000 };
    const handshakeMs = this.tlsHandshakeTimeoutMs = opts.tlsHandshakeTimeoutMs ?? 10_000;
    const mk = (maxSockets: number) => {
      if (!tls) return new http.Agent({ ...idle, maxSockets, maxFreeSockets: Number.isFinite(maxSockets) ? maxSockets : 256 });
      const agent = new https.Agent({ ...idle, maxSockets, maxFreeSockets: Number.isFinite(maxSockets) ? maxSockets : 256, secureContext, rejectUnauthorized: !config.insecureSkipTLSVerify, servername: config.tlsServerName });
      const create = agent.createConnection.bind(agent) as (...a: unknown[]) => import('node:tls').TLSSocket;
      (agent as { createConnection: unknown }).createConnection = (...a: unknown[]) => withHandshakeTimeout(create(...a), handshakeMs);
      return agent;
    };
    const maxConnections = opts.maxConnections ?? 64;
    this.agent = mk(maxConnections);
    this.slots = new Semaphore(maxConnections);
    this.streamAgent = mk(Infinity);
    if (tls && opts.http2 !== false) this.h2 = this.http2Pool(secureContext!);
    this.maxRetries = opts.maxRetries ?? 5;
    this.backoffBaseMs = opts.backoffBaseMs ?? 100;
    this.maxBackoffMs = opts.maxBackoffMs ?? 5000;
    this.warningHandler = opts.warningHandler ?? (() => {});
    this.userAgent = opts.userAgent ?? config.userAgent ?? 'k8ts/v1.32.0';
    this.token = config.token;
    this.tokenReadAt = Date.now();
    this.limiter = config.qps && config.qps > 0 ? new TokenBucket(config.qps, config.burst ?? 10) : undefined;
    this.defaultTimeoutMs = opts.timeoutMs ?? 0;
  }

  private async throttle(signal: AbortSignal | undefined): Promise<void> {
    if (!this.limiter) return;
    const wait = this.limiter.reserve();
    if (wait > 0) await sleep(wait, signal);
  }

  /** Closes the client's connections (open streams included). */
  close(): void { this.agent.destroy(); this.streamAgent.destroy(); this.h2?.close(); }

  /**
   * The HTTP/2 connection: TLS offers h2 and http/1.1, as Go's clients do. A server that picks http/1.1 fails the
   * connection before any request on it was processed; the client then speaks HTTP/1.1 for good, and sends those
   * requests again that way. Pinged every 30 s, idle or not, and dropped after 15 s without an answer (client-go's
   * ReadIdleTimeout and PingTimeout), so that a vanished server fails requests rather than hanging them.
   */
  private http2Pool(secureContext: import('node:tls').SecureContext): Http2Pool {
    const host = this.host;
    const port = Number(this.baseUrl.port || 443);
    const servername = this.config.tlsServerName ?? (isIP(host) ? undefined : host);
    return new Http2Pool(() => http2.connect(this.baseUrl.origin, {
      createConnection: () => withHandshakeTimeout(tlsModule.connect({
        host, port, servername, secureContext, rejectUnauthorized: !this.config.insecureSkipTLSVerify, ALPNProtocols: ['h2', 'http/1.1'],
      }), this.tlsHandshakeTimeoutMs),
      settings: { enablePush: false, initialWindowSize: streamWindow },
      // Node's default (10 MB) is below what the windows let the server send ahead: past it, Node would drop the connection.
      maxSessionMemory: 2 * connectionWindow / (1024 * 1024),
    }), {
      peer: 'the API server',
      keepaliveMs: 30_000,
      keepaliveTimeoutMs: 15_000,
      pingIdle: true,
      connectionWindow,
      verify: (session: ClientHttp2Session) => {
        if (session.alpnProtocol === 'h2') return undefined;
        this.h2 = undefined;
        return new Error(`the API server did not agree to HTTP/2 (ALPN: ${session.alpnProtocol || 'none'})`);
      },
    });
  }

  private bearer(): string | undefined {
    const f = this.config.tokenFile;
    if (f && Date.now() - this.tokenReadAt > 60_000) {
      try { this.token = readFileSync(f, 'utf8').trim(); } catch { /* keep the last good token */ }
      this.tokenReadAt = Date.now();
    }
    return this.token;
  }

  private headersFor(o: RequestOptions, body: Buffer | undefined): Http.OutgoingHttpHeaders {
    const h: Http.OutgoingHttpHeaders = { accept: o.accept ?? 'application/json', 'user-agent': this.userAgent };
    const tok = this.bearer();
    if (tok) h.authorization = `Bearer ${tok}`;
    if (body) { h['content-type'] = o.contentType ?? 'application/json'; h['content-length'] = body.length; }
    if (o.headers) for (const k in o.headers) h[k.toLowerCase()] = o.headers[k];
    return h;
  }

  private encodeBody(b: unknown): Buffer | undefined {
    if (b === undefined) return undefined;
    if (Buffer.isBuffer(b)) return b;
    return Buffer.from(typeof b === 'string' ? b : JSON.stringify(b));
  }

  private handleWarnings(h: Http.IncomingHttpHeaders): void {
    const w = h.warning;
    if (!w) return;
    for (const v of Array.isArray(w) ? w : [w]) for (const t of parseWarningHeader(v)) this.warningHandler(t);
  }

  /**
   * One HTTP exchange; resolves once the response headers arrive. Over HTTP/2 while the server speaks it; a request
   * that failed only because the server turned HTTP/2 down goes again over HTTP/1.1.
   */
  private async open(method: string, o: RequestOptions, body: Buffer | undefined, signal: AbortSignal | undefined, streaming = false): Promise<Exchange> {
    const h2 = this.h2;
    if (h2) {
      try {
        return await this.openHttp2(h2, method, o, body, signal, streaming);
      } catch (e) {
        if (this.h2 || !(e as { notSent?: boolean }).notSent || signal?.aborted) throw e;
      }
    }
    return this.openHttp1(method, o, body, signal, streaming);
  }

  private openHttp1(method: string, o: RequestOptions, body: Buffer | undefined, signal: AbortSignal | undefined, streaming: boolean): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      const req = this.transport.request({
        protocol: this.baseUrl.protocol,
        hostname: this.host,
        port: this.baseUrl.port || undefined,
        method,
        path: this.basePath + o.path + encodeQuery(o.query),
        headers: this.headersFor(o, body),
        agent: streaming ? this.streamAgent : this.agent,
        signal,
      }, (res) => {
        const complete = () => res.complete;
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res, text: () => readAll(res, complete), complete, destroy: () => res.destroy() });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A stream on the HTTP/2 connection. Its errors carry notSent when the server certainly did not process it. */
  private openHttp2(pool: Http2Pool, method: string, o: RequestOptions, body: Buffer | undefined, signal: AbortSignal | undefined, streaming: boolean): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      const headers: Http.OutgoingHttpHeaders = this.headersFor(o, body);
      headers[':method'] = method;
      headers[':path'] = this.basePath + o.path + encodeQuery(o.query);
      let opened: ReturnType<Http2Pool['request']>;
      try {
        opened = pool.request(headers, { endStream: !body, signal });
      } catch (e) {
        reject(Object.assign(e as Error, { notSent: true }));
        return;
      }
      const { stream, conn } = opened;
      let answered = false;
      const fail = (e: Error) => reject(Object.assign(streamError(e), { notSent: certainlyNotSent(e, stream, conn) }));
      stream.once('response', (h) => {
        answered = true;
        resolve({ statusCode: Number(h[':status']), headers: h as Http.IncomingHttpHeaders, ...http2Body(stream, streaming) });
      });
      stream.on('error', fail);
      stream.once('close', () => {
        if (!answered) fail(Object.assign(new Error(`the API server closed the stream before answering (HTTP/2 code ${stream.rstCode ?? 0})`), { code: 'ECONNRESET' }));
      });
      if (body) stream.end(body);
    });
  }

  /**
   * One short request and its whole body. It waits for a free connection before its ClientRequest exists:
   * a burst of thousands (a scheduler's bindings) queued inside Node's agent costs a request object each
   * up front and a linear shift of the agent's queue per response.
   */
  private async once(method: string, o: RequestOptions, body: Buffer | undefined, signal: AbortSignal | undefined): Promise<RawResponse> {
    const wait = this.slots.acquire();
    if (wait) await abortable(wait, signal, () => void wait.then(() => this.slots.release()));
    try {
      const res = await this.open(method, o, body, signal);
      return { statusCode: res.statusCode, headers: res.headers, body: await res.text() };
    } finally {
      this.slots.release();
    }
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.maxBackoffMs, this.backoffBaseMs * 2 ** attempt);
    return d / 2 + Math.random() * (d / 2);
  }

  private signalFor(o: RequestOptions): AbortSignal | undefined {
    const ms = o.timeoutMs ?? this.defaultTimeoutMs;
    if (!ms) return o.signal;
    const t = AbortSignal.timeout(ms);
    return o.signal ? AbortSignal.any([o.signal, t]) : t;
  }

  /** Sends a request (retrying as client-go does) and returns the parsed JSON body (undefined when empty). */
  async request<T = unknown>(o: RequestOptions): Promise<T> {
    const raw = await this.requestRaw(o);
    if (!raw) return undefined as T;
    const ct = o.accept && !o.accept.includes('json') ? 'text' : 'json';
    return (ct === 'json' ? JSON.parse(raw) : raw) as T;
  }

  /** As request(), but returns the body text unparsed. */
  async requestRaw(o: RequestOptions): Promise<string> {
    const method = (o.method ?? 'GET').toUpperCase();
    const body = this.encodeBody(o.body);
    const signal = this.signalFor(o);
    const mayRetry = o.retry ?? idempotent.has(method);
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse;
      await this.throttle(signal);
      try {
        res = await this.once(method, o, body, signal);
      } catch (e) {
        if (signal?.aborted) throw e;
        // A refused connection or stream never reached the server: safe to resend any verb.
        const safe = mayRetry || (e as NodeJS.ErrnoException).code === 'ECONNREFUSED' || (e as { notSent?: boolean }).notSent === true;
        if (safe && isConnectionError(e) && attempt < this.maxRetries) {
          await sleep(this.backoff(attempt), signal);
          continue;
        }
        throw e;
      }
      this.handleWarnings(res.headers);
      const code = res.statusCode;
      if (code >= 200 && code < 300) return res.body;
      const retriable = code === 429 || (code >= 500 && code !== 501 && mayRetry);
      if (retriable && attempt < this.maxRetries) {
        await sleep(retryAfterMs(res.headers) ?? this.backoff(attempt), signal);
        continue;
      }
      throw errorFromResponse(code, res.body, res.headers['content-type']);
    }
  }

  /**
   * Opens a long-running response (watch, follow logs). Throws StatusError when the server refuses it.
   * The stream yields lines (without the newline) or chunks; it ends when the server closes it, and
   * ends quietly (no error) when closed or aborted by the caller. A connection that breaks mid-stream throws.
   */
  async stream(o: StreamOptions): Promise<ResponseStream> {
    const method = (o.method ?? 'GET').toUpperCase();
    const ctl = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, ctl.signal]) : ctl.signal;
    await this.throttle(signal);
    const res = await this.open(method, o, this.encodeBody(o.body), signal, true);
    this.handleWarnings(res.headers);
    const code = res.statusCode;
    const body = res.body;
    if (code < 200 || code >= 300) throw errorFromResponse(code, await res.text(), res.headers['content-type']);
    body.setEncoding('utf8');
    const lines = (o.mode ?? 'lines') === 'lines';
    async function* iterate(): AsyncGenerator<string> {
      let buf = '';
      try {
        for await (const chunk of body as AsyncIterable<string>) {
          if (!lines) { yield chunk; continue; }
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) yield line;
          }
        }
        if (!res.complete() && !signal.aborted) throw Object.assign(new Error('stream closed before its end'), { code: 'ECONNRESET' });
        if (lines && buf.trim()) yield buf;
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      } finally {
        if (!res.complete()) res.destroy();
      }
    }
    const it = iterate();
    return {
      statusCode: code,
      headers: res.headers,
      close: () => { ctl.abort(); res.destroy(); },
      [Symbol.asyncIterator]: () => it,
    };
  }
}
