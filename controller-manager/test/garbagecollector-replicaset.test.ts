// The garbage collector together with the real ReplicaSet controller (which sets controller ownerReferences
// with blockOwnerDeletion) on the in-process API server and a real etcd: kubectl delete rs with
// --cascade=background|foreground|orphan.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { Clientset, SharedInformerFactory, loadRestConfig, createLogger, type Typed } from '@k8ts/client';
import { isNotFound } from '@k8ts/api/status.ts';
import { GarbageCollector } from '../src/garbagecollector/garbagecollector.ts';
import { ReplicaSetController } from '../src/replicaset/controller.ts';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';
import { waitFor } from './helpers.ts';

const NS = 'gc-rs';


describe('GarbageCollector with the ReplicaSet controller', () => {
  let s: TestServer;
  let cs: Clientset;
  const stop = new AbortController();
  const runs: Promise<void>[] = [];

  const podsOf = async (app: string) => (await cs.pods(NS).list({ labelSelector: `app=${app}` })).items;
  const getRS = async (name: string) => {
    try { return await cs.replicaSets(NS).get(name); } catch (e) { if (isNotFound(e)) return undefined; throw e; }
  };
  /** nodeName set: the API server deletes these pods gracefully, so they linger until "the kubelet" (the test) removes them. */
  const createRS = (name: string, replicas: number, nodeName?: string, ownerReferences?: OwnerReference[]) => cs.replicaSets(NS).create({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, ownerReferences },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } } },
  } as Typed<ReplicaSet>);
  const ownedPods = async (app: string, n: number) => {
    await waitFor(`${n} pods of ${app}`, async () => (await podsOf(app)).filter((p) => p.metadata.ownerReferences?.[0]?.blockOwnerDeletion).length === n);
  };

  beforeAll(async () => {
    s = await startTestServer();
    cs = new Clientset(loadRestConfig({ kubeconfig: s.kubeconfig }));
    await cs.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const informers = new SharedInformerFactory(cs);
    const log = createLogger({ component: 'test', level: 'silent' });
    const gc = new GarbageCollector(cs, informers, log);
    const rsc = new ReplicaSetController(cs, informers, log);
    informers.start(stop.signal);
    await informers.waitForCacheSync(stop.signal);
    runs.push(gc.run(2, stop.signal), rsc.run(2, stop.signal));
  }, 30_000);
  afterAll(async () => {
    stop.abort();
    await Promise.all(runs);
    cs?.close();
    await s?.stop();
  });

  it('--cascade=background: the pods go after the ReplicaSet', async () => {
    await createRS('bg', 2);
    await ownedPods('bg', 2);
    await cs.replicaSets(NS).delete('bg', { propagationPolicy: 'Background' });
    await waitFor('the pods to be collected', async () => (await podsOf('bg')).length === 0);
  });

  it('--cascade=foreground: the ReplicaSet waits for its terminating pods, and gets no new ones', async () => {
    await createRS('fg', 2, 'ghost-node');
    await ownedPods('fg', 2);
    await cs.replicaSets(NS).delete('fg', { propagationPolicy: 'Foreground' });
    await waitFor('the pods to be terminating', async () => (await podsOf('fg')).every((p) => p.metadata.deletionTimestamp));
    await new Promise((r) => setTimeout(r, 300));
    const rs = await getRS('fg');
    expect(rs?.metadata.deletionTimestamp).toBeTruthy();
    expect(rs?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(await podsOf('fg')).toHaveLength(2);
    // What the kubelet does once the containers are stopped.
    for (const p of await podsOf('fg')) await cs.pods(NS).delete(p.metadata.name!, { gracePeriodSeconds: 0 });
    await waitFor('the ReplicaSet to be gone', async () => (await getRS('fg')) === undefined);
    expect(await podsOf('fg')).toHaveLength(0);
  });

  it('deleting a Deployment deletes its ReplicaSets and their pods (background, through two levels)', async () => {
    const spec = { replicas: 2, selector: { matchLabels: { app: 'dep' } }, template: { metadata: { labels: { app: 'dep' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } };
    const d = await cs.deployments(NS).create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dep' }, spec } as Typed<Deployment>);
    // What the Deployment controller would have made (it is not running here).
    await createRS('dep', 2, undefined, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'dep', uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }]);
    await ownedPods('dep', 2);
    await cs.deployments(NS).delete('dep', { propagationPolicy: 'Background' });
    await waitFor('the ReplicaSet and pods to be collected', async () => (await getRS('dep')) === undefined && (await podsOf('dep')).length === 0);
  });

  it('--cascade=orphan: the pods stay, released', async () => {
    await createRS('or', 2);
    await ownedPods('or', 2);
    await cs.replicaSets(NS).delete('or', { propagationPolicy: 'Orphan' });
    await waitFor('the ReplicaSet to be gone', async () => (await getRS('or')) === undefined);
    await new Promise((r) => setTimeout(r, 300));
    const pods = await podsOf('or');
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.metadata.ownerReferences).toBeUndefined();
      expect(p.metadata.deletionTimestamp).toBeUndefined();
    }
  });
});
