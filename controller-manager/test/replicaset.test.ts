import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import { Clientset, SharedInformerFactory, loadRestConfig, createLogger, type Typed } from '@k8ts/client';
import { ControllerExpectations } from '../src/replicaset/expectations.ts';
import { claimDecision } from '../src/replicaset/controllerref.ts';
import { getPodsToDelete, podFromTemplate } from '../src/replicaset/pods.ts';
import { calculateStatus, manageReplicas, slowStartBatch, slowStartBatches } from '../src/replicaset/decide.ts';
import { ReplicaSetController } from '../src/replicaset/controller.ts';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';
import { until } from './helpers.ts';

const now = Date.parse('2026-01-01T00:10:00Z');
const ago = (s: number) => new Date(now - s * 1000).toISOString();
function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: number; created?: number; restarts?: number; cost?: number; labels?: Record<string, string>; owner?: string } = {}): Pod {
  return {
    metadata: {
      name, namespace: 'ns', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, creationTimestamp: ago(o.created ?? 100),
      annotations: o.cost !== undefined ? { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } : undefined,
      ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: o.owner, controller: true }] : undefined,
    },
    spec: { nodeName: o.node, containers: [{ name: 'c', image: 'busybox' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.readySince ?? 50) }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
    },
  };
}
const rsOf = (replicas: number, minReadySeconds = 0): ReplicaSet => ({
  metadata: { name: 'rs', namespace: 'ns', uid: 'rs-uid', generation: 2 },
  spec: { replicas, minReadySeconds, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
});

describe('pod deletion ranking', () => {
  it('deletes unscheduled, then pending, then not-ready, then cheap, then doubled-up, then recently ready, then restarting, then newest', () => {
    const cases: [Pod, Pod][] = [
      [pod('unassigned', { node: '' , ready: true }), pod('assigned', { node: 'n1', ready: true })],
      [pod('pending', { node: 'n1', phase: 'Pending' }), pod('running', { node: 'n1', phase: 'Running' })],
      [pod('notready', { node: 'n1' }), pod('ready', { node: 'n1', ready: true })],
      [pod('cheap', { node: 'n1', ready: true, cost: -5 }), pod('dear', { node: 'n2', ready: true, cost: 10 })],
      [pod('fresh', { node: 'n1', ready: true, readySince: 3 }), pod('veteran', { node: 'n2', ready: true, readySince: 3000 })],
      [pod('crashy', { node: 'n1', ready: true, restarts: 7 }), pod('steady', { node: 'n2', ready: true })],
      [pod('young', { node: 'n1', ready: true, created: 2 }), pod('old', { node: 'n2', ready: true, created: 5000 })],
    ];
    for (const [first, second] of cases) {
      expect(getPodsToDelete([second, first], [], 1, now).map((p) => p.metadata!.name)).toEqual([first.metadata!.name]);
      expect(getPodsToDelete([first, second], [], 1, now).map((p) => p.metadata!.name)).toEqual([first.metadata!.name]);
    }
  });
  it('prefers pods doubled up on a node with related pods', () => {
    const a = pod('a', { node: 'n1', ready: true }), b = pod('b', { node: 'n2', ready: true });
    const related = [a, b, pod('sibling', { node: 'n2', ready: true })];
    expect(getPodsToDelete([a, b], related, 1, now)[0].metadata!.name).toBe('b');
  });
});

describe('manageReplicas and status', () => {
  it('creates the missing pods in slow-start batches, capped at the burst', () => {
    expect(manageReplicas(rsOf(3), [pod('a')], [], now)).toEqual({ action: 'create', count: 2, diff: -2 });
    expect(manageReplicas(rsOf(900), [], [], now)).toMatchObject({ action: 'create', count: 500 });
    expect(slowStartBatches(10)).toEqual([1, 2, 4, 3]);
    expect(slowStartBatches(0)).toEqual([]);
  });
  it('stops after the first failing batch', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, async () => { if (++calls === 3) throw new Error('quota'); });
    expect(r.successes).toBe(2);
    expect(calls).toBe(3);
    expect((r.error as Error).message).toBe('quota');
  });
  it('deletes the surplus, worst first', () => {
    const d = manageReplicas(rsOf(1), [pod('ok', { node: 'n', ready: true }), pod('bad', { node: 'n' })], [], now);
    expect(d.action === 'delete' && d.pods.map((p) => p.metadata!.name)).toEqual(['bad']);
    expect(manageReplicas(rsOf(2), [pod('a'), pod('b')], [], now)).toEqual({ action: 'none' });
  });
  it('counts fully labeled, ready and available pods; ReplicaFailure comes and goes', () => {
    const pods = [pod('a', { labels: { app: 'web', tier: 'fe' }, ready: true, readySince: 100 }), pod('b', { ready: true, readySince: 2 }), pod('c')];
    const s = calculateStatus(rsOf(3, 10), pods, undefined, now);
    expect(s).toMatchObject({ replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1 });
    const failed = calculateStatus(rsOf(3), pods, { message: 'pods "x" is forbidden: exceeded quota', diff: -1 }, now);
    expect(failed.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota', lastTransitionTime: '2026-01-01T00:10:00Z' }]);
    expect(calculateStatus({ ...rsOf(3), status: failed }, pods, undefined, now).conditions).toBeUndefined();
  });
  it('builds pods from the template with a controller reference', () => {
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true, blockOwnerDeletion: true };
    const p = podFromTemplate(rsOf(1).spec!.template!, 'rs', 'ns', ref);
    expect(p.metadata).toEqual({ generateName: 'rs-', namespace: 'ns', labels: { app: 'web', tier: 'fe' }, ownerReferences: [ref] });
  });
  it('claims: keep owned matches, adopt orphans, release non-matching, ignore others', () => {
    const sel = { matchLabels: { app: 'web' } };
    expect(claimDecision(pod('a', { owner: 'rs-uid' }), 'rs-uid', sel, false)).toBe('keep');
    expect(claimDecision(pod('a'), 'rs-uid', sel, false)).toBe('adopt');
    expect(claimDecision(pod('a'), 'rs-uid', sel, true)).toBe('ignore');
    expect(claimDecision(pod('a', { owner: 'rs-uid', labels: { app: 'db' } }), 'rs-uid', sel, false)).toBe('release');
    expect(claimDecision(pod('a', { owner: 'other' }), 'rs-uid', sel, false)).toBe('ignore');
    expect(claimDecision(pod('a', { labels: { app: 'db' } }), 'rs-uid', sel, false)).toBe('ignore');
  });
  it('expectations block syncs until creations and the named deletions are observed, or expire', () => {
    let t = 0;
    const e = new ControllerExpectations(() => t);
    expect(e.satisfiedExpectations('k')).toBe(true);
    e.expectCreations('k', 2);
    e.creationObserved('k');
    expect(e.satisfiedExpectations('k')).toBe(false);
    e.creationObserved('k');
    expect(e.satisfiedExpectations('k')).toBe(true);
    e.expectDeletions('k', ['ns/a', 'ns/b']);
    e.deletionObserved('k', 'ns/a');
    e.deletionObserved('k', 'ns/a');
    e.deletionObserved('k', 'ns/zzz');
    expect(e.satisfiedExpectations('k')).toBe(false);
    t += 5 * 60 * 1000 + 1;
    expect(e.satisfiedExpectations('k')).toBe(true);
  });
});

describe('ReplicaSetController against the API server on real etcd', () => {
  let s: TestServer;
  let cs: Clientset;
  const stop = new AbortController();
  const ns = 'default';
  beforeAll(async () => {
    s = await startTestServer();
    cs = new Clientset(loadRestConfig({ kubeconfig: s.kubeconfig }));
    const informers = new SharedInformerFactory(cs);
    const c = new ReplicaSetController(cs, informers, createLogger({ component: 'test', verbosity: 0 }));
    informers.start(stop.signal);
    await informers.waitForCacheSync(stop.signal);
    void c.run(2, stop.signal);
  });
  afterAll(async () => {
    stop.abort();
    cs?.close();
    await s?.stop();
  });

  const podsOf = async (app: string) => (await cs.pods(ns).list({ labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);
  const newRS = (name: string, replicas: number): Typed<ReplicaSet> => ({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: ns },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  async function makeReady(p: Typed<Pod>): Promise<void> {
    await cs.pods(ns).patch(p.metadata.name!, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } }, 'merge', { subresource: 'status' });
  }

  it('creates pods, reports status, recreates a deleted pod and scales down', async () => {
    const rs = await cs.replicaSets(ns).create(newRS('web', 3));
    const pods = await until('3 pods', async () => { const p = await podsOf('web'); return p.length === 3 && p; });
    for (const p of pods) {
      expect(p.metadata.generateName).toBe('web-');
      expect(p.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    for (const p of pods) await makeReady(p);
    const st = await until('ready status', async () => { const r = await cs.replicaSets(ns).get('web'); return r.status?.readyReplicas === 3 && r.status; });
    expect(st).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });

    await cs.pods(ns).delete(pods[0].metadata.name!);
    const after = await until('a replacement', async () => { const p = await podsOf('web'); return p.length === 3 && !p.some((x) => x.metadata.name === pods[0].metadata.name) && p; });
    expect(after.filter((p) => !pods.some((o) => o.metadata.name === p.metadata.name))).toHaveLength(1);

    const events = await until('events', async () => {
      const ev = (await cs.events(ns).list()).items.filter((e) => e.involvedObject.name === 'web' && e.involvedObject.kind === 'ReplicaSet');
      return ev.length >= 4 && ev;
    });
    expect(events.map((e) => e.reason)).toContain('SuccessfulCreate');
    expect(events.find((e) => e.reason === 'SuccessfulCreate')!.message).toMatch(/^Created pod: web-[a-z0-9]{5}$/);
    expect(events[0].source?.component).toBe('replicaset-controller');

    // Scale down to 1: the not-ready replacement goes first.
    const fresh = after.find((p) => !pods.some((o) => o.metadata.name === p.metadata.name))!;
    await cs.replicaSets(ns).patch('web', { spec: { replicas: 1 } }, 'merge');
    const left = await until('1 pod', async () => { const p = await podsOf('web'); return p.length === 1 && p; });
    expect(left[0].metadata.name).not.toBe(fresh.metadata.name);
    const del = await until('delete event', async () => (await cs.events(ns).list()).items.find((e) => e.reason === 'SuccessfulDelete' && e.involvedObject.name === 'web'));
    expect(del.message).toMatch(/^Deleted pod: web-/);
    await until('status of 1', async () => (await cs.replicaSets(ns).get('web')).status?.replicas === 1 && (await cs.replicaSets(ns).get('web')).status?.observedGeneration === 2);
  });

  it('counts pods available only after minReadySeconds, looking again by itself', async () => {
    const rs = newRS('slow', 2);
    rs.spec!.minReadySeconds = 3; // timestamps have second precision: at least 2 s of "ready, not available"
    await cs.replicaSets(ns).create(rs);
    const pods = await until('2 pods', async () => { const p = await podsOf('slow'); return p.length === 2 && p; });
    for (const p of pods) await makeReady(p);
    const ready = await until('ready', async () => { const r = await cs.replicaSets(ns).get('slow'); return r.status?.readyReplicas === 2 && r.status; });
    expect(ready.availableReplicas ?? 0).toBe(0);
    const avail = await until('available', async () => { const r = await cs.replicaSets(ns).get('slow'); return r.status?.availableReplicas === 2 && r.status; }, 8000);
    expect(avail).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
  });

  it('adopts a matching orphan instead of creating, and releases a pod whose labels stop matching', async () => {
    const orphan = await cs.pods(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as Typed<Pod>);
    const rs = await cs.replicaSets(ns).create(newRS('adopt', 2));
    const pods = await until('2 pods', async () => { const p = await podsOf('adopt'); return p.length === 2 && p.every((x) => x.metadata.ownerReferences?.length) && p; });
    const adopted = pods.find((p) => p.metadata.name === 'orphan')!;
    expect(adopted.metadata.uid).toBe(orphan.metadata.uid);
    expect(adopted.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'adopt', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);

    await cs.pods(ns).patch('orphan', { metadata: { labels: { app: 'gone' } } }, 'merge');
    const released = await until('release', async () => { const p = await cs.pods(ns).get('orphan'); return !p.metadata.ownerReferences?.length && p; });
    expect(released.metadata.labels).toEqual({ app: 'gone' });
    const now2 = await until('replacement', async () => { const p = await podsOf('adopt'); return p.length === 2 && p.every((x) => x.metadata.name !== 'orphan') && p; });
    expect(now2).toHaveLength(2);
  });
});
