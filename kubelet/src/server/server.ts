// The kubelet's HTTPS API (upstream pkg/kubelet/server): /healthz, /pods, /metrics, /containerLogs and
// /exec, /attach-less exec through the runtime's streaming server (the upgrade is proxied as is).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Logger } from '@k8ts/client';
import type { CriClient } from '../cri/client.ts';
import { containerHistory, getPodRuntimeState } from '../kuberuntime/runtime-state.ts';
import { streamLog, type LogOptions } from './logs.ts';
import type { ServingCert } from './tls.ts';

export interface KubeletServerOptions {
  address: string;
  port: number;
  cert: ServingCert;
  /** PEM CA for client certificates (--client-ca-file); without it clients are not asked for one. */
  clientCa?: string;
  cri: CriClient;
  pods: () => Pod[];
  /** Prometheus text exposition of the kubelet's metrics (/metrics). */
  metrics?: () => Promise<{ contentType: string; text: string }>;
  log: Logger;
}

export interface KubeletServer { server: Server; port: number; close(): Promise<void> }

function status(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent) { res.end(); return; }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message);
}

const boolParam = (v: string | null) => v === 'true' || v === '1';

export function logOptionsFromQuery(q: URLSearchParams, now = Date.now()): LogOptions {
  const o: LogOptions = { follow: boolParam(q.get('follow')), timestamps: boolParam(q.get('timestamps')) };
  if (q.get('tailLines') !== null) o.tailLines = Number(q.get('tailLines'));
  if (q.get('limitBytes') !== null) o.limitBytes = Number(q.get('limitBytes'));
  if (q.get('sinceSeconds') !== null) o.sinceMs = now - Number(q.get('sinceSeconds')) * 1000;
  if (q.get('sinceTime') !== null) o.sinceMs = Date.parse(q.get('sinceTime')!);
  return o;
}

export async function startKubeletServer(o: KubeletServerOptions): Promise<KubeletServer> {
  const findPod = (ns: string, name: string) => o.pods().find((p) => p.metadata?.namespace === ns && p.metadata?.name === name);

  async function containerFor(ns: string, podName: string, container: string, previous: boolean) {
    const pod = findPod(ns, podName);
    if (!pod) return { error: [404, `pod "${podName}" not found`] as const };
    const state = await getPodRuntimeState(o.cri, pod.metadata?.uid ?? '');
    const isInit = (pod.spec?.initContainers ?? []).some((c) => c.name === container);
    if (!isInit && !(pod.spec?.containers ?? []).some((c) => c.name === container)) {
      return { error: [400, `container ${container} is not valid for pod ${podName}`] as const };
    }
    const hist = containerHistory(state, container, isInit ? 'INIT' : 'CONTAINER');
    const c = previous ? hist[1] : hist[0];
    if (!c) {
      return { error: [400, previous
        ? `previous terminated container "${container}" in pod "${podName}" not found`
        : `container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`] as const };
    }
    return { c };
  }

  async function containerLogs(req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): Promise<void> {
    const [ns, podName, container] = parts.map(decodeURIComponent) as [string, string, string];
    const q = url.searchParams;
    const found = await containerFor(ns, podName, container, boolParam(q.get('previous')));
    if ('error' in found) { status(res, found.error![0], found.error![1]); return; }
    const c = found.c!;
    if (!c.logPath) { status(res, 404, `log file of container ${container} not found`); return; }
    const opts = logOptionsFromQuery(q);
    if (boolParam(q.get('previous'))) opts.follow = false;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    let closed = false;
    req.on('close', () => { closed = true; });
    try {
      await streamLog(c.logPath, opts, { write: (s) => res.write(s), closed: () => closed }, async () => {
        try { return (await o.cri.containerStatus(c.id)).status?.state === 'CONTAINER_RUNNING'; } catch { return false; }
      });
    } catch (err) {
      o.log.debug({ err: String(err) }, 'reading container log failed');
    }
    res.end();
  }

  const server = createServer({
    cert: o.cert.certPem, key: o.cert.keyPem,
    ca: o.clientCa, requestCert: !!o.clientCa, rejectUnauthorized: !!o.clientCa,
  }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean);
    void (async () => {
      if (req.method !== 'GET' && !(parts[0] === 'exec' && req.method === 'POST')) { status(res, 405, 'method not allowed'); return; }
      if (url.pathname === '/healthz') { status(res, 200, 'ok'); return; }
      if (url.pathname === '/pods' || url.pathname === '/pods/') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: o.pods() }));
        return;
      }
      if (url.pathname === '/metrics' && o.metrics) {
        const m = await o.metrics();
        res.writeHead(200, { 'Content-Type': m.contentType });
        res.end(m.text);
        return;
      }
      if (parts[0] === 'containerLogs' && parts.length === 4) { await containerLogs(req, res, url, parts.slice(1)); return; }
      if (parts[0] === 'exec') { status(res, 400, 'Upgrade request required'); return; }
      status(res, 404, '404 page not found');
    })().catch((err: unknown) => status(res, 500, String(err)));
  });

  // Exec: ask the runtime for a streaming URL, then hand the client's upgrade request to it.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    void (async () => {
      if (parts[0] !== 'exec' || parts.length !== 4) throw Object.assign(new Error('not found'), { code: 404 });
      const [, ns, podName, container] = parts as [string, string, string, string];
      const found = await containerFor(ns, podName, container, false);
      if ('error' in found) throw Object.assign(new Error(found.error![1]), { code: found.error![0] });
      const q = url.searchParams;
      const cmd = q.getAll('command');
      const streamUrl = new URL(await o.cri.exec({
        containerId: found.c!.id, cmd, tty: boolParam(q.get('tty')), stdin: boolParam(q.get('input')) || boolParam(q.get('stdin')),
        stdout: q.get('output') !== null ? boolParam(q.get('output')) : boolParam(q.get('stdout')),
        stderr: q.get('error') !== null ? boolParam(q.get('error')) : boolParam(q.get('stderr')),
      }));
      // containerd 1.6's streaming server speaks WebSocket v4.channel.k8s.io (and SPDY), not v5: a
      // client offering only v5 is offered v4 upstream and told v5 back (the frames are the same;
      // v5's stdin-close signal on channel 255 is dropped by a v4 server).
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
      const translateV5 = offered.includes('v5.channel.k8s.io') && !offered.includes('v4.channel.k8s.io');
      const upstream = connect(Number(streamUrl.port), streamUrl.hostname);
      upstream.once('connect', () => {
        const headers = Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : v === undefined ? [] : [`${k}: ${v}`]))
          .filter((l) => !/^host:/i.test(l))
          .map((l) => (translateV5 && /^sec-websocket-protocol:/i.test(l) ? 'sec-websocket-protocol: v4.channel.k8s.io' : l));
        upstream.write(`${req.method} ${streamUrl.pathname}${streamUrl.search} HTTP/1.1\r\nhost: ${streamUrl.host}\r\n${headers.join('\r\n')}\r\n\r\n`);
        if (head.length) upstream.write(head);
        socket.pipe(upstream);
        if (!translateV5) { upstream.pipe(socket); return; }
        let buf = Buffer.alloc(0);
        const onData = (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          upstream.off('data', onData);
          const headText = buf.subarray(0, end).toString().replace(/^(sec-websocket-protocol:\s*)v4\.channel\.k8s\.io/im, '$1v5.channel.k8s.io');
          socket.write(Buffer.concat([Buffer.from(headText), buf.subarray(end)]));
          upstream.pipe(socket);
        };
        upstream.on('data', onData);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    })().catch((err: { code?: number; message?: string }) => {
      const code = err.code && err.code >= 400 ? err.code : 500;
      socket.end(`HTTP/1.1 ${code} Error\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${err.message ?? String(err)}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.address, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  o.log.info({ address: o.address, port }, 'kubelet server listening');
  return {
    server, port,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
