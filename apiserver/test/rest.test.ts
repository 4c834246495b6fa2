// The API server's REST semantics against a real etcd, over HTTPS with a client certificate.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { connect } from 'node:tls';
import type { Http2SecureServer, ServerHttp2Session } from 'node:http2';
import { Clientset } from '@k8ts/client/clientset.ts';
import { loadRestConfig } from '@k8ts/client/kubeconfig.ts';
import { startTestServer, type TestServer } from './harness.ts';

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.stop(); });

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] }, ...extra,
});

describe('transport', () => {
  it('turns off Nagle\'s algorithm on every connection it accepts, HTTP/1.1 ones included', () => {
    // Node does so on its own only for HTTP/2 connections; with Nagle on, a watch event sent while the previous one
    // was unacknowledged waited for the client's delayed ACK (the watch bench's p99: about 55 ms with Nagle, 20-35 ms without).
    // No test can see the socket option itself, so this checks what the server passes down to every accepted socket.
    expect((s.api.app.server as unknown as { noDelay?: boolean }).noDelay).toBe(true);
  });

  it('keeps an idle HTTP/1.1 connection 90 s, as upstream, and says so', async () => {
    // Node's HTTP/2 server closed the HTTP/1.1 connections it accepts after 5 s idle: a client reusing one just then
    // got ECONNRESET. The second request goes on the same connection after more than 5 s of quiet.
    const u = new URL(s.url);
    const sock = connect({ host: u.hostname, port: Number(u.port), ca: s.api.ca.certPem, servername: 'localhost', ALPNProtocols: ['http/1.1'] });
    let text = '';
    let ended = false;
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => { text += d; });
    sock.on('end', () => { ended = true; });
    try {
      await new Promise((r, j) => { sock.once('secureConnect', r); sock.once('error', j); });
      const get = async () => {
        text = '';
        sock.write('GET /version HTTP/1.1\r\nHost: k8ts\r\n\r\n');
        await vi.waitFor(() => expect(text).toMatch(/\r\n\r\n\{[^]*\}\s*$/), { timeout: 5000 });
        return text;
      };
      expect(await get()).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\nkeep-alive: timeout=90\r\n/i);
      await new Promise((r) => setTimeout(r, 6500));
      expect(ended).toBe(false);
      expect(await get()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    } finally {
      sock.destroy();
    }
  }, 20_000);

  it('carries our client library\'s requests and watches on one HTTP/2 connection', async () => {
    const server = s.api.app.server as unknown as Http2SecureServer;
    const sessions: ServerHttp2Session[] = [];
    let streams = 0;
    const onSession = (x: ServerHttp2Session) => sessions.push(x);
    const onStream = () => { streams++; };
    server.on('session', onSession);
    server.on('stream', onStream);
    const cs = new Clientset(loadRestConfig({ kubeconfig: s.kubeconfig }));
    try {
      await cs.namespaces().create({ metadata: { name: 'transport' } });
      const watch = await cs.configMaps('transport').watch({});
      await Promise.all(Array.from({ length: 20 }, (_, i) => cs.configMaps('transport').create({ metadata: { name: `h2-${i}` }, data: { i: String(i) } })));
      let seen = 0;
      for await (const e of watch) if (e.object.metadata?.name?.startsWith('h2-') && ++seen === 20) break;
      expect(seen).toBe(20);
      expect(sessions).toHaveLength(1);
      expect(sessions[0].alpnProtocol).toBe('h2');
      expect(streams).toBe(22);
    } finally {
      cs.close();
      server.off('session', onSession);
      server.off('stream', onStream);
    }
  });
});

describe('create, get, conflicts', () => {
  it('creates a pod with system fields, defaults and status Pending', async () => {
    const r = await s.req('POST', '/api/v1/namespaces/default/pods', { body: pod('p1') });
    expect(r.status).toBe(201);
    const m = r.json.metadata;
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(m.resourceVersion)).toBeGreaterThan(0);
    expect(m.creationTimestamp).toMatch(/Z$/);
    expect(r.json.spec.restartPolicy).toBe('Always');
    expect(r.json.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(r.json.status).toMatchObject({ phase: 'Pending', qosClass: 'BestEffort' });
    const g = await s.req('GET', '/api/v1/namespaces/default/pods/p1');
    expect(g.json.metadata.uid).toBe(m.uid);
    expect(g.json.kind).toBe('Pod');
  });
  it('answers AlreadyExists, NotFound and generateName as upstream', async () => {
    const dup = await s.req('POST', '/api/v1/namespaces/default/pods', { body: pod('p1') });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', message: 'pods "p1" already exists', code: 409 });
    const nf = await s.req('GET', '/api/v1/namespaces/default/pods/nope');
    expect(nf.json).toMatchObject({ reason: 'NotFound', message: 'pods "nope" not found', code: 404 });
    const gen = await s.req('POST', '/api/v1/namespaces/default/pods', { body: { ...pod(''), metadata: { generateName: 'web-' } } });
    expect(gen.status).toBe(201);
    expect(gen.json.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
  });
  it('refuses invalid objects with 422 and field paths', async () => {
    const r = await s.req('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' }, spec: { containers: [{ name: 'c' }] } } });
    expect(r.status).toBe(422);
    expect(r.json.reason).toBe('Invalid');
    expect(r.json.details.causes).toContainEqual(expect.objectContaining({ field: 'spec.containers[0].image', reason: 'FieldValueRequired' }));
    expect(r.json.message).toContain('Pod "bad" is invalid');
    const exists = await s.req('GET', '/api/v1/namespaces/default/pods/bad');
    expect(exists.status).toBe(404);
  });
  it('applies fieldValidation Strict, Warn and Ignore to unknown fields', async () => {
    const body = { ...pod('fv'), spec: { containers: [{ name: 'c', image: 'busybox', imagee: 'x' }] } };
    const strict = await s.req('POST', '/api/v1/namespaces/default/pods?fieldValidation=Strict', { body });
    expect(strict.status).toBe(400);
    expect(strict.json.message).toContain('unknown field "spec.containers[0].imagee"');
    const warn = await s.req('POST', '/api/v1/namespaces/default/pods?fieldValidation=Warn', { body });
    expect(warn.status).toBe(201);
    expect(String(warn.headers.warning)).toContain('unknown field \\"spec.containers[0].imagee\\"');
    expect(warn.json.spec.containers[0].imagee).toBeUndefined();
  });
  it('rejects bad input with 400/404/405/413 and never writes', async () => {
    expect((await s.req('POST', '/api/v1/namespaces/default/pods', { raw: '{"apiVersion":' })).status).toBe(400);
    const mismatch = await s.req('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } } });
    expect(mismatch.status).toBe(400);
    expect((await s.req('GET', '/api/v1/namespaces/default/widgets')).status).toBe(404);
    expect((await s.req('POST', '/api/v1/namespaces/default/pods/p1')).status).toBe(405);
    const big = await s.req('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(3.5 * 1024 * 1024) } } });
    expect(big.status).toBe(413);
    expect(big.json.reason).toBe('RequestEntityTooLarge');
    const yaml = (raw: string) => s.req('POST', '/api/v1/namespaces/default/configmaps', { raw, contentType: 'application/yaml' });
    const badYaml = await yaml('apiVersion: v1\nkind: ConfigMap\nmetadata: [\n');
    expect([badYaml.status, badYaml.json.reason]).toEqual([400, 'BadRequest']);
    const inf = await yaml('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inf}\nbinaryData: {}\nimmutable: .inf\n');
    expect([inf.status, inf.json.message]).toEqual([400, 'error decoding YAML: json: unsupported value: +Inf']);
    expect((await s.req('GET', '/api/v1/namespaces/default/configmaps/inf')).status).toBe(404);
    const missingNs = await s.req('POST', '/api/v1/namespaces/nope/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } });
    expect(missingNs.status).toBe(404);
    expect(missingNs.json.message).toBe('namespaces "nope" not found');
  });
});

describe('YAML bodies', () => {
  it('are read as sigs.k8s.io/yaml reads them: YAML 1.1 scalars (0644 octal, yes/on booleans), timestamps as strings', async () => {
    const raw = `apiVersion: v1
kind: Pod
metadata:
  name: yaml11
  annotations: {released: 2001-12-14, span: 190:20:30, quoted: "on"}
spec:
  terminationGracePeriodSeconds: 0x1E
  containers:
  - {name: c, image: busybox, tty: yes, stdin: on}
  volumes:
  - name: cfg
    configMap: {name: cfg, defaultMode: 0644, optional: Y}
`;
    const r = await s.req('POST', '/api/v1/namespaces/default/pods', { raw, contentType: 'application/yaml' });
    expect(r.status, r.text).toBe(201);
    expect(r.json.metadata.annotations).toEqual({ released: '2001-12-14', span: '190:20:30', quoted: 'on' });
    expect(r.json.spec.volumes[0].configMap).toEqual({ name: 'cfg', defaultMode: 420, optional: true });
    expect([r.json.spec.terminationGracePeriodSeconds, r.json.spec.containers[0].tty, r.json.spec.containers[0].stdin]).toEqual([30, true, true]);
  });
});

describe('update and patch', () => {
  it('enforces optimistic concurrency and bumps generation on spec changes only', async () => {
    const c = await s.req('POST', '/apis/apps/v1/namespaces/default/deployments', { body: {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    } });
    expect(c.status).toBe(201);
    expect(c.json.metadata.generation).toBe(1);
    expect(c.json.spec.strategy).toMatchObject({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    const obj = c.json;
    obj.metadata.labels = { tier: 'x' };
    const u1 = await s.req('PUT', '/apis/apps/v1/namespaces/default/deployments/web', { body: obj });
    expect(u1.status).toBe(200);
    expect(u1.json.metadata.generation).toBe(1);
    const stale = await s.req('PUT', '/apis/apps/v1/namespaces/default/deployments/web', { body: obj });
    expect(stale.status).toBe(409);
    expect(stale.json.reason).toBe('Conflict');
    const p = await s.req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' });
    expect(p.json.spec.replicas).toBe(3);
    expect(p.json.metadata.generation).toBe(2);
    const immut = await s.req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { body: { spec: { selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } } } } }, contentType: 'application/merge-patch+json' });
    expect(immut.status).toBe(422);
    expect(immut.json.details.causes.map((x: { field: string }) => x.field)).toContain('spec.selector');
  });
  it('applies json, merge and strategic patches', async () => {
    await s.req('POST', '/api/v1/namespaces/default/pods', { body: { ...pod('sp'), spec: { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] } } });
    const smp = await s.req('PATCH', '/api/v1/namespaces/default/pods/sp', { body: { spec: { containers: [{ name: 'b', image: 'busybox:1.37' }] } }, contentType: 'application/strategic-merge-patch+json' });
    expect(smp.status).toBe(200);
    expect(smp.json.spec.containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`)).toEqual(['a=busybox', 'b=busybox:1.37']);
    const jp = await s.req('PATCH', '/api/v1/namespaces/default/pods/sp', { body: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }], contentType: 'application/json-patch+json' });
    expect(jp.json.metadata.labels).toEqual({ app: 'web', x: 'y' });
    const forbidden = await s.req('PATCH', '/api/v1/namespaces/default/pods/sp', { body: { spec: { restartPolicy: 'Never' } }, contentType: 'application/merge-patch+json' });
    expect(forbidden.status).toBe(422);
    expect(forbidden.json.message).toContain('pod updates may not change fields other than');
  });
  it('keeps status out of the main resource and spec out of /status', async () => {
    const st = await s.req('PUT', '/api/v1/namespaces/default/pods/p1/status', { body: { ...(await s.req('GET', '/api/v1/namespaces/default/pods/p1')).json, status: { phase: 'Running' } } });
    expect(st.status).toBe(200);
    expect(st.json.status.phase).toBe('Running');
    const main = await s.req('PATCH', '/api/v1/namespaces/default/pods/p1', { body: { status: { phase: 'Failed' } }, contentType: 'application/merge-patch+json' });
    expect(main.json.status.phase).toBe('Running');
  });
});

describe('list and watch', () => {
  it('filters by label and field selectors and pages with limit/continue', async () => {
    for (let i = 0; i < 5; i++) await s.req('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm${i}`, labels: { i: String(i % 2) } } } });
    const sel = await s.req('GET', '/api/v1/namespaces/default/configmaps?labelSelector=i%3D1');
    expect(sel.json.items.map((x: { metadata: { name: string } }) => x.metadata.name)).toEqual(['cm1', 'cm3']);
    const notin = await s.req('GET', '/api/v1/namespaces/default/configmaps?labelSelector=i%20notin%20(1)');
    expect(notin.json.items.map((x: { metadata: { name: string } }) => x.metadata.name)).toEqual(['cm0', 'cm2', 'cm4']);
    const fs = await s.req('GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Dcm2');
    expect(fs.json.items).toHaveLength(1);
    const bad = await s.req('GET', '/api/v1/pods?fieldSelector=spec.nope%3Dx');
    expect(bad.status).toBe(400);
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    do {
      const r = await s.req('GET', `/api/v1/namespaces/default/configmaps?limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      names.push(...r.json.items.map((x: { metadata: { name: string } }) => x.metadata.name));
      cont = r.json.metadata.continue ?? '';
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(names).toEqual(['cm0', 'cm1', 'cm2', 'cm3', 'cm4']);
  });
  it('streams ADDED, MODIFIED and DELETED events from a resourceVersion', async () => {
    const list = await s.req('GET', '/api/v1/namespaces/default/secrets');
    const rv = list.json.metadata.resourceVersion;
    const events: { type: string; object: { kind: string; metadata: { name: string } } }[] = [];
    const ac = new AbortController();
    const done = s.watch(`/api/v1/namespaces/default/secrets?watch=true&resourceVersion=${rv}`, (e) => { events.push(e as never); if (events.length === 3) ac.abort(); }, ac.signal);
    await s.req('POST', '/api/v1/namespaces/default/secrets', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'w' }, stringData: {} } });
    await s.req('PATCH', '/api/v1/namespaces/default/secrets/w', { body: { metadata: { labels: { a: 'b' } } }, contentType: 'application/merge-patch+json' });
    await s.req('DELETE', '/api/v1/namespaces/default/secrets/w');
    await done;
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(events.every((e) => e.object.kind === 'Secret')).toBe(true);
  });
  it('answers 410 Expired for a resourceVersion older than the watch cache keeps', async () => {
    const small = await startTestServer({ watchCacheCapacity: 5 });
    try {
      const c = await small.req('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old' } } });
      const rv = c.json.metadata.resourceVersion;
      for (let i = 0; i < 10; i++) await small.req('PATCH', '/api/v1/namespaces/default/configmaps/old', { body: { data: { i: String(i) } }, contentType: 'application/merge-patch+json' });
      const events: { type: string; object: { code?: number; reason?: string } }[] = [];
      await small.watch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, (e) => events.push(e));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
      // A list from a compacted revision is 410 as well.
      await small.api.storage.compact(await small.api.storage.currentRevision());
      const paged = await small.req('GET', `/api/v1/namespaces/default/configmaps?limit=1&resourceVersion=${rv}&resourceVersionMatch=Exact`);
      expect(paged.status).toBe(410);
    } finally {
      await small.stop();
    }
  });
  it('sends bookmarks when asked', async () => {
    const b = await startTestServer({ storage: 'memory', bookmarkIntervalMs: 100 });
    try {
      const list = await b.req('GET', '/api/v1/namespaces/default/configmaps');
      const events: { type: string; object: { kind: string; metadata: { resourceVersion: string } } }[] = [];
      const ac = new AbortController();
      await b.watch(`/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${list.json.metadata.resourceVersion}`, (e) => { events.push(e); ac.abort(); }, ac.signal);
      expect(events[0]).toMatchObject({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1' } });
      expect(Number(events[0].object.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(list.json.metadata.resourceVersion));
    } finally {
      await b.stop();
    }
  });
});

describe('subresources and deletion', () => {
  it('binds a pod once and deletes bound pods gracefully', async () => {
    await s.req('POST', '/api/v1/namespaces/default/pods', { body: pod('b1') });
    const b = await s.req('POST', '/api/v1/namespaces/default/pods/b1/binding', { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b1' }, target: { kind: 'Node', name: 'node1' } } });
    expect(b.status).toBe(201);
    const again = await s.req('POST', '/api/v1/namespaces/default/pods/b1/binding', { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b1' }, target: { kind: 'Node', name: 'node2' } } });
    expect(again.status).toBe(409);
    const got = await s.req('GET', '/api/v1/namespaces/default/pods/b1');
    expect(got.json.spec.nodeName).toBe('node1');
    expect(got.json.status.conditions).toContainEqual(expect.objectContaining({ type: 'PodScheduled', status: 'True' }));
    const d = await s.req('DELETE', '/api/v1/namespaces/default/pods/b1', { body: { propagationPolicy: 'Background' } });
    expect(d.status).toBe(200);
    expect(d.json.metadata.deletionTimestamp).toBeTruthy();
    expect(d.json.metadata.deletionGracePeriodSeconds).toBe(30);
    const confirm = await s.req('DELETE', '/api/v1/namespaces/default/pods/b1?gracePeriodSeconds=0');
    expect(confirm.json).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await s.req('GET', '/api/v1/namespaces/default/pods/b1')).status).toBe(404);
  });
  it('keeps objects with finalizers until the last one is removed', async () => {
    await s.req('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fin', finalizers: ['example.com/x'] } } });
    const d = await s.req('DELETE', '/api/v1/namespaces/default/configmaps/fin');
    expect(d.json.metadata.deletionTimestamp).toBeTruthy();
    expect((await s.req('GET', '/api/v1/namespaces/default/configmaps/fin')).status).toBe(200);
    await s.req('PATCH', '/api/v1/namespaces/default/configmaps/fin', { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    expect((await s.req('GET', '/api/v1/namespaces/default/configmaps/fin')).status).toBe(404);
  });
  it('records the propagation policy for the garbage collector', async () => {
    await s.req('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orph' } } });
    const d = await s.req('DELETE', '/api/v1/namespaces/default/configmaps/orph', { body: { propagationPolicy: 'Orphan' } });
    expect(d.json.metadata.finalizers).toEqual(['orphan']);
  });
  it('scales a deployment through /scale', async () => {
    const sc = await s.req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { body: { spec: { replicas: 5 } }, contentType: 'application/merge-patch+json' });
    expect(sc.status).toBe(200);
    expect(sc.json).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 5 }, status: { selector: 'app=web' } });
    expect((await s.req('GET', '/apis/apps/v1/namespaces/default/deployments/web')).json.spec.replicas).toBe(5);
  });
  it('checks dryRun and fieldValidation on subresources too, and writes nothing when they are wrong', async () => {
    await s.req('POST', '/api/v1/namespaces/default/pods', { body: pod('evdry') });
    const before = (await s.req('GET', '/api/v1/namespaces/default/pods/evdry')).json;
    const bad = await s.req('POST', '/api/v1/namespaces/default/pods/evdry/eviction', { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evdry' }, deleteOptions: { dryRun: ['Server'] } } });
    expect({ status: bad.status, reason: bad.json.reason, message: bad.json.message }).toEqual({ status: 400, reason: 'BadRequest', message: 'dryRun: Unsupported value: "Server": supported values: "All"' });
    const status = await s.req('PATCH', '/api/v1/namespaces/default/pods/evdry/status?dryRun=Yes', { body: { status: { phase: 'Running' } }, contentType: 'application/merge-patch+json' });
    expect({ status: status.status, message: status.json.message }).toEqual({ status: 400, message: 'dryRun: Unsupported value: "Yes": supported values: "All"' });
    const fv = await s.req('PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale?fieldValidation=Loose', { body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 2 } } });
    expect({ status: fv.status, message: fv.json.message }).toEqual({ status: 400, message: 'fieldValidation must be one of "Ignore", "Warn", or "Strict", got "Loose"' });
    expect((await s.req('GET', '/api/v1/namespaces/default/pods/evdry')).json).toEqual(before);
    const dry = await s.req('POST', '/api/v1/namespaces/default/pods/evdry/eviction', { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evdry' }, deleteOptions: { dryRun: ['All'] } } });
    expect(dry.status).toBe(201);
    expect((await s.req('GET', '/api/v1/namespaces/default/pods/evdry')).json).toEqual(before);
  });
  it('evicts a pod', async () => {
    await s.req('POST', '/api/v1/namespaces/default/pods', { body: pod('ev') });
    const e = await s.req('POST', '/api/v1/namespaces/default/pods/ev/eviction', { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'ev', namespace: 'default' } } });
    expect(e.status).toBe(201);
    expect((await s.req('GET', '/api/v1/namespaces/default/pods/ev')).status).toBe(404);
  });
});

describe('services', () => {
  it('allocates cluster IPs and node ports without double allocation and releases them', async () => {
    const kube = await s.req('GET', '/api/v1/namespaces/default/services/kubernetes');
    expect(kube.json.spec.clusterIP).toBe('10.96.0.1');
    const svc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec } });
    const a = await s.req('POST', '/api/v1/namespaces/default/services', { body: svc('a', { type: 'NodePort' }) });
    expect(a.status).toBe(201);
    expect(a.json.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
    expect(a.json.spec.ports[0]).toMatchObject({ protocol: 'TCP', targetPort: 80 });
    expect(a.json.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    const dupIP = await s.req('POST', '/api/v1/namespaces/default/services', { body: svc('b', { clusterIP: a.json.spec.clusterIP }) });
    expect(dupIP.status).toBe(422);
    expect(dupIP.json.details.causes[0].field).toBe('spec.clusterIPs');
    const dupPort = await s.req('POST', '/api/v1/namespaces/default/services', { body: svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: a.json.spec.ports[0].nodePort }] }) });
    expect(dupPort.status).toBe(422);
    expect(dupPort.json.details.causes[0].field).toBe('spec.ports[0].nodePort');
    await s.req('DELETE', '/api/v1/namespaces/default/services/a');
    const reuse = await s.req('POST', '/api/v1/namespaces/default/services', { body: svc('d', { clusterIP: a.json.spec.clusterIP, type: 'NodePort', ports: [{ port: 80, nodePort: a.json.spec.ports[0].nodePort }] }) });
    expect(reuse.status).toBe(201);
  });
});

describe('discovery, health, identity', () => {
  it('serves version, health without credentials and 401 for anonymous API calls', async () => {
    const v = await s.req('GET', '/version', { anonymous: true });
    expect(v.json).toMatchObject({ major: '1', minor: '32' });
    expect((await s.req('GET', '/healthz', { anonymous: true })).text).toBe('ok');
    const anon = await s.req('GET', '/api/v1/pods', { anonymous: true });
    expect(anon.status).toBe(401);
    expect(anon.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });
  it('serves plain and aggregated discovery', async () => {
    const plain = await s.req('GET', '/api/v1');
    const pods = plain.json.resources.find((r: { name: string }) => r.name === 'pods');
    expect(pods).toMatchObject({ namespaced: true, kind: 'Pod', shortNames: ['po'], categories: ['all'] });
    expect(plain.json.resources.find((r: { name: string }) => r.name === 'pods/eviction')).toMatchObject({ group: 'policy', version: 'v1', kind: 'Eviction' });
    const agg = await s.req('GET', '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    expect(agg.headers['content-type']).toContain('as=APIGroupDiscoveryList');
    expect(agg.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toContain('apps');
    const groups = await s.req('GET', '/apis');
    expect(groups.json.kind).toBe('APIGroupList');
  });
  it('answers as=Table with kubectl columns and row metadata', async () => {
    const t = await s.req('GET', '/api/v1/namespaces/default/pods', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(t.json.kind).toBe('Table');
    expect(t.json.columnDefinitions.map((c: { name: string }) => c.name).slice(0, 5)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    expect(t.json.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { namespace: 'default' } });
  });
  it('serves /openapi/v3 and Prometheus metrics', async () => {
    const root = await s.req('GET', '/openapi/v3');
    const url = root.json.paths['api/v1'].serverRelativeURL;
    const doc = await s.req('GET', url);
    expect(JSON.stringify(doc.json)).toContain('x-kubernetes-group-version-kind');
    const m = await s.req('GET', '/metrics');
    expect(m.text).toContain('apiserver_request_total');
  });
});

