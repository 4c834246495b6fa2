// The garbage collector against the in-process API server on a real etcd: cascading deletion with the
// Background, Foreground and Orphan policies as kubectl/clients ask for them.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { Clientset, SharedInformerFactory, loadRestConfig, createLogger, type Typed } from '@k8ts/client';
import { isNotFound } from '@k8ts/api/status.ts';
import { GarbageCollector } from '../src/garbagecollector/garbagecollector.ts';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';
import { waitFor } from './helpers.ts';

const NS = 'gc-test';


describe('GarbageCollector against the API server on real etcd', () => {
  let s: TestServer;
  let cs: Clientset;
  const stop = new AbortController();
  let running: Promise<void>;
  let gc: GarbageCollector;

  const cms = () => cs.configMaps(NS);
  const refTo = (o: { apiVersion?: string; kind?: string; metadata: { name?: string; uid?: string } }, extra: Partial<OwnerReference> = {}): OwnerReference =>
    ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid!, ...extra });
  const cm = (name: string, ownerReferences?: OwnerReference[], finalizers?: string[]) =>
    cms().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences, finalizers }, data: { k: name } } as Typed<ConfigMap>);
  const getCM = async (name: string) => {
    try { return await cms().get(name); } catch (e) { if (isNotFound(e)) return undefined; throw e; }
  };
  const gone = (name: string) => async () => (await getCM(name)) === undefined;

  beforeAll(async () => {
    s = await startTestServer();
    cs = new Clientset(loadRestConfig({ kubeconfig: s.kubeconfig }));
    await cs.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    // Garbage from before the GC started: found by its first look at the synced graph.
    await cm('pre-existing', [{ apiVersion: 'v1', kind: 'Secret', name: 'gone-before', uid: '00000000-0000-0000-0000-000000000003' }]);
    const informers = new SharedInformerFactory(cs);
    gc = new GarbageCollector(cs, informers, createLogger({ component: 'test', level: 'silent' }));
    informers.start(stop.signal);
    running = gc.run(2, stop.signal);
    await informers.waitForCacheSync(stop.signal);
  }, 30_000);
  afterAll(async () => {
    stop.abort();
    await running;
    cs?.close();
    await s?.stop();
  });

  it('collects garbage that existed before it started', async () => {
    await waitFor('pre-existing to be collected', gone('pre-existing'));
  });

  it('background: deleting a ReplicaSet deletes its pods', async () => {
    const rs = await cs.replicaSets(NS).create({
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    } as Typed<ReplicaSet>);
    for (const name of ['web-a', 'web-b']) {
      await cs.pods(NS).create({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name, labels: { app: 'web' }, ownerReferences: [refTo(rs, { controller: true, blockOwnerDeletion: true })] },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      } as Typed<Pod>);
    }
    await cs.replicaSets(NS).delete('web', { propagationPolicy: 'Background' });
    await waitFor('the pods to be collected', async () => (await cs.pods(NS).list()).items.length === 0);
  });

  it('foreground: the owner stays until its blocking dependents (and theirs) are gone', async () => {
    const a = await cm('fg-a');
    const b = await cm('fg-b', [refTo(a, { blockOwnerDeletion: true })]);
    // c cannot go until its own finalizer is removed: it holds b, which holds a.
    await cm('fg-c', [refTo(b, { blockOwnerDeletion: true })], ['example.com/hold']);
    await cm('fg-loose', [refTo(a, { blockOwnerDeletion: false })], ['example.com/hold']);
    await cms().delete('fg-a', { propagationPolicy: 'Foreground' });

    await waitFor('fg-c and fg-loose to be deleted', async () => !!(await getCM('fg-c'))?.metadata.deletionTimestamp && !!(await getCM('fg-loose'))?.metadata.deletionTimestamp);
    const aNow = await getCM('fg-a');
    const bNow = await getCM('fg-b');
    expect(aNow?.metadata.deletionTimestamp).toBeTruthy();
    expect(aNow?.metadata.finalizers).toEqual(['foregroundDeletion']);
    // b has dependents, so the GC deleted it in the foreground too.
    expect(bNow?.metadata.deletionTimestamp).toBeTruthy();
    expect(bNow?.metadata.finalizers).toEqual(['foregroundDeletion']);

    // fg-loose does not block a: releasing it is not needed for a to go, but c is.
    await new Promise((r) => setTimeout(r, 300));
    expect(await getCM('fg-a')).toBeDefined();
    await cms().patch('fg-c', { metadata: { finalizers: null } }, 'merge');
    await waitFor('fg-c, fg-b, fg-a to be gone', async () => (await gone('fg-c')()) && (await gone('fg-b')()) && (await gone('fg-a')()));
    expect((await getCM('fg-loose'))?.metadata.deletionTimestamp).toBeTruthy();
    await cms().patch('fg-loose', { metadata: { finalizers: null } }, 'merge');
    await waitFor('fg-loose to be gone', gone('fg-loose'));
  });

  it('orphan: dependents stay, without their reference to the deleted owner', async () => {
    const owner = await cm('or-owner');
    const other = await cm('or-other');
    await cm('or-d1', [refTo(owner, { controller: true, blockOwnerDeletion: true })]);
    await cm('or-d2', [refTo(owner), refTo(other)]);
    await cms().delete('or-owner', { propagationPolicy: 'Orphan' });
    await waitFor('the owner to be gone', gone('or-owner'));
    const d1 = await getCM('or-d1');
    const d2 = await getCM('or-d2');
    expect(d1).toBeDefined();
    expect(d1?.metadata.ownerReferences).toBeUndefined();
    expect(d2?.metadata.ownerReferences?.map((r) => r.name)).toEqual(['or-other']);
    // Nothing collects them later either.
    await new Promise((r) => setTimeout(r, 300));
    expect(await getCM('or-d1')).toBeDefined();
  });

  it('collects and orphans a hundred dependents of one owner', async () => {
    const many = async (prefix: string) => {
      const owner = await cm(`${prefix}-owner`);
      await Promise.all(Array.from({ length: 100 }, (_, i) => cm(`${prefix}-${i}`, [refTo(owner, { blockOwnerDeletion: true })])));
      return owner;
    };
    const count = async (prefix: string) => (await cms().list()).items.filter((c) => c.metadata.name!.startsWith(`${prefix}-`) && c.metadata.name !== `${prefix}-owner`);
    await many('bulk');
    await cms().delete('bulk-owner');
    await waitFor('100 dependents to be collected', async () => (await count('bulk')).length === 0, 20_000);
    await many('keep');
    await cms().delete('keep-owner', { propagationPolicy: 'Orphan' });
    await waitFor('the orphaning owner to be gone', gone('keep-owner'), 20_000);
    const kept = await count('keep');
    expect(kept).toHaveLength(100);
    expect(kept.every((c) => !c.metadata.ownerReferences)).toBe(true);
  });

  it('a dependent whose owner never existed (wrong uid, or no such object) is collected', async () => {
    const real = await cm('wu-real');
    await cm('wu-dep', [refTo(real, { uid: '00000000-0000-0000-0000-000000000001' })]);
    await cm('wu-ghost', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'no-such-thing', uid: '00000000-0000-0000-0000-000000000002' }]);
    await waitFor('wu-dep and wu-ghost to be collected', async () => (await gone('wu-dep')()) && (await gone('wu-ghost')()));
    expect(await getCM('wu-real')).toBeDefined();
  });

  it('a dependent with two owners survives the deletion of one and loses its reference', async () => {
    const a = await cm('two-a');
    const b = await cm('two-b');
    await cm('two-dep', [refTo(a, { blockOwnerDeletion: true }), refTo(b, { blockOwnerDeletion: true })]);
    await cms().delete('two-a');
    await waitFor('the reference to two-a to go', async () => (await getCM('two-dep'))?.metadata.ownerReferences?.length === 1);
    expect((await getCM('two-dep'))?.metadata.ownerReferences?.map((r) => r.name)).toEqual(['two-b']);
    await cms().delete('two-b');
    await waitFor('two-dep to be collected with its last owner', gone('two-dep'));
  });

  it('a reference to an owner in another namespace counts as absent, with an OwnerRefInvalidNamespace event', async () => {
    await cs.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gc-elsewhere' } });
    const owner = await cs.configMaps('gc-elsewhere').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'far-owner' } } as Typed<ConfigMap>);
    // Let the graph see the owner first, as upstream reports only owners it has observed.
    await waitFor('the graph to hold the owner', async () => gc.graph.byUID(owner.metadata.uid!) !== undefined);
    const dep = await cm('cross-ns', [refTo(owner)]);
    await waitFor('cross-ns to be collected', gone('cross-ns'));
    await waitFor('the warning event', async () => (await cs.events(NS).list()).items.some((e) =>
      e.reason === 'OwnerRefInvalidNamespace' && e.type === 'Warning' && e.involvedObject.uid === dep.metadata.uid
      && e.message === `ownerRef [v1/ConfigMap, namespace: ${NS}, name: far-owner, uid: ${owner.metadata.uid}] does not exist in namespace "${NS}"`));
    expect(await cs.configMaps('gc-elsewhere').get('far-owner')).toBeDefined();
  });

  it('a cluster-scoped object naming a namespaced owner is never collected, and is reported', async () => {
    const ns = await cs.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gc-bad-ref', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nope', uid: '00000000-0000-0000-0000-000000000004' }] } });
    await waitFor('the warning event', async () => (await cs.events('default').list()).items.some((e) => e.reason === 'OwnerRefInvalidNamespace' && e.involvedObject.uid === ns.metadata.uid));
    const again = await cs.namespaces().get('gc-bad-ref');
    expect(again.metadata.deletionTimestamp).toBeUndefined();
  });

  it('a foreground owner whose dependent has another live owner only loses that reference', async () => {
    const a = await cm('fs-a');
    const b = await cm('fs-b');
    await cm('fs-dep', [refTo(a, { blockOwnerDeletion: true }), refTo(b)]);
    await cms().delete('fs-a', { propagationPolicy: 'Foreground' });
    await waitFor('fs-a to be gone', gone('fs-a'));
    const dep = await getCM('fs-dep');
    expect(dep?.metadata.deletionTimestamp).toBeUndefined();
    expect(dep?.metadata.ownerReferences?.map((r) => r.name)).toEqual(['fs-b']);
  });
});
