import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  authenticate, authenticateRequest, authorize, forbiddenError, isAnonymousPath, loadTokenFile, parseTokenFile,
  requestAttributes, TokenFileError,
} from '../src/auth/index.ts';
import type { TokenTable } from '../src/auth/index.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('token file', () => {
  it('parses upstream --token-auth-file records', () => {
    const { tokens, warnings } = parseTokenFile(
      [
        'abc123,admin,uid-1,"system:masters,devs"',
        'def456,bob,uid-2',
        '',
        'ghi789,carol,,ops',
        '"quoted,tok",dave,uid-4,"a, b,,c"',
      ].join('\n') + '\n',
    );
    expect(warnings).toEqual([]);
    expect(tokens.get('abc123')).toEqual({ name: 'admin', uid: 'uid-1', groups: ['system:masters', 'devs'] });
    expect(tokens.get('def456')).toEqual({ name: 'bob', uid: 'uid-2', groups: [] });
    expect(tokens.get('ghi789')).toEqual({ name: 'carol', groups: ['ops'] });
    expect(tokens.get('quoted,tok')).toEqual({ name: 'dave', uid: 'uid-4', groups: ['a', 'b', 'c'] });
    expect(tokens.size).toBe(4);
  });

  it('reports malformed lines with their line number', () => {
    expect(() => parseTokenFile('good,user,1\nonly,two\n', 'tokens.csv')).toThrow(
      "token file 'tokens.csv' line 2: must have at least 3 columns (token, user name, user uid), found 2",
    );
    expect(() => parseTokenFile('a,b,c\nx"y,user,1\n', 'tokens.csv')).toThrow(/line 2, column 2: bare " in non-quoted-field/);
    expect(() => parseTokenFile('"unterminated,user,1\n', 'tokens.csv')).toThrow(/extraneous or missing " in quoted-field/);
    expect(() => parseTokenFile('"tok"x,user,1\n')).toThrow(TokenFileError);
    expect(() => parseTokenFile('tok,,1\n')).toThrow(/line 1: empty user name/);
  });

  it('skips empty tokens and keeps the last duplicate, with warnings', () => {
    const { tokens, warnings } = parseTokenFile(',nobody,0\nt,first,1\nt,second,2\n', 'f');
    expect(tokens.get('t')?.name).toBe('second');
    expect(tokens.size).toBe(1);
    expect(warnings).toEqual([
      "empty token has been found in token file 'f', line 1",
      "duplicate token has been found in token file 'f', line 3",
    ]);
  });

  it('loads from a file and fails clearly when it cannot', async () => {
    const d = await mkdtemp(join(tmpdir(), 'k8ts-tokens-'));
    dirs.push(d);
    await writeFile(join(d, 'tokens.csv'), 'secret,alice,42,"g1,g2"\r\n');
    expect(loadTokenFile(join(d, 'tokens.csv')).get('secret')).toEqual({ name: 'alice', uid: '42', groups: ['g1', 'g2'] });
    expect(() => loadTokenFile(join(d, 'missing.csv'))).toThrow(/cannot read token file/);
  });
});

describe('authenticate', () => {
  const tokens: TokenTable = new Map([['tok', { name: 'alice', uid: '7', groups: ['devs'] }]]);
  const plain = { socket: {} };

  it('accepts a known bearer token and adds system:authenticated', () => {
    const user = authenticateRequest({ ...plain, headers: { authorization: 'Bearer tok' } }, { tokens });
    expect(user).toEqual({ name: 'alice', uid: '7', groups: ['devs', 'system:authenticated'] });
    // the table is not modified
    expect(tokens.get('tok')?.groups).toEqual(['devs']);
    expect(authenticateRequest({ ...plain, headers: { authorization: 'bearer tok' } }, { tokens })?.name).toBe('alice');
  });

  it('tells missing credentials from rejected ones', () => {
    expect(authenticate({ ...plain, headers: {} }, { tokens })).toEqual({});
    expect(authenticate({ ...plain, headers: { authorization: 'Basic dXNlcjpwdw==' } }, { tokens })).toEqual({});
    expect(authenticate({ ...plain, headers: { authorization: 'Bearer nope' } }, { tokens })).toEqual({ error: 'invalid bearer token' });
  });

  it('reads CN and O of a verified client certificate, ignores unverified ones', () => {
    const socket = (authorized: boolean, eku?: string[]) => ({
      authorized,
      authorizationError: authorized ? undefined : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      getPeerCertificate: () => ({ subject: { CN: 'system:node:n1', O: ['system:nodes', 'x'] }, ext_key_usage: eku }),
    });
    expect(authenticateRequest({ headers: {}, socket: socket(true, ['1.3.6.1.5.5.7.3.2']) }, { tokens })).toEqual({
      name: 'system:node:n1', groups: ['system:nodes', 'x', 'system:authenticated'],
    });
    expect(authenticate({ headers: {}, socket: socket(false) }, { tokens }).error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    // a serving-only certificate is no client credential
    expect(authenticate({ headers: {}, socket: socket(true, ['1.3.6.1.5.5.7.3.1']) }, { tokens }).error).toMatch(/clientAuth/);
    // an unverified certificate does not spoil a valid token
    expect(authenticateRequest({ headers: { authorization: 'Bearer tok' }, socket: socket(false) }, { tokens })?.name).toBe('alice');
  });
});

describe('request attributes', () => {
  it('resolves resource requests as upstream RequestInfo', () => {
    expect(requestAttributes('GET', '/api/v1/namespaces/default/pods?limit=500')).toEqual({
      verb: 'list', path: '/api/v1/namespaces/default/pods', isResourceRequest: true, apiGroup: '', apiVersion: 'v1',
      resource: 'pods', namespace: 'default',
    });
    expect(requestAttributes('GET', '/api/v1/namespaces/default/pods?watch=true').verb).toBe('watch');
    expect(requestAttributes('GET', '/api/v1/watch/namespaces/default/pods').verb).toBe('watch');
    expect(requestAttributes('GET', '/api/v1/namespaces/default/pods/p1/log')).toMatchObject({ verb: 'get', name: 'p1', subresource: 'log' });
    expect(requestAttributes('PATCH', '/apis/apps/v1/namespaces/ns/deployments/web/scale')).toMatchObject({
      verb: 'patch', apiGroup: 'apps', resource: 'deployments', name: 'web', subresource: 'scale', namespace: 'ns',
    });
    expect(requestAttributes('DELETE', '/api/v1/namespaces/ns/pods')).toMatchObject({ verb: 'deletecollection' });
    expect(requestAttributes('DELETE', '/api/v1/namespaces/ns')).toMatchObject({ verb: 'delete', resource: 'namespaces', name: 'ns', namespace: 'ns' });
    expect(requestAttributes('PUT', '/api/v1/namespaces/ns/finalize')).toMatchObject({ resource: 'namespaces', name: 'ns', subresource: 'finalize' });
    expect(requestAttributes('POST', '/api/v1/nodes')).toMatchObject({ verb: 'create', resource: 'nodes' });
    expect(requestAttributes('GET', '/api/v1/namespaces/d/pods?fieldSelector=metadata.name%3Dp1')).toMatchObject({ verb: 'list', name: 'p1' });
  });

  it('treats discovery and other paths as non-resource requests', () => {
    expect(requestAttributes('GET', '/api')).toEqual({ verb: 'get', path: '/api', isResourceRequest: false });
    expect(requestAttributes('GET', '/api/v1').isResourceRequest).toBe(false);
    expect(requestAttributes('GET', '/apis/apps/v1').isResourceRequest).toBe(false);
    expect(requestAttributes('POST', '/healthz').verb).toBe('post');
  });
});

describe('authorization', () => {
  it('allows everything for now', () => {
    expect(authorize({ name: 'x', groups: [] }, { verb: 'delete', resource: 'nodes', path: '/api/v1/nodes/n' })).toEqual({ allowed: true });
  });

  it('words Forbidden like upstream', () => {
    const user = { name: 'x', groups: [] };
    const list = forbiddenError(user, requestAttributes('GET', '/api/v1/namespaces/default/pods'));
    expect(list.status).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: 'pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "default"',
      details: { kind: 'pods' },
    });
    const named = forbiddenError(user, requestAttributes('GET', '/apis/apps/v1/namespaces/a/deployments/web/scale'), 'no RBAC policy matched');
    expect(named.status.message).toBe(
      'deployments.apps "web" is forbidden: User "x" cannot get resource "deployments/scale" in API group "apps" in the namespace "a": no RBAC policy matched',
    );
    expect(named.status.details).toEqual({ name: 'web', group: 'apps', kind: 'deployments' });
    expect(forbiddenError(user, requestAttributes('GET', '/api/v1/nodes')).status.message).toBe(
      'nodes is forbidden: User "x" cannot list resource "nodes" in API group "" at the cluster scope',
    );
    expect(forbiddenError(user, requestAttributes('GET', '/metrics')).status.message).toBe('forbidden: User "x" cannot get path "/metrics"');
  });
});

describe('anonymous paths', () => {
  it('opens health and version endpoints only', () => {
    for (const p of ['/healthz', '/livez', '/readyz', '/readyz/etcd', '/livez/ping', '/version', '/healthz?verbose']) expect(isAnonymousPath(p), p).toBe(true);
    for (const p of ['/api', '/apis', '/healthzz', '/versions', '/', '/openapi/v3', '/api/v1/namespaces']) expect(isAnonymousPath(p), p).toBe(false);
  });
});
