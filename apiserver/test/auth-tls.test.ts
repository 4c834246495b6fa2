// Real TLS: a Node https server and a fastify server with the auth plugin, both requesting client
// certificates signed by the cluster CA.
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CA, KeyPairPem } from '../src/pki/index.ts';
import { createCA, issueClientCert, issueServingCert, tlsServerOptions } from '../src/pki/index.ts';
import type { TokenTable, UserInfo } from '../src/auth/index.ts';
import { authenticate, authPlugin } from '../src/auth/index.ts';

let ca: CA;
let otherCA: CA;
let serving: KeyPairPem;
let admin: KeyPairPem;
let stranger: KeyPairPem;
const tokens: TokenTable = new Map([['s3cret', { name: 'system:kube-proxy-token', uid: '9', groups: ['proxies'] }]]);

beforeAll(async () => {
  [ca, otherCA] = await Promise.all([createCA(), createCA()]);
  [serving, admin, stranger] = await Promise.all([
    issueServingCert(ca, { hosts: [], ips: [] }),
    issueClientCert(ca, { user: 'kubernetes-admin', groups: ['system:masters', 'admins'] }),
    issueClientCert(otherCA, { user: 'mallory', groups: ['system:masters'] }),
  ]);
});

interface Reply { status: number; body: string; headers: Record<string, unknown> }

function request(port: number, path: string, opts: { client?: KeyPairPem; token?: string; servername?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1', port, path, method: 'GET', ca: ca.certPem, servername: opts.servername ?? 'kubernetes.default.svc',
        cert: opts.client?.certPem, key: opts.client?.keyPem, agent: false,
        headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('node https server with requestCert', () => {
  let server: https.Server;
  let port: number;
  beforeAll(async () => {
    server = https.createServer(tlsServerOptions({ caPem: ca.certPem, ...serving }), (req, res) => {
      const result = authenticate(req, { tokens });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('verifies the serving certificate for the in-cluster name and reads user and groups from a client certificate', async () => {
    const r = await request(port, '/', { client: admin });
    expect(JSON.parse(r.body)).toEqual({ user: { name: 'kubernetes-admin', groups: ['system:masters', 'admins', 'system:authenticated'] } });
  });

  it('does not trust a certificate from another CA', async () => {
    const r = await request(port, '/', { client: stranger });
    expect(JSON.parse(r.body).user).toBeUndefined();
    expect(JSON.parse(r.body).error).toMatch(/verifying client certificate failed/);
  });

  it('lets clients without a certificate in and authenticates their bearer token', async () => {
    expect(JSON.parse((await request(port, '/')).body)).toEqual({});
    expect(JSON.parse((await request(port, '/', { token: 's3cret' })).body).user).toEqual({
      name: 'system:kube-proxy-token', uid: '9', groups: ['proxies', 'system:authenticated'],
    });
  });

  it('serves a certificate the client rejects for a name it does not carry', async () => {
    await expect(request(port, '/', { servername: 'evil.example' })).rejects.toThrow(/altnames|does not match/i);
  });
});

describe('fastify with authPlugin', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = Fastify({ https: tlsServerOptions({ caPem: ca.certPem, ...serving }) });
    await app.register(authPlugin, {
      tokens,
      authorizer: (user, attrs) =>
        user.name === 'system:kube-proxy-token' && attrs.resource === 'secrets'
          ? { allowed: false, reason: 'proxies may not read secrets' }
          : { allowed: true },
    });
    const whoami = async (req: { user: UserInfo }) => req.user;
    app.get('/healthz', async () => 'ok');
    app.get('/api', whoami);
    app.get('/api/v1/namespaces/:ns/pods', whoami);
    app.get('/api/v1/namespaces/:ns/secrets', whoami);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
  });

  const unauthorized = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

  it('answers 401 to anonymous /api and 200 to /healthz', async () => {
    const r = await request(port, '/api');
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(r.body)).toEqual(unauthorized);
    const h = await request(port, '/healthz');
    expect(h.status).toBe(200);
    expect(h.body).toBe('ok');
  });

  it('answers 401 to unknown paths and to bad credentials, even on /healthz', async () => {
    expect((await request(port, '/no/such/path')).status).toBe(401);
    const bad = await request(port, '/healthz', { token: 'wrong' });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body)).toEqual(unauthorized);
    expect((await request(port, '/api', { client: stranger })).status).toBe(401);
  });

  it('authenticates client certificates and bearer tokens', async () => {
    const byCert = await request(port, '/api', { client: admin });
    expect(byCert.status).toBe(200);
    expect(JSON.parse(byCert.body)).toEqual({ name: 'kubernetes-admin', groups: ['system:masters', 'admins', 'system:authenticated'] });
    const byToken = await request(port, '/api/v1/namespaces/default/pods', { token: 's3cret' });
    expect(byToken.status).toBe(200);
    expect(JSON.parse(byToken.body).name).toBe('system:kube-proxy-token');
  });

  it('answers 403 Forbidden when the authorizer refuses', async () => {
    const r = await request(port, '/api/v1/namespaces/kube-system/secrets', { token: 's3cret' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, details: { kind: 'secrets' },
      message: 'secrets is forbidden: User "system:kube-proxy-token" cannot list resource "secrets" in API group "" in the namespace "kube-system": proxies may not read secrets',
    });
  });
});
