import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { StatusError } from '@k8ts/api/status.ts';
import { Clientset } from '../src/clientset.ts';
import type { Typed } from '../src/clientset.ts';
import type { WatchEvent } from '../src/resource-client.ts';
import { FakeApiServer } from './fake-apiserver.ts';
import { rejection, sleep } from './util.ts';

describe('ResourceClient', () => {
  let fake: FakeApiServer;
  let cs: Clientset;
  beforeAll(async () => {
    fake = new FakeApiServer();
    await fake.start();
    cs = new Clientset({ server: fake.url, insecureSkipTLSVerify: false, namespace: 'default', contextName: '' }, { backoffBaseMs: 1 });
  });
  afterAll(async () => { cs.close(); await fake.stop(); });

  const pod = (name: string, labels: Record<string, string> = {}): Typed<Pod> =>
    ({ metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

  it('creates, gets, updates and updates status with the right paths and kinds', async () => {
    const pods = cs.pods('ns1');
    const created = await pods.create(pod('a'));
    expect(created.metadata.uid).toBeTruthy();
    const post = fake.requestsTo('POST', '/api/v1/namespaces/ns1/pods')[0];
    expect(JSON.parse(post.body)).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } });
    const got = await pods.get('a');
    expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const upd = await pods.update({ ...got, metadata: { ...got.metadata, labels: { x: 'y' } } });
    expect(upd.metadata.labels).toEqual({ x: 'y' });
    const st = await pods.updateStatus({ ...upd, status: { phase: 'Running' } });
    expect(st.status?.phase).toBe('Running');
    expect(fake.requestsTo('PUT', '/api/v1/namespaces/ns1/pods/a/status')).toHaveLength(1);
    // A stale resourceVersion is a 409 Conflict.
    const err = await rejection(pods.update(got));
    expect(err.reason).toBe('Conflict');
  });

  it('takes the namespace from the object when the client has none', async () => {
    await cs.pods().create({ ...pod('b'), metadata: { name: 'b', namespace: 'ns2' } });
    expect(fake.requestsTo('POST', '/api/v1/namespaces/ns2/pods')).toHaveLength(1);
    expect(() => cs.pods().get('b')).toThrow(/namespace is required/);
    const nodes = cs.nodes();
    await nodes.create({ metadata: { name: 'n1' } });
    expect(fake.requestsTo('POST', '/api/v1/nodes')).toHaveLength(1);
  });

  it('lists with selectors and pages with limit/continue', async () => {
    const pods = cs.pods('paged');
    for (let i = 0; i < 7; i++) await pods.create(pod(`p${i}`, { app: i % 2 ? 'odd' : 'even' }));
    const first = await pods.list({ limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.metadata.continue).toBeTruthy();
    const all = await pods.listAll({ limit: 3 });
    expect(all.items.map((p) => p.metadata.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    expect(all.metadata.continue).toBeUndefined();
    expect(first.items.every((p) => p.kind === 'Pod' && p.apiVersion === 'v1')).toBe(true);
    const odd = await pods.list({ labelSelector: 'app=odd' });
    expect(odd.items.map((p) => p.metadata.name)).toEqual(['p1', 'p3', 'p5']);
    const req = fake.requests.filter((r) => r.path === '/api/v1/namespaces/paged/pods' && r.query.get('labelSelector'))[0];
    expect(req.query.get('labelSelector')).toBe('app=odd');
    const byName = await cs.pods().list({ fieldSelector: 'metadata.name=p2' });
    expect(byName.items.map((p) => p.metadata.namespace + '/' + p.metadata.name)).toEqual(['paged/p2']);
  });

  it('patches with the content type of each patch type', async () => {
    const pods = cs.pods('patch');
    await pods.create(pod('a'));
    const p = await pods.patch('a', { metadata: { labels: { m: '1' } } }, 'merge');
    expect(p.metadata.labels).toEqual({ m: '1' });
    await pods.patch('a', { metadata: { labels: { s: '1' } } }, 'strategic');
    await pods.patch('a', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: { ap: '1' } } }, 'apply', { fieldManager: 'mgr', force: true });
    const reqs = fake.requestsTo('PATCH', '/api/v1/namespaces/patch/pods/a');
    expect(reqs.map((r) => r.headers['content-type'])).toEqual([
      'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml',
    ]);
    expect(reqs[2].query.get('fieldManager')).toBe('mgr');
    expect(reqs[2].query.get('force')).toBe('true');
    expect(() => pods.patch('a', {}, 'apply')).toThrow(/fieldManager/);
    const err = await rejection(pods.patch('a', [{ op: 'replace', path: '/x', value: 1 }], 'json'));
    expect(err.code).toBe(415); // the fake refuses json-patch; the client sent the right type
    expect(fake.requestsTo('PATCH', '/api/v1/namespaces/patch/pods/a')[3].headers['content-type']).toBe('application/json-patch+json');
  });

  it('deletes with DeleteOptions in the body, and deletes collections', async () => {
    const pods = cs.pods('del');
    await pods.create(pod('a'));
    await pods.delete('a', { gracePeriodSeconds: 0, propagationPolicy: 'Background', preconditions: { uid: 'u' } });
    const r = fake.requestsTo('DELETE', '/api/v1/namespaces/del/pods/a')[0];
    expect(JSON.parse(r.body)).toEqual({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Background', preconditions: { uid: 'u' } });
    const err = await rejection(pods.get('a'));
    expect(err).toBeInstanceOf(StatusError);
    expect(err.code).toBe(404);
    await pods.create(pod('x', { t: '1' }));
    await pods.create(pod('y', { t: '1' }));
    await pods.create(pod('z', { t: '2' }));
    await pods.deleteCollection({ labelSelector: 't=1' });
    expect((await pods.list()).items.map((p) => p.metadata.name)).toEqual(['z']);
  });

  it('watches as an async iterator and as a callback', async () => {
    const pods = cs.pods('w');
    const start = await pods.list();
    const w = await pods.watch({ resourceVersion: start.metadata.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 30 });
    const seen: WatchEvent<Typed<Pod>>[] = [];
    const done = (async () => { for await (const e of w) { seen.push(e); if (seen.length === 3) w.close(); } })();
    await pods.create(pod('a'));
    await pods.patch('a', { metadata: { labels: { a: 'b' } } }, 'merge');
    await pods.delete('a');
    await done;
    expect(seen.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
    const q = fake.requests.filter((r) => r.path === '/api/v1/namespaces/w/pods' && r.query.get('watch'))[0].query;
    expect(q.get('allowWatchBookmarks')).toBe('true');
    expect(q.get('timeoutSeconds')).toBe('30');
    expect(q.get('resourceVersion')).toBe(start.metadata.resourceVersion);

    const got: string[] = [];
    const h = await cs.pods('w').watchWith({ resourceVersion: (await pods.list()).metadata.resourceVersion }, (e) => { got.push(e.type); });
    await pods.create(pod('b'));
    while (got.length < 1) await sleep(5);
    h.stop();
    await h.done;
    expect(got).toEqual(['ADDED']);
  });

  it('calls scale, binding and eviction subresources', async () => {
    const deps = cs.deployments('sub');
    await deps.create({ metadata: { name: 'web' }, spec: { replicas: 1, selector: {}, template: {} } } as never);
    expect((await deps.getScale('web')).spec?.replicas).toBe(1);
    const s = await deps.scale('web', 3);
    expect(s.spec?.replicas).toBe(3);
    const sreq = fake.requestsTo('PATCH', '/apis/apps/v1/namespaces/sub/deployments/web/scale')[0];
    expect(sreq.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(sreq.body)).toEqual({ spec: { replicas: 3 } });
    await deps.updateScale('web', { metadata: { name: 'web', namespace: 'sub' }, spec: { replicas: 5 } });
    expect((await deps.get('web')).spec?.replicas).toBe(5);

    const pods = cs.pods('sub');
    const p = await pods.create(pod('p'));
    await pods.bind('p', 'node-1', { uid: p.metadata.uid });
    const b = JSON.parse(fake.requestsTo('POST', '/api/v1/namespaces/sub/pods/p/binding')[0].body);
    expect(b).toEqual({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p', namespace: 'sub', uid: p.metadata.uid }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } });
    expect((await pods.get('p')).spec?.nodeName).toBe('node-1');

    await pods.evict('p', { gracePeriodSeconds: 5 });
    const ev = JSON.parse(fake.requestsTo('POST', '/api/v1/namespaces/sub/pods/p/eviction')[0].body);
    expect(ev).toEqual({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'sub' }, deleteOptions: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 5 } });
    expect((await rejection(pods.get('p'))).code).toBe(404);
  });

  it('resolves clients by kind and by kubectl name', async () => {
    expect(cs.forKind('apps/v1', 'Deployment')?.path()).toBe('/apis/apps/v1/deployments');
    expect(cs.forName('deploy', 'x')?.path('web')).toBe('/apis/apps/v1/namespaces/x/deployments/web');
    expect(cs.leases('kube-system').path('l')).toBe('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l');
    expect(cs.forKind('v1', 'Nope')).toBeUndefined();
    expect((await cs.version()).minor).toBe('32');
    const shared = new Clientset(cs.rest);
    expect(shared.rest).toBe(cs.rest);
    expect(shared.config.server).toBe(fake.url);
  });
});
