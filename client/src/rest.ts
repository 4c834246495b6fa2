// RestClient: JSON over node:http(s) with a keep-alive agent, Status errors, retries with backoff,
// Warning headers, and streams (watch/log) that end cleanly on abort. client-go's rest package, small.
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { StatusError, statusError } from '@k8ts/api/status.ts';
import type { Status, StatusReason } from '@k8ts/api/status.ts';
import type { RestConfig } from './kubeconfig.ts';
import { Semaphore } from './semaphore.ts';

// node:http and node:https through require: an ESM import of node:http builds its namespace object, which
// reads the lazy `WebSocket` getter and loads undici (~60 ms of CPU on every kubectl start).
const nodeRequire = createRequire(import.meta.url);
const http = nodeRequire('node:http') as typeof import('node:http');
const https = nodeRequire('node:https') as typeof import('node:https');
const tlsModule = nodeRequire('node:tls') as typeof import('node:tls');

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
  /** Connections for ordinary requests (streams are not limited); default 64. */
  maxConnections?: number;
  /** Default timeout for a whole request (all attempts); streams are never timed out. 0: none. */
  timeoutMs?: number;
}

/** An open response stream (watch or log): iterate it; close() or aborting the signal ends it cleanly. */
export interface ResponseStream extends AsyncIterable<string> {
  readonly statusCode: number;
  readonly headers: Http.IncomingHttpHeaders;
  close(): void;
}

const idempotent = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const retryableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

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
  private readonly agent: Http.Agent;
  /** Requests waiting for one of the agent's connections wait here, not in the agent (see once()). */
  private readonly slots: Semaphore;
  private readonly streamAgent: Http.Agent;
  private readonly transport: typeof http | typeof https;
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

  constructor(config: RestConfig, opts: RestClientOptions = {}) {
    this.config = config;
    this.baseUrl = new URL(config.server);
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
    const secureContext = tls ? tlsModule.createSecureContext({ ca: config.ca, cert: config.cert, key: config.key }) : undefined;
    const mk = (maxSockets: number) => tls
      ? new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: Number.isFinite(maxSockets) ? maxSockets : 256, secureContext, rejectUnauthorized: !config.insecureSkipTLSVerify, servername: config.tlsServerName })
      : new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: Number.isFinite(maxSockets) ? maxSockets : 256 });
    const maxConnections = opts.maxConnections ?? 64;
    this.agent = mk(maxConnections);
    this.slots = new Semaphore(maxConnections);
    this.streamAgent = mk(Infinity);
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
  close(): void { this.agent.destroy(); this.streamAgent.destroy(); }

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

  /** One HTTP exchange; resolves with the response object once headers arrive. */
  private open(method: string, o: RequestOptions, body: Buffer | undefined, signal: AbortSignal | undefined, streaming = false): Promise<Http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.transport.request({
        protocol: this.baseUrl.protocol,
        hostname: this.baseUrl.hostname.replace(/^\[|\]$/g, ''),
        port: this.baseUrl.port || undefined,
        method,
        path: this.basePath + o.path + encodeQuery(o.query),
        headers: this.headersFor(o, body),
        agent: streaming ? this.streamAgent : this.agent,
        signal,
      }, resolve);
      req.on('error', reject);
      req.end(body);
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
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      return { statusCode: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8') };
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
        // A refused connection never reached the server: safe to resend any verb.
        const safe = mayRetry || (e as NodeJS.ErrnoException).code === 'ECONNREFUSED';
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
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      throw errorFromResponse(code, Buffer.concat(chunks).toString('utf8'), res.headers['content-type']);
    }
    res.setEncoding('utf8');
    const lines = (o.mode ?? 'lines') === 'lines';
    async function* iterate(): AsyncGenerator<string> {
      let buf = '';
      try {
        for await (const chunk of res as AsyncIterable<string>) {
          if (!lines) { yield chunk; continue; }
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) yield line;
          }
        }
        if (lines && buf.trim()) yield buf;
        if (!res.complete && !signal.aborted) throw Object.assign(new Error('stream closed before its end'), { code: 'ECONNRESET' });
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      } finally {
        if (!res.complete) res.destroy();
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
