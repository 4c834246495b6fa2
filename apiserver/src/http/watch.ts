// Watch streams: newline-delimited JSON events over a chunked 200 answer, with bookmarks and timeouts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StatusError as StatusErrorClass, type KubeObject, type StatusError } from '@k8ts/api';
import type { CacheWatchHandle } from '../storage/watch-cache.ts';
import type { ResourceStore, WatchEvent } from '../registry/store.ts';
import { toTable, type IncludeObject } from './table.ts';
import type { Metrics } from './metrics.ts';

export interface WatchParams {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks: boolean;
  timeoutSeconds?: number;
  table: boolean;
  includeObject?: IncludeObject;
  bookmarkIntervalMs?: number;
}

/** Events gathered into one socket write at most (the rest go in the next write). */
const MAX_LINES_PER_WRITE = 256;

// The JSON of each (shared, frozen) cache object, computed once for all the watchers that send it.
const serialized = new WeakMap<object, string>();
function objectJSON(o: object): string {
  let s = serialized.get(o);
  if (s === undefined) {
    s = JSON.stringify(o);
    serialized.set(o, s);
  }
  return s;
}

export function serveWatch(req: FastifyRequest, reply: FastifyReply, store: ResourceStore, p: WatchParams, metrics?: Metrics): void {
  const res = reply.raw;
  reply.hijack();
  // No Content-Length: HTTP/1.1 sends it chunked, HTTP/2 as DATA frames (where Transfer-Encoding is not allowed).
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let firstTable = true;
  let closed = false;
  let bookmarks: ReturnType<typeof setInterval> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const encode = (type: string, object: unknown) => `{"type":"${type}","object":${JSON.stringify(object)}}\n`;
  const encodeEvent = (e: WatchEvent) => p.table ? encode(e.type, asOutput(e.object)) : `{"type":"${e.type}","object":${objectJSON(e.object)}}\n`;
  const asOutput = (o: Readonly<KubeObject>): unknown => {
    if (!p.table) return o;
    const t = toTable(store.info.kind, [o as KubeObject], { include: p.includeObject, resourceVersion: o.metadata.resourceVersion, noHeaders: !firstTable });
    firstTable = false;
    return t;
  };
  // Lines are gathered and written once per turn of the event loop: a socket write (a TLS record, a system call)
  // per event per watcher would cost more than everything else at a few hundred events/s and 100 watchers.
  let pending: string[] = [];
  let flushScheduled = false;
  let draining: Promise<void> | undefined;
  const flush = () => {
    flushScheduled = false;
    if (closed || pending.length === 0) return;
    const chunk = pending.length === 1 ? pending[0] : pending.join('');
    pending = [];
    if (!res.write(chunk)) {
      draining = new Promise<void>((resolve) => {
        const done = () => { draining = undefined; resolve(); };
        res.once('drain', done);
        res.once('close', done);
      });
    }
  };
  // Resolves only when the socket wants no more for now (backpressure): the watcher then waits before sending on.
  const write = (line: string): void | Promise<void> => {
    if (closed) return;
    pending.push(line);
    if (pending.length >= MAX_LINES_PER_WRITE) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
    return draining;
  };
  const finish = () => {
    if (closed) return;
    flush();
    closed = true;
    handle?.stop();
    clearInterval(bookmarks);
    clearTimeout(timer);
    metrics?.watchers.dec({ resource: store.info.resource });
    res.end();
  };
  metrics?.watchers.inc({ resource: store.info.resource });
  let handle: CacheWatchHandle | undefined;
  try {
    handle = store.watch(p.namespace, { labelSelector: p.labelSelector, fieldSelector: p.fieldSelector, resourceVersion: p.resourceVersion }, {
      send: (e: WatchEvent) => write(encodeEvent(e)),
      bookmark: (rv: number) => write(encode('BOOKMARK', {
        kind: store.info.kind,
        apiVersion: store.info.group ? `${store.info.group}/${store.info.version}` : store.info.version,
        metadata: { resourceVersion: String(rv) },
      })),
      error: (err: StatusError) => { void write(encode('ERROR', err.status)); finish(); },
      end: finish,
    });
  } catch (e) {
    if (!(e instanceof StatusErrorClass)) throw e;
    void write(encode('ERROR', e.status));
    finish();
    return;
  }
  bookmarks = p.allowWatchBookmarks ? setInterval(() => handle?.requestBookmark(), p.bookmarkIntervalMs ?? 10_000) : undefined;
  timer = p.timeoutSeconds && p.timeoutSeconds > 0 ? setTimeout(finish, p.timeoutSeconds * 1000) : undefined;
  req.raw.on('close', finish);
  res.on('close', finish);
  res.on('error', finish);
}
