// pods/log, pods/exec, pods/attach and pods/portforward: the API server proxies them to the kubelet of
// the pod's node (https://<InternalIP>:<kubelet port>), authenticating with its kubelet client certificate.
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { errors, StatusError, type KubeObject } from '@k8ts/api';
import type { Registry } from '../registry/index.ts';

export interface KubeletClientConfig {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Used when a Node does not publish status.daemonEndpoints.kubeletEndpoint.Port. */
  defaultPort: number;
}

/**
 * The kubelet's certificate must chain to the cluster CA; its names are not checked, as upstream does not
 * check them unless told to (kubelets may be reached by an address their certificate does not list).
 */
const skipHostname = () => undefined;

/** Where the kubelet of a node listens. */
export async function kubeletAddress(registry: Registry, nodeName: string, defaultPort: number): Promise<{ host: string; port: number }> {
  const node = (await registry.byResource('', 'nodes')!.get(undefined, nodeName).catch(() => undefined)) as Node | undefined;
  if (!node) throw errors.badRequest(`node "${nodeName}" not found`);
  const addr = node.status?.addresses?.find((a) => a.type === 'InternalIP') ?? node.status?.addresses?.[0];
  if (!addr) throw errors.serviceUnavailable(`node "${nodeName}" has no address`);
  return { host: addr.address, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port || defaultPort };
}

/** The container a request means: the named one, or the only one (else 400 as upstream). */
export function containerFor(pod: Pod, name: string | undefined): string {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  if (name) {
    if (!all.includes(name)) throw errors.badRequest(`container ${name} is not valid for pod ${pod.metadata?.name}`);
    return name;
  }
  const main = (pod.spec?.containers ?? []).map((c) => c.name);
  if (main.length === 1) return main[0];
  throw errors.badRequest(`a container name must be specified for pod ${pod.metadata?.name}, choose one of: [${main.join(' ')}]`);
}

/** The kubelet path and query for a pod subresource request. */
export function kubeletPath(pod: Pod, sub: string, query: Record<string, string | string[] | undefined>): string {
  const ns = encodeURIComponent(pod.metadata!.namespace!);
  const name = encodeURIComponent(pod.metadata!.name!);
  const q = new URLSearchParams();
  const one = (k: string) => { const v = query[k]; return Array.isArray(v) ? v[0] : v; };
  if (sub === 'log') {
    const c = containerFor(pod, one('container'));
    for (const k of ['follow', 'previous', 'timestamps', 'tailLines', 'sinceSeconds', 'sinceTime', 'limitBytes']) {
      const v = one(k);
      if (v !== undefined) q.set(k, v);
    }
    const s = q.toString();
    return `/containerLogs/${ns}/${name}/${encodeURIComponent(c)}${s ? '?' + s : ''}`;
  }
  if (sub === 'portforward') {
    for (const p of [query.ports ?? []].flat()) q.append('port', String(p));
    return `/portForward/${ns}/${name}?${q}`;
  }
  // exec and attach: the API's stdin/stdout/stderr/tty become the kubelet's input/output/error/tty.
  const c = containerFor(pod, one('container'));
  const map: Record<string, string> = { stdin: 'input', stdout: 'output', stderr: 'error', tty: 'tty' };
  for (const [k, kk] of Object.entries(map)) if (one(k) === 'true' || one(k) === '1') q.set(kk, '1');
  for (const cmd of [query.command ?? []].flat()) q.append('command', String(cmd));
  return `/${sub === 'exec' ? 'exec' : 'attach'}/${ns}/${name}/${encodeURIComponent(c)}?${q}`;
}

/** GET pods/log: streams the kubelet's answer as text/plain. */
export function makePodProxy(registry: Registry, kc: KubeletClientConfig) {
  return async (req: FastifyRequest, reply: FastifyReply, pod: Pod, sub: string): Promise<unknown> => {
    if (sub !== 'log' || req.method !== 'GET') {
      throw errors.badRequest(`${sub} requires a connection upgrade (WebSocket or SPDY)`);
    }
    const { host, port } = await kubeletAddress(registry, pod.spec!.nodeName!, kc.defaultPort);
    const path = kubeletPath(pod, sub, req.query as Record<string, string>);
    const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = httpsRequest({ host, port, path, method: 'GET', ca: kc.caPem, cert: kc.certPem, key: kc.keyPem, checkServerIdentity: skipHostname }, resolve);
      r.on('error', (e) => reject(errors.serviceUnavailable(`error dialing kubelet at ${host}:${port}: ${e.message}`)));
      req.raw.on('close', () => r.destroy());
      r.end();
    });
    reply.hijack();
    const headers: Record<string, string> = { 'Content-Type': (upstream.headers['content-type'] as string) ?? 'text/plain' };
    reply.raw.writeHead(upstream.statusCode ?? 502, headers);
    reply.raw.flushHeaders();
    upstream.pipe(reply.raw);
    req.raw.on('close', () => upstream.destroy());
    return reply;
  };
}

/**
 * Upgrade requests (exec, attach, portforward over WebSocket or SPDY) are tunnelled byte for byte to the
 * kubelet after authentication, so every streaming protocol the kubelet speaks works unchanged.
 */
export function makeUpgradeHandler(registry: Registry, kc: KubeletClientConfig, authenticated: (req: IncomingMessage) => boolean) {
  return async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const fail = (e: StatusError) => {
      const body = JSON.stringify(e.status);
      socket.end(`HTTP/1.1 ${e.code} ${e.reason || 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    try {
      if (!authenticated(req)) throw errors.unauthorized();
      const url = new URL(req.url ?? '/', 'https://x');
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/.exec(url.pathname);
      if (!m) throw errors.notFound('', '', url.pathname);
      const [, ns, name, sub] = m.map(decodeURIComponent);
      const pod = (await registry.byResource('', 'pods')!.get(ns, name)) as KubeObject as Pod;
      if (!pod.spec?.nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
      const query: Record<string, string | string[]> = {};
      for (const [k, v] of url.searchParams) query[k] = k in query ? [query[k]].flat().concat(v) : (k === 'command' || k === 'ports' ? [v] : v);
      const path = kubeletPath(pod, sub, query);
      const { host, port } = await kubeletAddress(registry, pod.spec.nodeName, kc.defaultPort);
      const up = tlsConnect({ host, port, ca: kc.caPem, cert: kc.certPem, key: kc.keyPem, checkServerIdentity: skipHostname });
      up.once('error', (e) => fail(errors.serviceUnavailable(`error dialing kubelet at ${host}:${port}: ${e.message}`)));
      up.once('secureConnect', () => {
        const lines = [`${req.method} ${path} HTTP/1.1`, `Host: ${host}:${port}`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const k = req.rawHeaders[i];
          if (/^(host|authorization)$/i.test(k)) continue;
          lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
        }
        up.write(lines.join('\r\n') + '\r\n\r\n');
        if (head.length) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
        socket.on('error', () => up.destroy());
        up.on('error', () => socket.destroy());
      });
    } catch (e) {
      fail(e instanceof StatusError ? e : errors.internal((e as Error).message));
    }
  };
}
