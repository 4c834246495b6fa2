// Deployment and ReplicaSet controllers together against the API server on real etcd. No kubelet:
// the test plays it by writing pods' status (Running, Ready) through pods/status.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { Clientset, SharedInformerFactory, loadRestConfig, createLogger, type Typed } from '@k8ts/client';
import { ReplicaSetController } from '../src/replicaset/controller.ts';
import { DeploymentController } from '../src/deployment/controller.ts';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';
import { until } from './helpers.ts';

const ns = 'default';
const rev = 'deployment.kubernetes.io/revision';

describe('DeploymentController against the API server on real etcd', () => {
  let s: TestServer;
  let cs: Clientset;
  const stop = new AbortController();
  beforeAll(async () => {
    s = await startTestServer();
    cs = new Clientset(loadRestConfig({ kubeconfig: s.kubeconfig }));
    const informers = new SharedInformerFactory(cs);
    const log = createLogger({ component: 'test', verbosity: -1 });
    const rsc = new ReplicaSetController(cs, informers, log);
    const dc = new DeploymentController(cs, informers, log);
    informers.start(stop.signal);
    await informers.waitForCacheSync(stop.signal);
    void rsc.run(3, stop.signal);
    void dc.run(3, stop.signal);
  });
  afterAll(async () => {
    stop.abort();
    cs?.close();
    await s?.stop();
  });

  const livePods = async (app: string) => (await cs.pods(ns).list({ labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);
  const rsOf = async (app: string) => (await cs.replicaSets(ns).list({ labelSelector: `app=${app}` })).items
    .sort((a, b) => Number(a.metadata.annotations?.[rev]) - Number(b.metadata.annotations?.[rev]));
  const get = (name: string) => cs.deployments(ns).get(name);
  const ts = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

  /** The kubelet's part: mark every not-yet-ready pod of the app Running and Ready. */
  async function markReady(app: string, max = Infinity): Promise<number> {
    let n = 0;
    for (const p of await livePods(app)) {
      if (n >= max) break;
      if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      await cs.pods(ns).patch(p.metadata.name!, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ts() }] } }, 'merge', { subresource: 'status' });
      n++;
    }
    return n;
  }
  /** Until the deployment is complete (as `kubectl rollout status` judges it), making pods ready as they come. */
  async function rollOut(name: string, app = name): Promise<Typed<Deployment>> {
    return until(`${name} rolled out`, async () => {
      await markReady(app);
      const d = await get(name);
      const st = d.status ?? {};
      const done = (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && st.updatedReplicas === d.spec?.replicas && st.replicas === d.spec?.replicas &&
        st.availableReplicas === d.spec?.replicas && d.status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable');
      return done && d;
    }, 20_000);
  }
  const newDeployment = (name: string, replicas: number, image: string, spec: Partial<NonNullable<Deployment['spec']>> = {}): Typed<Deployment> => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      ...spec,
    },
  });
  const setImage = (name: string, image: string) => cs.deployments(ns).patch(name, { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } }, 'strategic');
  const events = async (name: string) => (await cs.events(ns).list()).items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === 'Deployment');

  it('creates one ReplicaSet and 3 pods, then rolls an image change within maxSurge/maxUnavailable; rollback reuses the old ReplicaSet', async () => {
    const created = await cs.deployments(ns).create(newDeployment('web', 3, 'busybox:1', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    const pods = await until('3 pods', async () => { const p = await livePods('web'); return p.length === 3 && p; });
    const [rs1] = await rsOf('web');
    expect(await rsOf('web')).toHaveLength(1);
    const hash = rs1.metadata.labels!['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs1.metadata.name).toBe(`web-${hash}`);
    expect(rs1.spec!.selector).toEqual({ matchLabels: { app: 'web', 'pod-template-hash': hash } });
    expect(rs1.spec!.template!.metadata!.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs1.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(rs1.metadata.annotations).toMatchObject({ [rev]: '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    for (const p of pods) expect(p.metadata.name!.startsWith(`web-${hash}-`)).toBe(true);

    let d = await rollOut('web');
    expect(d.metadata.annotations?.[rev]).toBe('1');
    // Settled: no more writes (a status that never compares equal would loop forever).
    await new Promise((r) => setTimeout(r, 300));
    const settled = [(await get('web')).metadata.resourceVersion, (await rsOf('web'))[0].metadata.resourceVersion];
    await new Promise((r) => setTimeout(r, 500));
    expect([(await get('web')).metadata.resourceVersion, (await rsOf('web'))[0].metadata.resourceVersion]).toEqual(settled);
    expect(d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status!.unavailableReplicas).toBeUndefined();
    expect(d.status!.conditions!.map((c) => [c.type, c.status, c.reason, c.message])).toEqual(expect.arrayContaining([
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "web-${hash}" has successfully progressed.`],
    ]));
    expect((await until('scale-up event', async () => { const e = await events('web'); return e.length > 0 && e; }))[0].message).toBe(`Scaled up replica set web-${hash} from 0 to 3`);

    // Roll: the surge allows one new pod; with maxUnavailable 0 no old pod goes until it is ready.
    await setImage('web', 'busybox:2');
    const rs2 = await until('new RS', async () => { const l = await rsOf('web'); return l.length === 2 && l[1].spec?.replicas === 1 && l[1]; });
    expect(rs2.metadata.annotations?.[rev]).toBe('2');
    await new Promise((r) => setTimeout(r, 400));
    let [old, cur] = await rsOf('web');
    expect([old.spec?.replicas, cur.spec?.replicas]).toEqual([3, 1]);
    expect(await livePods('web')).toHaveLength(4);
    let steps = 0;
    while ((old.spec?.replicas ?? 0) > 0) {
      expect((old.spec?.replicas ?? 0) + (cur.spec?.replicas ?? 0)).toBeLessThanOrEqual(4);
      expect(await markReady('web', 1)).toBeLessThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 150));
      [old, cur] = await rsOf('web');
      // maxUnavailable 0: never fewer than 3 ready pods.
      const ready = (await livePods('web')).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      expect(ready.length).toBeGreaterThanOrEqual(3);
      if (++steps > 60) throw new Error('rollout did not finish');
    }
    d = await rollOut('web');
    [old, cur] = await rsOf('web');
    expect(old.metadata.name).toBe(rs1.metadata.name);
    expect([old.spec?.replicas, cur.spec?.replicas]).toEqual([0, 3]);
    expect([old.metadata.annotations?.[rev], cur.metadata.annotations?.[rev], d.metadata.annotations?.[rev]]).toEqual(['1', '2', '2']);
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    const msgs = (await events('web')).map((e) => e.message);
    expect(msgs).toContain(`Scaled up replica set ${cur.metadata.name} from 0 to 1`);
    expect(msgs).toContain(`Scaled down replica set ${old.metadata.name} from 3 to 2`);
    expect(msgs).toContain(`Scaled down replica set ${old.metadata.name} from 1 to 0`);

    // Rollback (what `kubectl rollout undo` does): the template goes back to revision 1's.
    await setImage('web', 'busybox:1');
    d = await rollOut('web');
    const after = await rsOf('web');
    expect(after).toHaveLength(2);
    const back = after.find((r) => r.metadata.name === rs1.metadata.name)!;
    expect(back.metadata.annotations).toMatchObject({ [rev]: '3', 'deployment.kubernetes.io/revision-history': '1' });
    expect(back.spec?.replicas).toBe(3);
    expect(after.find((r) => r.metadata.name !== rs1.metadata.name)!.spec?.replicas).toBe(0);
    expect(d.metadata.annotations?.[rev]).toBe('3');
  });

  it('scales, proportionally in the middle of a rollout; a restartedAt annotation rolls a new ReplicaSet', async () => {
    await cs.deployments(ns).create(newDeployment('api', 2, 'busybox:1'));
    await rollOut('api');
    await cs.deployments(ns).patch('api', { spec: { replicas: 5 } }, 'merge');
    let d = await rollOut('api');
    expect(await livePods('api')).toHaveLength(5);
    const [only] = await rsOf('api');
    expect(only.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/desired-replicas': '5', 'deployment.kubernetes.io/max-replicas': '7' });
    expect((await events('api')).map((e) => e.message)).toContain(`Scaled up replica set ${only.metadata.name} from 2 to 5`);

    await cs.deployments(ns).patch('api', { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': ts() } } } } }, 'strategic');
    d = await rollOut('api');
    const l = await rsOf('api');
    expect(l.map((r) => r.spec?.replicas)).toEqual([0, 5]);
    expect(l[1].spec!.template!.metadata!.annotations!['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    expect(d.metadata.annotations?.[rev]).toBe('2');

    // Scaling in the middle of a rollout spreads the change by each ReplicaSet's share (max-replicas).
    await cs.deployments(ns).patch('api', { spec: { replicas: 4, strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } }, 'merge');
    await rollOut('api');
    await setImage('api', 'busybox:2');
    await until('stuck rollout 4+1', async () => { const x = await rsOf('api'); return x.length === 3 && x[1].spec?.replicas === 4 && x[2].spec?.replicas === 1 && x[2].metadata.annotations?.['deployment.kubernetes.io/max-replicas'] === '5'; });
    await cs.deployments(ns).patch('api', { spec: { replicas: 8 } }, 'merge');
    const spread = await until('proportional 7+2', async () => { const x = await rsOf('api'); return x[1].spec?.replicas === 7 && x[2].spec?.replicas === 2 && x; });
    expect(spread.map((r) => r.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'])).toEqual(['5', '8', '8']);
    expect(spread[0].spec?.replicas).toBe(0);
    await rollOut('api');
    expect((await rsOf('api')).map((r) => r.spec?.replicas)).toEqual([0, 0, 8]);

    await cs.deployments(ns).patch('api', { spec: { replicas: 1 } }, 'merge');
    d = await until('scaled down', async () => { const x = await get('api'); return x.status?.replicas === 1 && x.status.observedGeneration === x.metadata.generation && x; });
    expect(await livePods('api')).toHaveLength(1);
  });

  it('Recreate: all old pods go before the new ReplicaSet gets any', async () => {
    await cs.deployments(ns).create(newDeployment('rec', 2, 'busybox:1', { strategy: { type: 'Recreate' } }));
    await rollOut('rec');
    const [first] = await rsOf('rec');
    await setImage('rec', 'busybox:2');
    let overlap = false;
    await until('recreated', async () => {
      const pods = await livePods('rec');
      const hashes = new Set(pods.map((p) => p.metadata.labels?.['pod-template-hash']));
      if (hashes.size > 1) overlap = true;
      await markReady('rec');
      const l = await rsOf('rec');
      return l.length === 2 && l[1].status?.availableReplicas === 2 && l[0].status?.replicas === 0;
    });
    expect(overlap).toBe(false);
    const [old, cur] = await rsOf('rec');
    expect(old.metadata.name).toBe(first.metadata.name);
    expect([old.spec?.replicas, cur.spec?.replicas]).toEqual([0, 2]);
    const msgs = (await events('rec')).map((e) => e.message);
    expect(msgs).toContain(`Scaled down replica set ${old.metadata.name} from 2 to 0`);
    expect(msgs).toContain(`Scaled up replica set ${cur.metadata.name} from 0 to 2`);
    await rollOut('rec');
  });

  it('a rollout that makes no progress within progressDeadlineSeconds is marked ProgressDeadlineExceeded', async () => {
    await cs.deployments(ns).create(newDeployment('stuck', 1, 'busybox:1', { progressDeadlineSeconds: 1 }));
    const d = await until('deadline', async () => {
      const x = await get('stuck');
      return x.status?.conditions?.some((c) => c.type === 'Progressing' && c.status === 'False') && x;
    }, 8000);
    const [r] = await rsOf('stuck');
    expect(d.status!.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${r.metadata.name}" has timed out progressing.` });
    expect(d.status!.conditions!.find((c) => c.type === 'Available')).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
    // Progress after the deadline still completes the rollout.
    await rollOut('stuck');
  });

  it('revisionHistoryLimit keeps only that many old ReplicaSets; paused deployments do not roll', async () => {
    await cs.deployments(ns).create(newDeployment('hist', 1, 'busybox:1', { revisionHistoryLimit: 1 }));
    await rollOut('hist');
    const names: string[] = [(await rsOf('hist'))[0].metadata.name!];
    for (const image of ['busybox:2', 'busybox:3']) {
      await setImage('hist', image);
      await rollOut('hist');
      names.push((await rsOf('hist')).at(-1)!.metadata.name!);
    }
    const left = await until('cleanup', async () => { const l = await rsOf('hist'); return l.length === 2 && l; });
    expect(left.map((r) => r.metadata.name)).toEqual([names[1], names[2]]);
    expect(left.map((r) => r.metadata.annotations?.[rev])).toEqual(['2', '3']);

    await cs.deployments(ns).patch('hist', { spec: { paused: true } }, 'merge');
    await until('paused condition', async () => (await get('hist')).status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused'));
    await setImage('hist', 'busybox:4');
    await new Promise((r) => setTimeout(r, 500));
    // No new ReplicaSet while paused; the running one keeps its pod (upstream still cleans history
    // while paused, and with the template changed every ReplicaSet counts as old, so revision 2 may go).
    const paused = await rsOf('hist');
    expect(paused.map((r) => r.metadata.annotations?.[rev])).not.toContain('4');
    expect(paused.find((r) => r.metadata.name === names[2])!.spec?.replicas).toBe(1);
    expect(await livePods('hist')).toHaveLength(1);
    await cs.deployments(ns).patch('hist', { spec: { paused: false } }, 'merge');
    const d = await rollOut('hist');
    expect(d.metadata.annotations?.[rev]).toBe('4');
    expect((await rsOf('hist')).map((r) => r.metadata.annotations?.[rev])).toEqual(['3', '4']);
  });
});

export type { Pod, ReplicaSet };
