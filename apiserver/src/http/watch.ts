// Watch streams: newline-delimited JSON events over a chunked 200 answer, with bookmarks and timeouts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KubeObject, StatusError } from '@k8ts/api';
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

export function serveWatch(req: FastifyRequest, reply: FastifyReply, store: ResourceStore, p: WatchParams, metrics?: Metrics): void {
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let firstTable = true;
  let closed = false;
  let lastRV = p.resourceVersion && p.resourceVersion !== '0' ? p.resourceVersion : String(store.cache.revision());
  const encode = (type: string, object: unknown) => JSON.stringify({ type, object }) + '\n';
  const asOutput = (o: KubeObject): unknown => {
    if (!p.table) return o;
    const t = toTable(store.info.kind, [o], { include: p.includeObject, resourceVersion: o.metadata.resourceVersion, noHeaders: !firstTable });
    firstTable = false;
    return t;
  };
  const send = (e: WatchEvent) => {
    if (closed) return;
    lastRV = e.object.metadata.resourceVersion ?? lastRV;
    if (!res.write(encode(e.type, asOutput(e.object)))) {
      // The client does not keep up; node buffers, the watch cache bounds what is pending per watcher.
    }
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    handle?.stop();
    clearInterval(bookmarks);
    clearTimeout(timer);
    metrics?.watchers.dec({ resource: store.info.resource });
    res.end();
  };
  const onError = (err: StatusError) => {
    if (closed) return;
    res.write(encode('ERROR', err.status));
    finish();
  };
  metrics?.watchers.inc({ resource: store.info.resource });
  let handle: { stop(): void } | undefined;
  try {
    handle = store.watch(p.namespace, { labelSelector: p.labelSelector, fieldSelector: p.fieldSelector, resourceVersion: p.resourceVersion }, send, onError);
  } catch (e) {
    onError(e as StatusError);
    return;
  }
  const bookmark = () => {
    if (closed) return;
    const rv = String(Math.max(Number(lastRV), store.cache.revision()));
    lastRV = rv;
    res.write(encode('BOOKMARK', { kind: store.info.kind, apiVersion: store.info.group ? `${store.info.group}/${store.info.version}` : store.info.version, metadata: { resourceVersion: rv } }));
  };
  const bookmarks = p.allowWatchBookmarks ? setInterval(bookmark, p.bookmarkIntervalMs ?? 10_000) : undefined;
  const timer = p.timeoutSeconds && p.timeoutSeconds > 0 ? setTimeout(() => { if (p.allowWatchBookmarks) bookmark(); finish(); }, p.timeoutSeconds * 1000) : undefined;
  req.raw.on('close', finish);
  res.on('close', finish);
  res.on('error', finish);
}
