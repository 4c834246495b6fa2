// A small fake API server for client tests: list/watch/CRUD over an in-memory Map with
// resourceVersions, paging, 410 Expired after compaction, fault injection, and watches that can be
// broken mid-stream. Kubernetes REST shapes, not a full implementation (merge patch only).
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { lookupResource, apiVersionOf } from '@k8ts/api/resources.ts';
import type { ResourceInfo } from '@k8ts/api/resources.ts';
import { errors, StatusError } from '@k8ts/api/status.ts';
import type { KubeObject } from '@k8ts/api/object.ts';
import { parseSelector, matchesLabels } from '@k8ts/api/labels.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** CN of the TLS client certificate, when one was presented. */
  clientCN?: string;
  /** '1.1' or '2.0'. */
  httpVersion: string;
  /** Which connection carried it (1 for the server's first). */
  connection: number;
}

export interface Fault {
  match: (r: RecordedRequest) => boolean;
  code: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** HTTP/2 only: refuse the stream (RST_STREAM REFUSED_STREAM) instead of answering; code is then ignored. */
  refuseStream?: boolean;
}

interface Event { rv: number; type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: KubeObject; res: string }

interface WatchConn {
  res: http.ServerResponse;
  resource: string;
  namespace?: string;
  match: (o: KubeObject) => boolean;
  info: ResourceInfo;
  timer?: NodeJS.Timeout;
  lastRV: number;
}

interface Route { info: ResourceInfo; namespace?: string; name?: string; sub?: string }

export function parsePath(path: string): Route | undefined {
  const s = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group = '', version: string, rest: string[];
  if (s[0] === 'api') { version = s[1]; rest = s.slice(2); }
  else if (s[0] === 'apis') { group = s[1]; version = s[2]; rest = s.slice(3); }
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) { namespace = rest[1]; rest = rest.slice(2); }
  const info = lookupResource(group, version, rest[0]);
  if (!info) return undefined;
  return { info, namespace, name: rest[1], sub: rest[2] };
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function fieldsOf(o: KubeObject): Record<string, string> {
  const f: Record<string, string> = { 'metadata.name': o.metadata.name ?? '', 'metadata.namespace': o.metadata.namespace ?? '' };
  const spec = o.spec as Record<string, unknown> | undefined;
  if (spec && typeof spec.nodeName === 'string') f['spec.nodeName'] = spec.nodeName;
  return f;
}

function fieldMatcher(sel: string | null): (o: KubeObject) => boolean {
  if (!sel) return () => true;
  const reqs = sel.split(',').map((p) => {
    const m = p.match(/^([^!=]+)(==|=|!=)(.*)$/);
    if (!m) throw errors.badRequest(`invalid field selector ${sel}`);
    return { field: m[1], neg: m[2] === '!=', value: m[3] };
  });
  return (o) => reqs.every((r) => (fieldsOf(o)[r.field] === r.value) !== r.neg);
}

/** Resets the connection under a response (under HTTP/2, the whole session, not only the response's stream). */
function resetConnection(res: http.ServerResponse): void {
  const stream = (res as unknown as http2.Http2ServerResponse).stream as http2.ServerHttp2Stream | undefined;
  if (stream) stream.session?.destroy();
  else res.socket?.destroy();
}

export class FakeApiServer {
  readonly objects = new Map<string, KubeObject>();
  readonly requests: RecordedRequest[] = [];
  readonly faults: Fault[] = [];
  /** pods/log text by "ns/name"; follow streams keep the connection open after it. */
  readonly podLogs = new Map<string, string>();
  /** Warning headers to add to every response. */
  warnings: string[] = [];
  private readonly events: Event[] = [];
  private readonly watches = new Set<WatchConn>();
  private rv = 100;
  private compactedRV = 0;
  private server: http.Server | https.Server | http2.Http2SecureServer | undefined;
  private readonly sockets = new Set<Socket>();
  /** Connection numbers by the client's port. */
  private readonly connectionIds = new Map<number, number>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  /** Connections accepted so far. */
  connections = 0;
  url = '';

  /** The latest resourceVersion. */
  get resourceVersion(): number { return this.rv; }

  /** Over TLS with http2, it offers HTTP/2 and HTTP/1.1 by ALPN, as the API server does; else HTTP/1.1 only. */
  async start(tls?: { key: Buffer | string; cert: Buffer | string; ca?: Buffer | string; requestCert?: boolean }, opts: { http2?: boolean; port?: number } = {}): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    if (tls && opts.http2) {
      const server = http2.createSecureServer({ ...tls, rejectUnauthorized: false, allowHTTP1: true }, handler as never);
      server.on('session', (s) => { this.sessions.add(s); s.on('close', () => this.sessions.delete(s)); });
      this.server = server;
    } else {
      const server = tls ? https.createServer({ ...tls, rejectUnauthorized: false }, handler) : http.createServer(handler);
      server.keepAliveTimeout = 5000;
      this.server = server;
    }
    this.server.on(tls ? 'secureConnection' : 'connection', (sock: Socket) => {
      this.connectionIds.set(sock.remotePort!, ++this.connections);
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
    });
    await new Promise<void>((r) => this.server!.listen(opts.port ?? 0, '127.0.0.1', r));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const w of this.watches) { clearTimeout(w.timer); w.res.destroy(); }
    this.watches.clear();
    if (!this.server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server!.close(() => r()));
  }

  /** Requests seen for a method and path (query ignored). */
  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  activeWatches(): number { return this.watches.size; }

  /** HTTP/2: tells every client to go away (GOAWAY); their open streams still finish. */
  goAway(): void { for (const s of this.sessions) s.close(); }

  /** Forgets history up to now: watches/lists from older resourceVersions get 410 Expired. */
  compact(): void { this.compactedRV = this.rv; this.events.length = 0; }

  /** Breaks every open watch mid-stream: half a JSON line, then a reset connection. */
  breakWatches(): void {
    for (const w of [...this.watches]) {
      this.watches.delete(w);
      clearTimeout(w.timer);
      w.res.write('{"type":"MODIFIED","object":{"kind":');
      resetConnection(w.res);
    }
  }

  /** Ends every open watch with an ERROR event carrying 410 Expired (as after etcd compaction). */
  expireWatches(): void {
    for (const w of [...this.watches]) {
      this.watches.delete(w);
      clearTimeout(w.timer);
      w.res.end(JSON.stringify({ type: 'ERROR', object: errors.gone(`too old resource version: ${w.lastRV} (${this.rv})`).status }) + '\n');
    }
  }

  /** Ends every open watch normally (as a watch timeout does). */
  closeWatches(): void {
    for (const w of [...this.watches]) { this.watches.delete(w); clearTimeout(w.timer); w.res.end(); }
  }

  /** Sends a BOOKMARK at the current resourceVersion to every watch. */
  bookmark(): void {
    for (const w of this.watches) {
      w.res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: w.info.kind, apiVersion: apiVersionOf(w.info), metadata: { resourceVersion: String(this.rv) } } }) + '\n');
      w.lastRV = this.rv;
    }
  }

  private key(info: ResourceInfo, ns: string | undefined, name: string): string {
    return `${apiVersionOf(info)}/${info.resource}|${info.namespaced ? ns ?? '' : ''}|${name}`;
  }

  // ---- direct state manipulation (tests use this as "another client") ----

  seed(info: ResourceInfo, obj: KubeObject): KubeObject { return this.create(info, obj.metadata.namespace, obj); }
  mutate(info: ResourceInfo, ns: string | undefined, name: string, fn: (o: KubeObject) => void): KubeObject {
    const cur = this.objects.get(this.key(info, ns, name));
    if (!cur) throw errors.notFound(info.group, info.resource, name);
    const next = structuredClone(cur);
    fn(next);
    next.metadata.resourceVersion = undefined;
    return this.update(info, ns, next);
  }
  remove(info: ResourceInfo, ns: string | undefined, name: string): KubeObject { return this.delete(info, ns, name); }
  get(info: ResourceInfo, ns: string | undefined, name: string): KubeObject | undefined { return this.objects.get(this.key(info, ns, name)); }

  private emit(type: Event['type'], info: ResourceInfo, obj: KubeObject): void {
    const res = `${apiVersionOf(info)}/${info.resource}`;
    const ev: Event = { rv: this.rv, type, obj, res };
    this.events.push(ev);
    for (const w of this.watches) this.send(w, ev);
  }

  private send(w: WatchConn, ev: Event): void {
    if (ev.res !== w.resource) return;
    if (w.namespace && ev.obj.metadata.namespace !== w.namespace) return;
    if (!w.match(ev.obj)) return;
    w.res.write(JSON.stringify({ type: ev.type, object: ev.obj }) + '\n');
    w.lastRV = ev.rv;
  }

  private create(info: ResourceInfo, ns: string | undefined, body: KubeObject): KubeObject {
    const obj = structuredClone(body);
    obj.apiVersion = apiVersionOf(info);
    obj.kind = info.kind;
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + randomUUID().slice(0, 5);
    if (info.namespaced) obj.metadata.namespace = ns ?? obj.metadata.namespace;
    const k = this.key(info, obj.metadata.namespace, obj.metadata.name!);
    if (this.objects.has(k)) throw errors.alreadyExists(info.group, info.resource, obj.metadata.name!);
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.set(k, obj);
    this.emit('ADDED', info, obj);
    return obj;
  }

  private update(info: ResourceInfo, ns: string | undefined, body: KubeObject, sub?: string): KubeObject {
    const k = this.key(info, ns, body.metadata.name!);
    const cur = this.objects.get(k);
    if (!cur) throw errors.notFound(info.group, info.resource, body.metadata.name!);
    if (body.metadata.resourceVersion && body.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw errors.conflict(info.group, info.resource, body.metadata.name!, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const obj: KubeObject = sub === 'status' ? { ...structuredClone(cur), status: structuredClone(body.status) } : structuredClone(body);
    obj.apiVersion = apiVersionOf(info);
    obj.kind = info.kind;
    obj.metadata = { ...obj.metadata, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp, namespace: cur.metadata.namespace, resourceVersion: String(++this.rv) };
    this.objects.set(k, obj);
    this.emit('MODIFIED', info, obj);
    return obj;
  }

  private delete(info: ResourceInfo, ns: string | undefined, name: string): KubeObject {
    const k = this.key(info, ns, name);
    const cur = this.objects.get(k);
    if (!cur) throw errors.notFound(info.group, info.resource, name);
    this.objects.delete(k);
    const obj = { ...cur, metadata: { ...cur.metadata, resourceVersion: String(++this.rv) } };
    this.emit('DELETED', info, obj);
    return obj;
  }

  private list(r: Route, q: URLSearchParams): { items: KubeObject[]; rv: number } {
    const prefix = `${apiVersionOf(r.info)}/${r.info.resource}|`;
    const sel = q.get('labelSelector') ? parseSelector(q.get('labelSelector')!) : undefined;
    const fm = fieldMatcher(q.get('fieldSelector'));
    const items: KubeObject[] = [];
    for (const [k, o] of this.objects) {
      if (!k.startsWith(prefix)) continue;
      if (r.namespace && o.metadata.namespace !== r.namespace) continue;
      if (sel && !matchesLabels(sel, o.metadata.labels)) continue;
      if (!fm(o)) continue;
      items.push(o);
    }
    items.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    return { items, rv: this.rv };
  }

  // ---- HTTP ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url!, 'http://x');
    const h2 = (req as unknown as http2.Http2ServerRequest).stream as http2.ServerHttp2Stream | undefined;
    const rec: RecordedRequest = {
      method: req.method!, path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString(),
      httpVersion: req.httpVersion, connection: this.connectionIds.get(req.socket.remotePort!) ?? 0,
    };
    const sock = req.socket as import('node:tls').TLSSocket;
    if (typeof sock.getPeerCertificate === 'function') rec.clientCN = (sock.getPeerCertificate().subject?.CN as string | undefined) || undefined;
    this.requests.push(rec);
    for (const w of this.warnings) res.appendHeader('Warning', `299 - ${JSON.stringify(w)}`);
    const fault = this.faults.find((f) => (f.times ?? 1) > 0 && f.match(rec));
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      if (fault.refuseStream && h2) { h2.close(http2.constants.NGHTTP2_REFUSED_STREAM); return; }
      if (fault.code === 0) { resetConnection(res); return; }
      const body = typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body ?? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'injected fault', reason: fault.code === 503 ? 'ServiceUnavailable' : fault.code === 429 ? 'TooManyRequests' : fault.code >= 500 ? 'InternalError' : 'BadRequest', code: fault.code });
      res.writeHead(fault.code, { 'content-type': typeof fault.body === 'string' ? 'text/plain' : 'application/json', ...fault.headers });
      res.end(body);
      return;
    }
    try {
      if (u.pathname === '/version') return this.json(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0' });
      const r = parsePath(u.pathname);
      if (!r) throw errors.notFound('', '', u.pathname);
      const body = rec.body ? JSON.parse(rec.body) : undefined;
      const q = u.searchParams;
      const ns = r.namespace;
      switch (req.method) {
        case 'GET':
          if (q.get('watch') === 'true') return this.watch(r, q, res);
          if (r.sub === 'log') return this.log(r, q, res);
          if (r.name === undefined) return this.json(res, 200, this.listResponse(r, q));
          return this.json(res, 200, this.getSub(r));
        case 'POST':
          if (r.sub === 'binding') return this.bind(r, body, res);
          if (r.sub === 'eviction') { this.delete(r.info, ns, r.name!); return this.json(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }); }
          return this.json(res, 201, this.create(r.info, ns, body));
        case 'PUT':
          if (r.sub === 'scale') return this.json(res, 200, this.putScale(r, body.spec.replicas));
          return this.json(res, 200, this.update(r.info, ns, { ...body, metadata: { ...body.metadata, name: r.name } }, r.sub));
        case 'PATCH': {
          const ct = req.headers['content-type'] ?? '';
          if (!/merge-patch|strategic-merge-patch|apply-patch/.test(ct)) throw errors.unsupportedMediaType(ct);
          if (r.sub === 'scale') return this.json(res, 200, this.putScale(r, body.spec.replicas));
          const k = this.key(r.info, ns, r.name!);
          const cur = this.objects.get(k);
          if (!cur) {
            if (ct.includes('apply-patch')) return this.json(res, 201, this.create(r.info, ns, { ...body, metadata: { ...body.metadata, name: r.name } }));
            throw errors.notFound(r.info.group, r.info.resource, r.name!);
          }
          const next = mergePatch(structuredClone(cur), body) as KubeObject;
          next.metadata.resourceVersion = cur.metadata.resourceVersion;
          return this.json(res, 200, this.update(r.info, ns, next));
        }
        case 'DELETE':
          if (r.name === undefined) {
            const { items } = this.list(r, q);
            for (const o of items) this.delete(r.info, o.metadata.namespace, o.metadata.name!);
            return this.json(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
          }
          return this.json(res, 200, this.delete(r.info, ns, r.name));
        default:
          throw errors.methodNotAllowed(`method ${req.method} not allowed`);
      }
    } catch (e) {
      if (e instanceof StatusError) return this.json(res, e.code, e.status);
      return this.json(res, 500, errors.internal(String(e)).status);
    }
  }

  private json(res: http.ServerResponse, code: number, body: unknown): void {
    const s = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
    res.end(s);
  }

  private listResponse(r: Route, q: URLSearchParams): unknown {
    let offset = 0;
    let rv: number;
    let items: KubeObject[];
    const cont = q.get('continue');
    if (cont) {
      const c = JSON.parse(Buffer.from(cont, 'base64').toString()) as { rv: number; offset: number; items: string[] };
      if (c.rv <= this.compactedRV) throw errors.gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      offset = c.offset;
      rv = c.rv;
      items = c.items.map((k) => this.objects.get(k)).filter((o): o is KubeObject => !!o);
    } else {
      const want = q.get('resourceVersion');
      if (want && want !== '0' && q.get('resourceVersionMatch') === 'Exact' && Number(want) <= this.compactedRV) {
        throw errors.gone(`too old resource version: ${want} (${this.rv})`);
      }
      ({ items, rv } = this.list(r, q));
    }
    const limit = Number(q.get('limit') ?? 0);
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    const meta: Record<string, unknown> = { resourceVersion: String(rv) };
    if (limit > 0 && offset + limit < items.length) {
      meta.continue = Buffer.from(JSON.stringify({ rv, offset: offset + limit, items: items.map((o) => this.key(r.info, o.metadata.namespace, o.metadata.name!)) })).toString('base64');
    }
    // Like the real server, items inside a List carry no apiVersion/kind.
    const bare = page.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    return { kind: r.info.listKind, apiVersion: apiVersionOf(r.info), metadata: meta, items: bare };
  }

  private getSub(r: Route): unknown {
    const o = this.objects.get(this.key(r.info, r.namespace, r.name!));
    if (!o) throw errors.notFound(r.info.group, r.info.resource, r.name!);
    if (r.sub === 'scale') return this.scaleOf(o);
    return o;
  }

  private scaleOf(o: KubeObject): unknown {
    const spec = (o.spec ?? {}) as { replicas?: number };
    const status = (o.status ?? {}) as { replicas?: number };
    return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: o.metadata.name, namespace: o.metadata.namespace, resourceVersion: o.metadata.resourceVersion }, spec: { replicas: spec.replicas ?? 1 }, status: { replicas: status.replicas ?? 0 } };
  }

  private putScale(r: Route, replicas: number): unknown {
    const cur = this.objects.get(this.key(r.info, r.namespace, r.name!));
    if (!cur) throw errors.notFound(r.info.group, r.info.resource, r.name!);
    const next = structuredClone(cur);
    next.spec = { ...(next.spec as object), replicas };
    return this.scaleOf(this.update(r.info, r.namespace, next));
  }

  private bind(r: Route, body: { target: { name: string } }, res: http.ServerResponse): void {
    const cur = this.objects.get(this.key(r.info, r.namespace, r.name!));
    if (!cur) throw errors.notFound(r.info.group, r.info.resource, r.name!);
    const next = structuredClone(cur);
    next.spec = { ...(next.spec as object), nodeName: body.target.name };
    this.update(r.info, r.namespace, next);
    this.json(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  private log(r: Route, q: URLSearchParams, res: http.ServerResponse): void {
    if (!this.objects.has(this.key(r.info, r.namespace, r.name!))) throw errors.notFound(r.info.group, r.info.resource, r.name!);
    let text = this.podLogs.get(`${r.namespace}/${r.name}`) ?? '';
    const tail = q.get('tailLines');
    if (tail) text = text.split('\n').filter(Boolean).slice(-Number(tail)).map((l) => l + '\n').join('');
    if (q.get('follow') !== 'true') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(text); return; }
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (const line of text.split('\n').filter(Boolean)) res.write(line + '\n');
  }

  private watch(r: Route, q: URLSearchParams, res: http.ServerResponse): void {
    const sel = q.get('labelSelector') ? parseSelector(q.get('labelSelector')!) : undefined;
    const fm = fieldMatcher(q.get('fieldSelector'));
    const w: WatchConn = {
      res, resource: `${apiVersionOf(r.info)}/${r.info.resource}`, namespace: r.namespace, info: r.info,
      match: (o) => (!sel || matchesLabels(sel, o.metadata.labels)) && fm(o), lastRV: this.rv,
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    const from = q.get('resourceVersion');
    if (from && from !== '0' && Number(from) < this.compactedRV) {
      res.end(JSON.stringify({ type: 'ERROR', object: errors.gone(`too old resource version: ${from} (${this.rv})`).status }) + '\n');
      return;
    }
    if (!from || from === '0') {
      for (const o of this.list(r, q).items) this.send(w, { rv: Number(o.metadata.resourceVersion), type: 'ADDED', obj: o, res: w.resource });
    } else {
      for (const ev of this.events) if (ev.rv > Number(from)) this.send(w, ev);
    }
    this.watches.add(w);
    const t = Number(q.get('timeoutSeconds') ?? 0);
    if (t > 0) w.timer = setTimeout(() => { this.watches.delete(w); res.end(); }, t * 1000);
    res.on('close', () => { clearTimeout(w.timer); this.watches.delete(w); });
  }
}
