// Test harness: a real etcd and the API server over HTTPS, an admin identity, and a raw HTTPS helper.
import { request as httpsRequest, Agent } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startEtcd, type Etcd } from '@k8ts/cluster/etcd.ts';
import { startApiServer, defaultApiServerOptions, type RunningApiServer } from '../src/app.ts';
import { issueClientCert } from '../src/pki/index.ts';

export interface Response { status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }

export interface TestServer {
  api: RunningApiServer;
  etcd?: Etcd;
  url: string;
  dir: string;
  kubeconfig: string;
  req(method: string, path: string, o?: { body?: unknown; contentType?: string; accept?: string; anonymous?: boolean; raw?: string }): Promise<Response>;
  /** Reads a watch stream line by line until the server ends it or the signal aborts. */
  watch(path: string, onEvent: (e: any) => void, signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestServer(o: { storage?: 'etcd' | 'memory'; bookmarkIntervalMs?: number; watchCacheCapacity?: number } = {}): Promise<TestServer> {
  const etcd = o.storage === 'memory' ? undefined : await startEtcd();
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-apiserver-'));
  let api: RunningApiServer;
  try {
    api = await startApiServer({
      ...defaultApiServerOptions,
      etcdServers: etcd ? [etcd.endpoint] : [],
      securePort: 0,
      certDir: join(dir, 'pki'),
      bookmarkIntervalMs: o.bookmarkIntervalMs,
      watchCacheCapacity: o.watchCacheCapacity,
    });
  } catch (e) {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const admin = await issueClientCert(api.ca, { user: 'kubernetes-admin', groups: ['system:masters'] });
  const kubeconfig = join(dir, 'admin.kubeconfig');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  writeFileSync(kubeconfig, stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: 'k8ts', cluster: { server: api.url, 'certificate-authority-data': b64(api.ca.certPem) } }],
    users: [{ name: 'admin', user: { 'client-certificate-data': b64(admin.certPem), 'client-key-data': b64(admin.keyPem) } }],
    contexts: [{ name: 'k8ts', context: { cluster: 'k8ts', user: 'admin', namespace: 'default' } }],
    'current-context': 'k8ts',
  }), { mode: 0o600 });
  // The timeout makes Node's agent heed the server's Keep-Alive: timeout=N and close an idle connection first.
  const agent = new Agent({ ca: api.ca.certPem, cert: admin.certPem, key: admin.keyPem, keepAlive: true, timeout: 90_000 });
  const anonAgent = new Agent({ ca: api.ca.certPem, keepAlive: false });
  const req: TestServer['req'] = (method, path, ro = {}) => new Promise((resolve, reject) => {
    const data = ro.raw ?? (ro.body === undefined ? undefined : JSON.stringify(ro.body));
    const headers: Record<string, string> = { Accept: ro.accept ?? 'application/json' };
    if (data !== undefined) {
      headers['Content-Type'] = ro.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(data));
    }
    const r = httpsRequest(new URL(path, api.url), { method, agent: ro.anonymous ? anonAgent : agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    r.on('error', reject);
    if (data !== undefined) r.write(data);
    r.end();
  });
  const watch: TestServer['watch'] = (path, onEvent, signal) => new Promise((resolve, reject) => {
    const r = httpsRequest(new URL(path, api.url), { method: 'GET', agent, headers: { Accept: 'application/json' }, signal }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) onEvent(JSON.parse(line));
        }
      });
      res.on('end', () => resolve());
      res.on('close', () => resolve());
    });
    r.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
    r.end();
  });
  // Stopping happens once, and etcd and the directory go even when the API server hangs on its way down (a test
  // would time out and leave them behind otherwise): the hang is reported as the stop's error.
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    agent.destroy();
    anonAgent.destroy();
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      api.stop().then(() => true),
      new Promise<boolean>((r) => { timer = setTimeout(() => r(false), 15_000); }),
    ]);
    clearTimeout(timer);
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (!stopped) throw new Error('the API server did not stop within 15 s (etcd and its directory were removed anyway)');
  };
  return {
    api, etcd, url: api.url, dir, kubeconfig, req, watch,
    stop: () => (stopping ??= stop()),
  };
}
