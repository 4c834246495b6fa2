import { describe, it, expect, beforeEach, afterEach, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clientset } from '../src/clientset.ts';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { StatusError } from '@k8ts/api/status.ts';
import { RestClient, encodeQuery, parseWarningHeader, errorFromResponse } from '../src/rest.ts';
import type { RestConfig } from '../src/kubeconfig.ts';
import { FakeApiServer } from './fake-apiserver.ts';
import { rejection, sleep } from './util.ts';

const cfg = (server: string): RestConfig => ({ server, insecureSkipTLSVerify: false, namespace: 'default', contextName: '' });

interface Pki { ca: Buffer; serverCert: Buffer; serverKey: Buffer; clientCert: Buffer; clientKey: Buffer }
let pkiDir: string;
let pki: Pki;
beforeAll(() => {
  pkiDir = mkdtempSync(join(tmpdir(), 'k8ts-client-tls-'));
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: pkiDir, stdio: 'pipe' });
  ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test-ca', '-days', '1');
  for (const [n, ext] of [['server', 'subjectAltName=IP:127.0.0.1'], ['client', 'extendedKeyUsage=clientAuth']]) {
    ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=${n}/O=system:masters`);
    writeFileSync(join(pkiDir, `${n}.ext`), ext + '\n');
    ossl('x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${n}.crt`, '-days', '1', '-extfile', `${n}.ext`);
  }
  const rd = (f: string) => readFileSync(join(pkiDir, f));
  pki = { ca: rd('ca.crt'), serverCert: rd('server.crt'), serverKey: rd('server.key'), clientCert: rd('client.crt'), clientKey: rd('client.key') };
});
afterAll(() => rmSync(pkiDir, { recursive: true, force: true }));

/** The fake over plain HTTP/1.1, and over TLS offering HTTP/2 (as the API server does). */
const transports: [string, (fake: FakeApiServer) => Promise<RestConfig>][] = [
  ['HTTP/1.1', async (fake) => cfg(await fake.start())],
  ['HTTP/2', async (fake) => ({ ...cfg(await fake.start({ key: pki.serverKey, cert: pki.serverCert }, { http2: true })), ca: pki.ca })],
];

describe.each(transports)('RestClient over %s', (protocol, start) => {
  let fake: FakeApiServer;
  let server: RestConfig;
  let rest: RestClient;
  const warnings: string[] = [];
  beforeEach(async () => {
    fake = new FakeApiServer();
    server = await start(fake);
    warnings.length = 0;
    rest = new RestClient({ ...server, token: 'abc' }, { backoffBaseMs: 5, warningHandler: (w) => warnings.push(w) });
  });
  afterEach(async () => { rest.close(); await fake.stop(); });

  it('speaks the protocol the server offers', async () => {
    await rest.request({ path: '/version' });
    expect(fake.requests[0].httpVersion).toBe(protocol === 'HTTP/2' ? '2.0' : '1.1');
  });

  it('sends JSON with a bearer token and parses JSON back', async () => {
    const pod = await rest.request<{ metadata: { name: string; resourceVersion: string } }>({
      method: 'POST', path: '/api/v1/namespaces/default/pods', body: { metadata: { name: 'p1' }, spec: { containers: [] } },
    });
    expect(pod.metadata.name).toBe('p1');
    const r = fake.requestsTo('POST', '/api/v1/namespaces/default/pods')[0];
    expect(r.headers.authorization).toBe('Bearer abc');
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body).metadata.name).toBe('p1');
  });

  it('throws StatusError carrying the server Status', async () => {
    const err = await rejection(rest.request({ path: '/api/v1/namespaces/default/pods/nope' }));
    expect(err).toBeInstanceOf(StatusError);
    expect(err.code).toBe(404);
    expect(err.reason).toBe('NotFound');
    expect(err.message).toBe('pods "nope" not found');
    expect(err.status.details?.name).toBe('nope');
  });

  it('synthesizes a Status for non-Status error bodies', async () => {
    fake.faults.push({ match: () => true, code: 403, body: 'go away' });
    const err = await rejection(rest.request({ path: '/api/v1/pods' }));
    expect(err).toBeInstanceOf(StatusError);
    expect(err.code).toBe(403);
    expect(err.reason).toBe('Forbidden');
    expect(err.status.details?.causes?.[0]).toEqual({ reason: 'UnexpectedServerResponse', message: 'go away' });
    expect(errorFromResponse(500, 'boom', 'text/plain').message).toBe('an error on the server ("boom") has prevented the request from succeeding');
    expect(errorFromResponse(418, '', undefined).message).toBe('the server responded with the status code 418 but did not return more information');
  });

  it('retries GET on 503 with backoff until it succeeds', async () => {
    fake.faults.push({ match: (r) => r.path === '/api/v1/pods', code: 503, times: 3 });
    const list = await rest.request<{ items: unknown[] }>({ path: '/api/v1/pods' });
    expect(list.items).toEqual([]);
    expect(fake.requestsTo('GET', '/api/v1/pods')).toHaveLength(4);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const r2 = new RestClient(server, { backoffBaseMs: 1, maxRetries: 2 });
    fake.faults.push({ match: () => true, code: 503, times: 10 });
    const err = await rejection(r2.request({ path: '/api/v1/pods' }));
    expect(err.code).toBe(503);
    expect(fake.requestsTo('GET', '/api/v1/pods')).toHaveLength(3);
    r2.close();
  });

  it('retries 429 for any verb and honours Retry-After', async () => {
    fake.faults.push({ match: (r) => r.method === 'POST', code: 429, headers: { 'retry-after': '1' }, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 429, reason: 'TooManyRequests', message: 'slow down' } });
    const t0 = Date.now();
    await rest.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: { metadata: { name: 'p2' } } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(fake.requestsTo('POST', '/api/v1/namespaces/default/pods')).toHaveLength(2);
  });

  it('does not retry a POST on 500 unless asked to', async () => {
    fake.faults.push({ match: (r) => r.method === 'POST', code: 500, times: 1 });
    const err = await rejection(rest.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: { metadata: { name: 'p3' } } }));
    expect(err.code).toBe(500);
    expect(fake.requestsTo('POST', '/api/v1/namespaces/default/pods')).toHaveLength(1);
    fake.faults.push({ match: (r) => r.method === 'POST', code: 500, times: 1 });
    await rest.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: { metadata: { name: 'p3' } }, retry: true });
    expect(fake.requestsTo('POST', '/api/v1/namespaces/default/pods')).toHaveLength(3);
  });

  it('retries GET when the connection is reset, and not a POST that may have been processed', async () => {
    fake.faults.push({ match: (r) => r.method === 'GET', code: 0, times: 2 });
    const list = await rest.request<{ kind: string }>({ path: '/api/v1/pods' });
    expect(list.kind).toBe('PodList');
    expect(fake.requestsTo('GET', '/api/v1/pods')).toHaveLength(3);
    fake.faults.push({ match: (r) => r.method === 'POST', code: 0 });
    const err = await rejection(rest.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: { metadata: { name: 'p4' } } }));
    expect((err as unknown as NodeJS.ErrnoException).code).toMatch(/ECONNRESET|ERR_HTTP2/);
    expect(fake.requestsTo('POST', '/api/v1/namespaces/default/pods')).toHaveLength(1);
    // The client goes on over a new connection.
    expect((await rest.request<{ kind: string }>({ path: '/api/v1/pods' })).kind).toBe('PodList');
  });

  it('hands Warning headers to the handler', async () => {
    fake.warnings.push('spec.foo is deprecated', 'another "quoted" one');
    await rest.request({ path: '/api/v1/pods' });
    expect(warnings).toEqual(['spec.foo is deprecated', 'another "quoted" one']);
    expect(parseWarningHeader('299 - "a, b", 299 - "c"')).toEqual(['a, b', 'c']);
  });

  it('many open watches never starve ordinary requests', async () => {
    const r2 = new RestClient(server, { maxConnections: 4 });
    const streams = await Promise.all(Array.from({ length: 10 }, () => r2.stream({ path: '/api/v1/pods', query: { watch: 'true' } })));
    expect(fake.activeWatches()).toBe(10);
    const list = await r2.request<{ kind: string }>({ path: '/api/v1/pods', timeoutMs: 2000 });
    expect(list.kind).toBe('PodList');
    for (const s of streams) s.close();
    r2.close();
  });

  it('streams lines and ends quietly when aborted', async () => {
    const ctl = new AbortController();
    const s = await rest.stream({ path: '/api/v1/pods', query: { watch: 'true' }, signal: ctl.signal });
    const got: string[] = [];
    const done = (async () => { for await (const line of s) { got.push(line); if (got.length === 2) ctl.abort(); } })();
    await rest.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: { metadata: { name: 'a' } } });
    await rest.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: { metadata: { name: 'b' } } });
    await done; // resolves, does not throw
    expect(got.map((l) => JSON.parse(l).object.metadata.name)).toEqual(['a', 'b']);
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.activeWatches()).toBe(0);
  });

  it('stream throws when the connection breaks mid-stream, without yielding the partial line', async () => {
    const s = await rest.stream({ path: '/api/v1/pods', query: { watch: 'true' } });
    const got: string[] = [];
    const done = (async () => { for await (const line of s) got.push(line); })();
    await rest.request({ method: 'POST', path: '/api/v1/namespaces/default/pods', body: { metadata: { name: 'a' } } });
    await new Promise((r) => setTimeout(r, 20));
    fake.breakWatches();
    await expect(done).rejects.toThrow();
    expect(got).toHaveLength(1);
  });

  it('stream throws StatusError when the server refuses', async () => {
    const err = await rejection(rest.stream({ path: '/api/v1/nothing' }));
    expect(err).toBeInstanceOf(StatusError);
    expect(err.code).toBe(404);
  });

  it('reads and follows pod logs', async () => {
    const cs = new Clientset(server);
    await cs.pods('ns').create({ metadata: { name: 'p' } });
    fake.podLogs.set('ns/p', 'one\ntwo\nthree\n');
    expect(await cs.pods('ns').logs('p', { tailLines: 2, container: 'c' })).toBe('two\nthree\n');
    const q = fake.requestsTo('GET', '/api/v1/namespaces/ns/pods/p/log')[0];
    expect(q.query.get('container')).toBe('c');
    expect(q.headers.accept).toBe('text/plain');
    const s = await cs.pods('ns').streamLogs('p');
    let text = '';
    for await (const chunk of s) { text += chunk; if (text.endsWith('three\n')) s.close(); }
    expect(text).toBe('one\ntwo\nthree\n');
    cs.close();
  });
});

describe('RestClient with its own HTTP/1.1 servers', () => {
  it('encodes queries, skipping empty values', () => {
    expect(encodeQuery({ a: 'x=y', b: undefined, c: 3, d: true, e: '' })).toBe('?a=x%3Dy&c=3&d=true');
    expect(encodeQuery(undefined)).toBe('');
  });

  it('retries when the server is not listening yet (connection refused)', async () => {
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const r2 = new RestClient(cfg(`http://127.0.0.1:${port}`), { backoffBaseMs: 40, maxRetries: 6 });
    setTimeout(() => { srv.on('request', (_q, s) => { s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"ok":true}'); }); srv.listen(port, '127.0.0.1'); }, 100);
    expect(await r2.request({ method: 'POST', path: '/x', body: {} })).toEqual({ ok: true });
    r2.close();
    await new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); });
  });

  it('reuses keep-alive connections', async () => {
    const sockets = new Set<unknown>();
    const srv = http.createServer((q, s) => { sockets.add(q.socket); s.writeHead(200, { 'content-type': 'application/json' }); s.end('{}'); });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const r2 = new RestClient(cfg(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`));
    for (let i = 0; i < 20; i++) await r2.request({ path: '/x' });
    expect(sockets.size).toBe(1);
    r2.close();
    await new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); });
  });

  it('closes an idle connection before the server said it would (Keep-Alive: timeout=N)', async () => {
    // The server itself would keep it a minute: only the client can have closed it.
    const closed: Promise<void>[] = [];
    const srv = http.createServer({ keepAliveTimeout: 60_000 }, (q, s) => {
      s.writeHead(200, { 'content-type': 'application/json', 'keep-alive': 'timeout=2' });
      s.end('{}');
    });
    srv.on('connection', (sock) => closed.push(new Promise((r) => sock.once('end', () => r()))));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const r2 = new RestClient(cfg(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`));
    await r2.request({ path: '/x' });
    expect(closed).toHaveLength(1);
    await closed[0];
    // A later request opens a new connection.
    await r2.request({ path: '/y' });
    expect(closed).toHaveLength(2);
    r2.close();
    await new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); });
  });


  it('holds requests beyond its connections in order, and a queued request times out on time', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    const srv = http.createServer((q, s) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      seen.push(q.url!);
      const slow = q.url === '/slow';
      setTimeout(() => { inFlight--; s.writeHead(200, { 'content-type': 'application/json' }); s.end('{}'); }, slow ? 300 : 5);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const r2 = new RestClient(cfg(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`), { maxConnections: 2 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => r2.request({ path: `/r${i}` })));
    expect(peak).toBe(2);
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `/r${i}`));
    // Both connections busy for 300 ms: a request with a 50 ms timeout gives up while still queued ...
    const slow = [r2.request({ path: '/slow' }), r2.request({ path: '/slow' })];
    const t0 = performance.now();
    const err = await rejection(r2.request({ path: '/queued', timeoutMs: 50, retry: false }));
    expect(err.name).toBe('TimeoutError');
    expect(performance.now() - t0).toBeLessThan(250);
    await Promise.all(slow);
    // ... and its place is given back: requests still go through on both connections.
    await Promise.all([r2.request({ path: '/a' }), r2.request({ path: '/b' })]);
    expect(seen).not.toContain('/queued');
    r2.close();
    await new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); });
  });
});

describe('RestClient over TLS', () => {
  let fake: FakeApiServer;
  beforeAll(async () => {
    fake = new FakeApiServer();
    await fake.start({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true });
  });
  afterAll(async () => { await fake.stop(); });

  it('verifies the server against the CA and presents the client certificate', async () => {
    const rest = new RestClient({ ...cfg(fake.url), ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, token: 't' });
    const list = await rest.request<{ kind: string }>({ path: '/api/v1/pods' });
    expect(list.kind).toBe('PodList');
    const r = fake.requestsTo('GET', '/api/v1/pods').at(-1)!;
    expect(r.clientCN).toBe('client');
    expect(r.headers.authorization).toBe('Bearer t');
    const anon = new RestClient({ ...cfg(fake.url), ca: pki.ca });
    await anon.request({ path: '/api/v1/nodes' });
    expect(fake.requestsTo('GET', '/api/v1/nodes').at(-1)!.clientCN).toBeUndefined();
    rest.close();
    anon.close();
  });

  it('gives up on a server that accepts the connection and never answers the TLS handshake', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = createNetServer((sock) => { sockets.add(sock); sock.on('error', () => {}); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      for (const http2 of [true, false]) {
        const rest = new RestClient({ ...cfg(url), ca: pki.ca }, { maxRetries: 0, tlsHandshakeTimeoutMs: 300, http2 });
        const err = await rejection(rest.request({ path: '/version' })) as unknown as NodeJS.ErrnoException;
        expect({ http2, code: err.code, message: err.message }).toEqual({ http2, code: 'ERR_TLS_HANDSHAKE_TIMEOUT', message: 'the TLS handshake did not finish within 300 ms' });
        rest.close();
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('rejects an unknown CA unless insecure-skip-tls-verify is set', async () => {
    const strict = new RestClient(cfg(fake.url), { maxRetries: 0 });
    await expect(strict.request({ path: '/version' })).rejects.toThrow(/self.signed|unable to verify|certificate/i);
    strict.close();
    const insecure = new RestClient({ ...cfg(fake.url), insecureSkipTLSVerify: true });
    expect(await insecure.request<{ minor: string }>({ path: '/version' })).toMatchObject({ minor: '32' });
    insecure.close();
  });
});

describe('RestClient client-side rate limit', () => {
  let fake: FakeApiServer;
  beforeAll(async () => { fake = new FakeApiServer(); await fake.start(); });
  afterAll(async () => { await fake.stop(); });

  it('spaces requests beyond the burst at 1/qps', async () => {
    const rest = new RestClient({ ...cfg(fake.url), qps: 50, burst: 2 });
    const t0 = performance.now();
    for (let i = 0; i < 6; i++) await rest.request({ path: '/version' });
    // 2 free, then 4 more at 20 ms each.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(70);
    rest.close();
  });
});

describe('The RestClient HTTP/2 connection', () => {
  let fake: FakeApiServer;
  let server: RestConfig;
  beforeEach(async () => {
    fake = new FakeApiServer();
    server = { ...cfg(await fake.start({ key: pki.serverKey, cert: pki.serverCert }, { http2: true })), ca: pki.ca };
  });
  afterEach(async () => { await fake.stop(); });
  const pods = '/api/v1/namespaces/default/pods';
  const create = (rest: RestClient, name: string) => rest.request({ method: 'POST', path: pods, body: { metadata: { name } } });

  it('carries every request and watch of a client on one connection', async () => {
    const rest = new RestClient(server);
    const watches = await Promise.all(Array.from({ length: 5 }, () => rest.stream({ path: '/api/v1/pods', query: { watch: 'true' } })));
    await Promise.all(Array.from({ length: 100 }, (_, i) => create(rest, `p${i}`)));
    for (const w of watches) {
      let n = 0;
      for await (const _ of w) if (++n === 100) break;
      expect(n).toBe(100);
    }
    expect(fake.connections).toBe(1);
    expect(new Set(fake.requests.map((r) => `${r.httpVersion} ${r.connection}`))).toEqual(new Set(['2.0 1']));
    rest.close();
  });

  it('speaks HTTP/1.1 to a server that does not take HTTP/2, and sends each request once', async () => {
    const h1 = new FakeApiServer();
    const rest = new RestClient({ ...cfg(await h1.start({ key: pki.serverKey, cert: pki.serverCert })), ca: pki.ca }, { maxRetries: 0 });
    // Sent at once, before the client knows: all three go over the refused HTTP/2 connection, then again over HTTP/1.1.
    await Promise.all(['a', 'b', 'c'].map((n) => create(rest, n)));
    await create(rest, 'd');
    expect(h1.requests.map((r) => `${r.httpVersion} ${r.method} ${r.path}`)).toEqual(Array(4).fill(`1.1 POST ${pods}`));
    expect([...h1.objects.keys()].length).toBe(4);
    rest.close();
    await h1.stop();
  });

  it('sends again a request whose stream the server refused, whatever the verb', async () => {
    const rest = new RestClient(server, { backoffBaseMs: 5 });
    fake.faults.push({ match: (r) => r.method === 'POST', code: 0, refuseStream: true, times: 2 });
    await create(rest, 'x');
    expect(fake.requestsTo('POST', pods)).toHaveLength(3);
    expect(fake.objects.size).toBe(1);
    rest.close();
  });

  it('after GOAWAY opens a new connection, while open watches finish on the old one', async () => {
    const rest = new RestClient(server);
    const watch = await rest.stream({ path: '/api/v1/pods', query: { watch: 'true' } });
    await create(rest, 'before');
    fake.goAway();
    await sleep(20);
    await create(rest, 'after');
    expect(fake.requestsTo('POST', pods).map((r) => r.connection)).toEqual([1, 2]);
    const names: string[] = [];
    for await (const line of watch) if (names.push(JSON.parse(line).object.metadata.name) === 2) break;
    expect(names).toEqual(['before', 'after']);
    rest.close();
  });

  it('fails with the connection\'s own error when it cannot connect (ECONNREFUSED, as kubectl reports it)', async () => {
    await fake.stop();
    const rest = new RestClient(server, { maxRetries: 0 });
    // Node cancels the streams of a connection that failed: the cancel is not what the caller needs to see.
    const err = await rejection(create(rest, 'nowhere')) as unknown as NodeJS.ErrnoException;
    expect({ code: err.code, message: err.message }).toEqual({ code: 'ECONNREFUSED', message: `connect ECONNREFUSED ${new URL(fake.url).host}` });
    rest.close();
  });

  it('sends a POST again when the server was down (the connection never came up)', async () => {
    const port = Number(new URL(fake.url).port);
    await fake.stop();
    const rest = new RestClient(server, { backoffBaseMs: 40, maxRetries: 6 });
    const created = create(rest, 'late');
    await sleep(100);
    fake = new FakeApiServer();
    await fake.start({ key: pki.serverKey, cert: pki.serverCert }, { http2: true, port });
    await created;
    expect(fake.requestsTo('POST', pods)).toHaveLength(1);
    rest.close();
  });

  it('reads whole answers whose streams closed before it read them (many at once, from a server in another process)', async () => {
    // Node marks an HTTP/2 stream closed once both ends have sent END_STREAM, though its data may still wait to be read;
    // a reader that starts after that (an async iterator) took it for a premature close. Answers that arrive together,
    // from another process under load, hit it: 936 of 5,000 creates failed so in one run of this test before the fix.
    const script = `const http2 = require('node:http2'); const fs = require('node:fs');
      const srv = http2.createSecureServer({ key: fs.readFileSync(${JSON.stringify(join(pkiDir, 'server.key'))}), cert: fs.readFileSync(${JSON.stringify(join(pkiDir, 'server.crt'))}) },
        (req, res) => { req.resume(); req.on('end', () => {
          if (req.url === '/watch') { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"type":"ADDED"}\\n'.repeat(3)); return; }
          res.writeHead(201, { 'content-type': 'application/json' }); res.end(JSON.stringify({ kind: 'Pod', pad: 'x'.repeat(1500) })); }); });
      srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve, reject) => { child.stdout.once('data', (d) => resolve(Number(String(d)))); child.once('exit', reject); });
      const rest = new RestClient({ ...cfg(`https://127.0.0.1:${port}`), ca: pki.ca }, { maxRetries: 0, maxConnections: 128 });
      const failures: string[] = [];
      let next = 0;
      await Promise.all(Array.from({ length: 64 }, async () => {
        for (let i = next++; i < 5000; i = next++) {
          await rest.request({ method: 'POST', path: '/x', body: { pad: 'y'.repeat(800) } }).catch((e: Error) => { failures.push(e.message); });
        }
      }));
      // Streams under the same load (a watch the server ends at once): all their lines, and a clean end.
      next = 0;
      await Promise.all(Array.from({ length: 64 }, async () => {
        for (let i = next++; i < 2000; i = next++) {
          try {
            const lines: string[] = [];
            for await (const line of await rest.stream({ path: '/watch' })) lines.push(line);
            if (lines.length !== 3) failures.push(`${lines.length} lines`);
          } catch (e) {
            failures.push((e as Error).message);
          }
        }
      }));
      rest.close();
      expect(failures).toEqual([]);
    } finally {
      child.kill();
    }
  });

  it('does not keep the process alive while idle', async () => {
    // A script that makes one request and then leaves the client open: it must exit by itself.
    const script = `import { RestClient } from ${JSON.stringify(new URL('../src/rest.ts', import.meta.url).pathname)};
      const rest = new RestClient({ server: ${JSON.stringify(server.server)}, ca: ${JSON.stringify(pki.ca.toString())}, insecureSkipTLSVerify: false, namespace: 'default', contextName: '' });
      const v = await rest.request({ path: '/version' });
      console.log(v.minor);`;
    // Asynchronously: the fake answering it runs in this process.
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000, encoding: 'utf8' });
    expect(stdout.trim()).toBe('32');
    expect(fake.requests.at(-1)?.httpVersion).toBe('2.0');
  });
});
