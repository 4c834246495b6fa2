import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { lookupResource } from '@k8ts/api/resources.ts';
import { objectKey } from '@k8ts/api/object.ts';
import type { KubeObject } from '@k8ts/api/object.ts';
import { parseSelector } from '@k8ts/api/labels.ts';
import { Clientset } from '../src/clientset.ts';
import type { Typed } from '../src/clientset.ts';
import { SharedIndexInformer, enqueueHandler } from '../src/informer.ts';
import { WorkQueue } from '../src/workqueue.ts';
import { SharedInformerFactory } from '../src/informer-factory.ts';
import { DeletedFinalStateUnknown, Indexer, deletionHandlingKey } from '../src/store.ts';
import { FakeApiServer } from './fake-apiserver.ts';
import { eventually, sleep } from './util.ts';

const podsInfo = lookupResource('', 'v1', 'pods')!;
const fast = { initialBackoffMs: 20, maxBackoffMs: 100 };

/**
 * Applies handler calls to a model of the cache and fails on any lost or duplicated event:
 * an add of a known key, an update or delete of an unknown key, an update that changes nothing.
 */
class HandlerModel {
  readonly state = new Map<string, string>();
  readonly log: string[] = [];
  readonly problems: string[] = [];
  tombstones = 0;
  handler = {
    onAdd: (o: KubeObject) => {
      const k = objectKey(o);
      if (this.state.has(k)) this.problems.push(`duplicate add ${k}`);
      this.state.set(k, o.metadata.resourceVersion!);
      this.log.push(`add ${k}`);
    },
    onUpdate: (old: KubeObject, o: KubeObject) => {
      const k = objectKey(o);
      if (!this.state.has(k)) this.problems.push(`update of unknown ${k}`);
      if (this.state.get(k) !== old.metadata.resourceVersion) this.problems.push(`update ${k} from a state the handler never saw`);
      if (old.metadata.resourceVersion === o.metadata.resourceVersion) this.problems.push(`no-op update ${k}`);
      this.state.set(k, o.metadata.resourceVersion!);
      this.log.push(`update ${k}`);
    },
    onDelete: (o: KubeObject | DeletedFinalStateUnknown<KubeObject>) => {
      const k = deletionHandlingKey(o);
      if (o instanceof DeletedFinalStateUnknown) this.tombstones++;
      if (!this.state.has(k)) this.problems.push(`delete of unknown ${k}`);
      this.state.delete(k);
      this.log.push(`delete ${k}`);
    },
  };
}

function serverState(fake: FakeApiServer): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of fake.objects.values()) if (o.kind === 'Pod') m.set(objectKey(o), o.metadata.resourceVersion!);
  return m;
}

const pod = (ns: string, name: string, node = '', labels: Record<string, string> = {}): KubeObject =>
  ({ metadata: { name, namespace: ns, labels }, spec: { nodeName: node || undefined, containers: [] } });

describe('Reflector + SharedIndexInformer', () => {
  let fake: FakeApiServer;
  let cs: Clientset;
  let ctl: AbortController;
  beforeEach(async () => {
    fake = new FakeApiServer();
    await fake.start();
    cs = new Clientset({ server: fake.url, insecureSkipTLSVerify: false, namespace: 'default', contextName: '' }, { backoffBaseMs: 5 });
    ctl = new AbortController();
  });
  afterEach(async () => { ctl.abort(); cs.close(); await fake.stop(); });

  const watchRequests = () => fake.requests.filter((r) => r.path === '/api/v1/pods' && r.query.get('watch') === 'true');
  const listRequests = () => fake.requests.filter((r) => r.path === '/api/v1/pods' && r.query.get('watch') !== 'true');

  it('lists at resourceVersion=0 with limit 500, then watches from the list RV with bookmarks and a 300–600 s timeout', async () => {
    fake.seed(podsInfo, pod('a', 'p1'));
    fake.seed(podsInfo, pod('b', 'p2'));
    const inf = new SharedIndexInformer(cs.pods(), fast);
    const model = new HandlerModel();
    inf.addEventHandler(model.handler);
    const run = inf.run(ctl.signal);
    expect(await inf.waitForCacheSync()).toBe(true);
    expect(inf.hasSynced()).toBe(true);
    expect([...model.state.keys()].sort()).toEqual(['a/p1', 'b/p2']);
    const l = listRequests()[0].query;
    expect(l.get('resourceVersion')).toBe('0');
    expect(l.get('limit')).toBe('500');
    await eventually(() => watchRequests().length === 1, 2000, 'watch');
    const w = watchRequests()[0].query;
    expect(w.get('allowWatchBookmarks')).toBe('true');
    expect(w.get('resourceVersion')).toBe(String(fake.resourceVersion));
    const t = Number(w.get('timeoutSeconds'));
    expect(t).toBeGreaterThanOrEqual(300);
    expect(t).toBeLessThan(600);
    ctl.abort();
    await run;
    await eventually(() => fake.activeWatches() === 0, 1000, 'the watch connection to close');
  });

  it('follows continue tokens when the list is paged', async () => {
    for (let i = 0; i < 7; i++) fake.seed(podsInfo, pod('ns', `p${i}`));
    const inf = new SharedIndexInformer(cs.pods(), { ...fast, pageSize: 3 });
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    expect(inf.indexer.size).toBe(7);
    expect(listRequests().map((r) => r.query.has('continue'))).toEqual([false, true, true]);
  });

  it('re-watches from the last seen resourceVersion after a broken stream, losing and duplicating nothing', async () => {
    fake.seed(podsInfo, pod('ns', 'keep'));
    fake.seed(podsInfo, pod('ns', 'change'));
    fake.seed(podsInfo, pod('ns', 'gone'));
    const inf = new SharedIndexInformer(cs.pods(), fast);
    const model = new HandlerModel();
    inf.addEventHandler(model.handler);
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    await eventually(() => fake.activeWatches() === 1, 2000, 'watch');
    fake.seed(podsInfo, pod('ns', 'new1'));
    await eventually(() => model.state.has('ns/new1'), 2000, 'new1');
    const lastSeen = fake.resourceVersion;
    fake.breakWatches();
    // Changes while the client is disconnected.
    fake.mutate(podsInfo, 'ns', 'change', (o) => { o.metadata.labels = { v: '2' }; });
    fake.remove(podsInfo, 'ns', 'gone');
    fake.seed(podsInfo, pod('ns', 'new2'));
    await eventually(() => model.state.has('ns/new2') && !model.state.has('ns/gone'), 3000, 'catch-up after the break');
    expect(watchRequests()).toHaveLength(2);
    expect(watchRequests()[1].query.get('resourceVersion')).toBe(String(lastSeen));
    expect(listRequests()).toHaveLength(1); // no relist was needed
    expect(model.tombstones).toBe(0); // the delete was seen as a real DELETED event
    expect(model.problems).toEqual([]);
    expect(model.state).toEqual(serverState(fake));
    expect(inf.lastSyncResourceVersion()).toBe(String(fake.resourceVersion));
  });

  it('relists on 410 Expired and delivers exactly the difference, with tombstones for missed deletes', async () => {
    for (const n of ['keep', 'change', 'gone']) fake.seed(podsInfo, pod('ns', n));
    const inf = new SharedIndexInformer(cs.pods(), fast);
    const model = new HandlerModel();
    inf.addEventHandler(model.handler);
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    await eventually(() => fake.activeWatches() === 1, 2000, 'watch');
    const beforeLog = model.log.length;
    fake.breakWatches();
    fake.mutate(podsInfo, 'ns', 'change', (o) => { o.metadata.labels = { v: '2' }; });
    fake.remove(podsInfo, 'ns', 'gone');
    fake.seed(podsInfo, pod('ns', 'new'));
    fake.compact(); // the re-watch from the old resourceVersion now gets 410 Expired
    await eventually(() => listRequests().length === 2 && fake.activeWatches() === 1, 3000, 'relist and new watch');
    expect(model.log.slice(beforeLog).sort()).toEqual(['add ns/new', 'delete ns/gone', 'update ns/change']);
    expect(model.tombstones).toBe(1);
    expect(model.problems).toEqual([]);
    expect(model.state).toEqual(serverState(fake));
    // The relist asked for the last resourceVersion it had (NotOlderThan), then watched from the new one.
    expect(listRequests()[1].query.get('resourceVersion')).not.toBe('0');
    expect(listRequests()[1].query.get('resourceVersion')).toBeTruthy();
    expect(listRequests()[1].query.get('limit')).toBeNull(); // unpaged, so a watch cache can serve it
    const lastWatch = watchRequests().at(-1)!.query;
    expect(lastWatch.get('resourceVersion')).toBe(String(fake.resourceVersion));
    // Live events still flow after the relist.
    fake.mutate(podsInfo, 'ns', 'keep', (o) => { o.metadata.labels = { after: 'relist' }; });
    await eventually(() => model.state.get('ns/keep') === String(fake.resourceVersion), 2000, 'event after relist');
    expect(model.problems).toEqual([]);
  });

  it('relists when the watch ends with an ERROR 410 event mid-stream', async () => {
    fake.seed(podsInfo, pod('ns', 'a'));
    const inf = new SharedIndexInformer(cs.pods(), fast);
    const model = new HandlerModel();
    inf.addEventHandler(model.handler);
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    await eventually(() => fake.activeWatches() === 1, 2000, 'watch');
    fake.seed(podsInfo, pod('ns', 'b'));
    await eventually(() => model.state.has('ns/b'), 2000, 'b');
    fake.expireWatches();
    fake.remove(podsInfo, 'ns', 'a');
    fake.compact();
    await eventually(() => listRequests().length === 2 && !model.state.has('ns/a'), 3000, 'relist');
    expect(model.tombstones).toBe(1);
    expect(model.problems).toEqual([]);
    expect(model.state).toEqual(serverState(fake));
  });

  it('falls back to a fresh list when the relist resourceVersion itself is too old', async () => {
    fake.seed(podsInfo, pod('ns', 'a'));
    const inf = new SharedIndexInformer(cs.pods(), fast);
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    await eventually(() => fake.activeWatches() === 1, 2000, 'watch');
    // The server refuses the resourceVersion-bearing relist once with 410.
    fake.faults.push({ match: (r) => r.path === '/api/v1/pods' && r.query.get('watch') !== 'true' && !!r.query.get('resourceVersion'), code: 410, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old' } });
    fake.expireWatches();
    await eventually(() => listRequests().length === 3, 3000, 'fallback list');
    expect(listRequests()[2].query.get('resourceVersion')).toBeNull();
    expect(listRequests()[2].query.get('limit')).toBe('500');
  });

  it('re-watches after a normal watch close, and records bookmarks as the last resourceVersion', async () => {
    const inf = new SharedIndexInformer(cs.pods(), fast);
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    await eventually(() => fake.activeWatches() === 1, 2000, 'watch');
    fake.seed(podsInfo, pod('other', 'x')); // bumps the RV
    fake.bookmark();
    await eventually(() => inf.lastSyncResourceVersion() === String(fake.resourceVersion), 2000, 'bookmark');
    const rv = fake.resourceVersion;
    await sleep(1100); // a watch that lasted a while and then ends is re-opened at once
    fake.closeWatches();
    await eventually(() => watchRequests().length === 2, 2000, 're-watch');
    expect(watchRequests()[1].query.get('resourceVersion')).toBe(String(rv));
  });

  it('random changes with random broken and expired watches: the handlers end exactly at the server state', async () => {
    const inf = new SharedIndexInformer(cs.pods(), fast);
    const model = new HandlerModel();
    inf.addEventHandler(model.handler);
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    let seed = 42;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 15; i++) {
        const name = `p${rand(20)}`;
        const ns = `ns${rand(2)}`;
        const exists = !!fake.get(podsInfo, ns, name);
        const op = rand(3);
        if (!exists) fake.seed(podsInfo, pod(ns, name));
        else if (op === 0) fake.remove(podsInfo, ns, name);
        else fake.mutate(podsInfo, ns, name, (o) => { o.metadata.labels = { r: String(round), i: String(i) }; });
      }
      const fault = rand(3);
      if (fault === 0) fake.breakWatches();
      else if (fault === 1) { fake.breakWatches(); fake.compact(); }
      else if (fault === 2) fake.expireWatches();
      await sleep(rand(40));
    }
    await eventually(() => {
      const want = serverState(fake);
      return want.size === model.state.size && [...want].every(([k, v]) => model.state.get(k) === v);
    }, 8000, 'the handlers to converge on the server state');
    expect(model.problems).toEqual([]);
    expect(inf.indexer.size).toBe(serverState(fake).size);
  });

  it('indexes by namespace and custom index functions; listers read the cache', async () => {
    fake.seed(podsInfo, pod('a', 'p1', 'node1', { app: 'web' }));
    fake.seed(podsInfo, pod('a', 'p2', 'node2', { app: 'db' }));
    fake.seed(podsInfo, pod('b', 'p3', 'node1', { app: 'web' }));
    const inf = new SharedIndexInformer<Typed<Pod>>(cs.pods(), { ...fast, name: 'pods', indexers: { nodeName: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    expect(inf.indexer.byIndex('nodeName', 'node1').map(objectKey).sort()).toEqual(['a/p1', 'b/p3']);
    expect(inf.indexer.byIndex('namespace', 'a').map(objectKey).sort()).toEqual(['a/p1', 'a/p2']);
    // The index follows updates.
    fake.mutate(podsInfo, 'a', 'p2', (o) => { (o.spec as { nodeName: string }).nodeName = 'node1'; });
    await eventually(() => inf.indexer.byIndex('nodeName', 'node1').length === 3, 2000, 'reindex');
    expect(inf.indexer.byIndex('nodeName', 'node2')).toEqual([]);
    const lister = inf.lister();
    expect(lister.list(parseSelector('app=web')).map(objectKey).sort()).toEqual(['a/p1', 'b/p3']);
    expect(lister.namespace('a').list().map(objectKey).sort()).toEqual(['a/p1', 'a/p2']);
    expect(lister.namespace('a').get('p1')?.metadata.name).toBe('p1');
    expect(() => lister.namespace('a').mustGet('nope')).toThrow('pods "nope" not found');
  });

  it('gives late handlers the cache as adds, and resyncs with same-object updates', async () => {
    fake.seed(podsInfo, pod('a', 'p1'));
    const inf = new SharedIndexInformer(cs.pods(), fast);
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    const adds: [string, boolean][] = [];
    let resyncs = 0;
    const reg = inf.addEventHandler({
      onAdd: (o, initial) => adds.push([objectKey(o), initial]),
      onUpdate: (old, o) => { if (old === o) resyncs++; },
    }, 30);
    expect(adds).toEqual([['a/p1', true]]);
    expect(reg.hasSynced()).toBe(true);
    await eventually(() => resyncs >= 2, 2000, 'resync');
    reg.remove();
    const n = resyncs;
    await sleep(80);
    expect(resyncs).toBe(n);
  });

  it('enqueueHandler queues keys, tombstones included, honouring the filter', async () => {
    fake.seed(podsInfo, pod('a', 'p1'));
    fake.seed(podsInfo, pod('kube-system', 'skip'));
    const inf = new SharedIndexInformer(cs.pods(), fast);
    const q = new WorkQueue<string>();
    inf.addEventHandler(enqueueHandler(q, (o) => o.metadata.namespace !== 'kube-system'));
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    expect(await q.get()).toBe('a/p1');
    q.done('a/p1');
    await eventually(() => fake.activeWatches() === 1, 2000, 'watch');
    fake.breakWatches();
    fake.remove(podsInfo, 'a', 'p1');
    fake.compact();
    await eventually(() => q.len() === 1, 3000, 'tombstone key');
    expect(await q.get()).toBe('a/p1');
    expect(q.len()).toBe(0);
  });

  it('isolates a throwing handler from the others', async () => {
    fake.seed(podsInfo, pod('a', 'p1'));
    const inf = new SharedIndexInformer(cs.pods(), fast);
    const got: string[] = [];
    inf.addEventHandler({ onAdd: () => { throw new Error('boom'); } });
    inf.addEventHandler({ onAdd: (o) => got.push(objectKey(o)) });
    void inf.run(ctl.signal);
    await inf.waitForCacheSync();
    expect(got).toEqual(['a/p1']);
  });

  it('waitForCacheSync returns false when stopped before syncing', async () => {
    fake.faults.push({ match: () => true, code: 500, times: 1000 });
    const inf = new SharedIndexInformer(cs.pods(), fast);
    const run = inf.run(ctl.signal);
    setTimeout(() => ctl.abort(), 50);
    expect(await inf.waitForCacheSync()).toBe(false);
    await run;
  });
});

describe('SharedIndexInformer as a ReflectorStore (pure)', () => {
  it('ignores replayed events and deletes of unknown objects; delivers real changes once', () => {
    const inf = new SharedIndexInformer({ list: async () => { throw new Error('unused'); }, watch: async () => { throw new Error('unused'); } });
    const model = new HandlerModel();
    inf.addEventHandler(model.handler);
    const o = (rv: string): KubeObject => ({ metadata: { name: 'x', namespace: 'n', resourceVersion: rv } });
    inf.replace([], '1');
    expect(inf.hasSynced()).toBe(true);
    inf.add(o('2'));
    inf.add(o('2'));
    inf.update(o('2'));
    inf.update(o('3'));
    inf.delete({ metadata: { name: 'other', namespace: 'n', resourceVersion: '4' } });
    inf.replace([o('3')], '5'); // unchanged: nothing
    inf.replace([o('6')], '6'); // changed: one update
    inf.delete(o('7'));
    expect(model.log).toEqual(['add n/x', 'update n/x', 'update n/x', 'delete n/x']);
    expect(model.problems).toEqual([]);
    expect(inf.lastSyncResourceVersion()).toBe('7');
  });
});

describe('SharedInformerFactory', () => {
  it('shares one informer per resource and selector, starts them and waits for sync', async () => {
    const fake = new FakeApiServer();
    await fake.start();
    const cs = new Clientset({ server: fake.url, insecureSkipTLSVerify: false, namespace: 'default', contextName: '' });
    try {
      fake.seed(podsInfo, pod('a', 'p1', 'n1'));
      fake.seed(lookupResource('', 'v1', 'nodes')!, { metadata: { name: 'n1' } });
      const f = new SharedInformerFactory(cs, { reflector: fast });
      expect(f.pods()).toBe(f.pods());
      expect(f.pods({ fieldSelector: 'spec.nodeName=n1' })).not.toBe(f.pods());
      const nodes = f.nodes();
      f.start();
      const synced = await f.waitForCacheSync();
      expect([...synced.values()]).toEqual([true, true, true]);
      expect(nodes.lister().get('n1')?.metadata.name).toBe('n1');
      expect(f.pods({ fieldSelector: 'spec.nodeName=n1' }).lister().list()).toHaveLength(1);
      const fsReq = fake.requests.find((r) => r.query.get('fieldSelector'));
      expect(fsReq?.query.get('fieldSelector')).toBe('spec.nodeName=n1');
      await f.shutdown();
      await eventually(() => fake.activeWatches() === 0, 1000, 'the watch connections to close');
    } finally {
      cs.close();
      await fake.stop();
    }
  });
});

describe('Indexer', () => {
  it('maintains multi-valued indices through add, update and delete', () => {
    const idx = new Indexer<KubeObject>({ byLabel: (o) => Object.keys(o.metadata.labels ?? {}) });
    idx.add({ metadata: { name: 'a', namespace: 'x', labels: { l1: '', l2: '' } } });
    idx.add({ metadata: { name: 'b', namespace: 'x', labels: { l2: '' } } });
    expect(idx.indexKeys('byLabel', 'l2').sort()).toEqual(['x/a', 'x/b']);
    idx.update({ metadata: { name: 'a', namespace: 'x', labels: { l3: '' } } });
    expect(idx.indexKeys('byLabel', 'l1')).toEqual([]);
    expect(idx.indexKeys('byLabel', 'l2')).toEqual(['x/b']);
    expect(idx.listIndexFuncValues('byLabel').sort()).toEqual(['l2', 'l3']);
    idx.deleteKey('x/b');
    expect(idx.listIndexFuncValues('byLabel')).toEqual(['l3']);
    expect(() => idx.byIndex('missing', 'x')).toThrow(/does not exist/);
    idx.addIndexers({ byName: (o) => [o.metadata.name!] });
    expect(idx.byIndex('byName', 'a')).toHaveLength(1);
  });
});
