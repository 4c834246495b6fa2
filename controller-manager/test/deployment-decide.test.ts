import { describe, it, expect } from 'vitest';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { computeHash, safeEncodeString } from '../src/deployment/hash.ts';
import { newRSNewReplicas, reconcileNewReplicaSet, reconcileOldReplicaSets } from '../src/deployment/rolling.ts';
import { isScalingEvent, replicaSetsToCleanUp, scalePlan } from '../src/deployment/sync.ts';
import { calculateStatus, pausedConditionStatus, requeueStuckDeploymentMs, rolloutStatus } from '../src/deployment/progress.ts';
import { equalIgnoreHash, findActiveOrLatest, findNewReplicaSet, maxSurge, maxUnavailable, resolveFenceposts, setNewReplicaSetAnnotations } from '../src/deployment/util.ts';

const now = Date.parse('2026-01-01T00:00:00Z');
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });
function deploy(replicas: number, o: { surge?: number | string; unavailable?: number | string; recreate?: boolean; history?: number; status?: Deployment['status']; generation?: number } = {}): Deployment {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: o.generation ?? 1 },
    spec: {
      replicas, selector: { matchLabels: { app: 'web' } }, template: template('v2'), revisionHistoryLimit: o.history ?? 10, progressDeadlineSeconds: 600,
      strategy: o.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.surge ?? '25%', maxUnavailable: o.unavailable ?? '25%' } },
    },
    status: o.status,
  };
}
function rs(name: string, replicas: number, o: { available?: number; created?: number; revision?: number; max?: number; desired?: number; image?: string; statusReplicas?: number } = {}): ReplicaSet {
  const annotations: Record<string, string> = {};
  if (o.revision !== undefined) annotations['deployment.kubernetes.io/revision'] = String(o.revision);
  if (o.max !== undefined) annotations['deployment.kubernetes.io/max-replicas'] = String(o.max);
  if (o.desired !== undefined) annotations['deployment.kubernetes.io/desired-replicas'] = String(o.desired);
  return {
    metadata: { name, uid: `uid-${name}`, creationTimestamp: new Date(now - (o.created ?? 0) * 1000).toISOString(), annotations, generation: 1 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: template(o.image ?? 'v1') },
    status: { replicas: o.statusReplicas ?? replicas, availableReplicas: o.available ?? replicas, readyReplicas: o.available ?? replicas, observedGeneration: 1 },
  };
}

describe('maxSurge / maxUnavailable', () => {
  it('rounds surge up and unavailability down; both zero means one unavailable', () => {
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts('25%', '25%', 1)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts(0, 0, 5)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts('0%', '10%', 5)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts(2, '50%', 3)).toEqual({ surge: 2, unavailable: 1 });
    expect(maxUnavailable(deploy(3, { unavailable: 10 }))).toBe(3);
    expect(maxUnavailable(deploy(0))).toBe(0);
    expect(maxSurge(deploy(4, { recreate: true }))).toBe(0);
    expect(maxUnavailable(deploy(4, { recreate: true }))).toBe(0);
  });
});

describe('rolling update steps', () => {
  it('grows the new ReplicaSet within the surge', () => {
    const d = deploy(10, { surge: 3, unavailable: 2 });
    const old = rs('old', 10, { created: 100 }), fresh = rs('new', 0, { image: 'v2' });
    expect(newRSNewReplicas(d, [old, fresh], fresh)).toBe(3);
    expect(reconcileNewReplicaSet(d, [old, { ...fresh, spec: { ...fresh.spec!, replicas: 3 } }], { ...fresh, spec: { ...fresh.spec!, replicas: 3 } })).toBeUndefined();
    const over = rs('new', 12, { image: 'v2' });
    expect(reconcileNewReplicaSet(d, [over], over)).toBe(10);
    expect(newRSNewReplicas(deploy(10, { recreate: true }), [old, fresh], fresh)).toBe(10);
  });
  it('scales old ReplicaSets down as far as minAvailable allows, unhealthy replicas first', () => {
    const d = deploy(10, { surge: 3, unavailable: 2 });
    const fresh = rs('new', 3, { image: 'v2', available: 0 });
    const healthy = rs('old', 10, { created: 100 });
    expect(reconcileOldReplicaSets(d, [healthy, fresh], [healthy], fresh).map((s) => [s.rs.metadata!.name, s.replicas])).toEqual([['old', 8]]);
    const sick = rs('old', 10, { created: 100, available: 8 });
    expect(reconcileOldReplicaSets(d, [sick, fresh], [sick], fresh).map((s) => [s.rs.metadata!.name, s.replicas])).toEqual([['old', 8]]);
    // New pods available: the rest of the old ones may go, oldest ReplicaSet first.
    const ready = rs('new', 3, { image: 'v2', available: 3 });
    const older = rs('older', 2, { created: 200 }), old = rs('old', 8, { created: 100 });
    expect(reconcileOldReplicaSets(d, [older, old, ready], [older, old], ready).map((s) => [s.rs.metadata!.name, s.replicas])).toEqual([['older', 0], ['old', 5]]);
    // maxUnavailable 0: nothing goes until a new pod is available.
    const strict = deploy(3, { surge: 1, unavailable: 0 });
    const n1 = rs('new', 1, { image: 'v2', available: 0 }), o3 = rs('old', 3, { created: 100 });
    expect(reconcileOldReplicaSets(strict, [o3, n1], [o3], n1)).toEqual([]);
    const n1ready = rs('new', 1, { image: 'v2', available: 1 });
    expect(reconcileOldReplicaSets(strict, [o3, n1ready], [o3], n1ready).map((s) => s.replicas)).toEqual([2]);
  });
});

describe('proportional scaling', () => {
  it('spreads a scale-up by each ReplicaSet\'s share of max-replicas, biggest first', () => {
    const d = deploy(20, { surge: 3, unavailable: 2 });
    const a = rs('a', 8, { created: 100, max: 13, desired: 10 }), b = rs('b', 5, { max: 13, desired: 10, image: 'v2' });
    expect(isScalingEvent(d, [a, b])).toBe(true);
    expect(scalePlan(d, b, [a]).map((s) => [s.rs.metadata!.name, s.replicas])).toEqual([['a', 14], ['b', 9]]);
  });
  it('spreads a scale-down, older first on ties, and leftovers go to the first', () => {
    const d = deploy(5, { surge: 3, unavailable: 2 });
    const a = rs('a', 8, { created: 100, max: 13 }), b = rs('b', 5, { max: 13, image: 'v2' });
    expect(scalePlan(d, b, [a]).map((s) => [s.rs.metadata!.name, s.replicas])).toEqual([['a', 5], ['b', 3]]);
    const c = rs('c', 3, { created: 200, max: 7 }), e = rs('e', 3, { created: 100, max: 7, image: 'v2' });
    const plan = scalePlan(deploy(2, { surge: 1, unavailable: 0 }), e, [c]);
    expect(plan.map((s) => [s.rs.metadata!.name, s.replicas])).toEqual([['c', 1], ['e', 2]]);
  });
  it('a single active ReplicaSet takes the whole count; a saturated new one ends the old', () => {
    const d = deploy(7);
    const only = rs('only', 3, { image: 'v2' });
    expect(scalePlan(d, only, [rs('old', 0)])).toEqual([{ rs: only, replicas: 7 }]);
    expect(findActiveOrLatest(undefined, [rs('x', 0, { created: 10 }), rs('y', 0, { created: 5 })])!.metadata!.name).toBe('y');
    const sat = rs('new', 7, { image: 'v2', desired: 7 }), old = rs('old', 2, { created: 100 });
    expect(scalePlan(d, sat, [old])).toEqual([{ rs: old, replicas: 0 }]);
    expect(isScalingEvent(d, [sat, old])).toBe(false);
  });
});

describe('pod-template-hash', () => {
  it('is stable, ignores key order, and changes with the template or the collision count', () => {
    const h = computeHash(template('v1'));
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(computeHash({ spec: { containers: [{ image: 'v1', name: 'c' }] }, metadata: { labels: { app: 'web' } } })).toBe(h);
    expect(computeHash(template('v2'))).not.toBe(h);
    expect(computeHash(template('v1'), 1)).not.toBe(h);
    expect(computeHash(template('v1'), 1)).toBe(computeHash(template('v1'), 1));
    expect(computeHash(template('v1'), 0)).not.toBe(h);
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });
  it('finds the new ReplicaSet ignoring the hash label', () => {
    const d = deploy(1);
    const withHash = rs('new', 1, { image: 'v2' });
    withHash.spec!.template!.metadata!.labels = { app: 'web', 'pod-template-hash': 'abc' };
    expect(equalIgnoreHash(withHash.spec!.template, d.spec!.template)).toBe(true);
    expect(findNewReplicaSet(d, [rs('old', 1), withHash])).toBe(withHash);
  });
});

describe('revisions and history', () => {
  it('raises a reused ReplicaSet\'s revision and remembers the old one', () => {
    const d = deploy(3);
    d.metadata!.annotations = { 'kubernetes.io/change-cause': 'undo', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '2' };
    const r = rs('old', 0, { revision: 1 });
    expect(setNewReplicaSetAnnotations(d, r, 3, true)).toBe(true);
    expect(r.metadata!.annotations).toEqual({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1', 'kubernetes.io/change-cause': 'undo' });
    expect(setNewReplicaSetAnnotations(d, r, 3, true)).toBe(false);
    const created = rs('new', 0);
    setNewReplicaSetAnnotations(d, created, 1, false);
    expect(created.metadata!.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
  });
  it('cleans up the oldest revisions beyond the limit that are scaled down', () => {
    const d = deploy(3, { history: 1 });
    const olds = [rs('r3', 0, { revision: 3 }), rs('r1', 0, { revision: 1 }), rs('r2', 0, { revision: 2 })];
    expect(replicaSetsToCleanUp(d, olds).map((r) => r.metadata!.name)).toEqual(['r1', 'r2']);
    expect(replicaSetsToCleanUp(d, [rs('r1', 1, { revision: 1 }), rs('r2', 0, { revision: 2 })])).toEqual([]);
    expect(replicaSetsToCleanUp(d, [rs('r1', 0, { revision: 1, statusReplicas: 1 }), rs('r2', 0, { revision: 2 })])).toEqual([]);
    const noLimit = deploy(3);
    delete noLimit.spec!.revisionHistoryLimit;
    expect(replicaSetsToCleanUp(noLimit, olds)).toEqual([]);
  });
});

describe('status and conditions', () => {
  it('counts replicas and sets Available', () => {
    const d = deploy(4, { surge: 1, unavailable: 1 });
    const s = calculateStatus(d, [rs('old', 2, { available: 2 }), rs('new', 3, { available: 1, image: 'v2' })], rs('new', 3, { available: 1, image: 'v2' }), now);
    expect(s).toMatchObject({ observedGeneration: 1, replicas: 5, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 2 });
    expect(s.conditions).toEqual([{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    const low = calculateStatus(d, [rs('new', 4, { available: 2 })], rs('new', 4, { available: 2 }), now);
    expect(low.conditions![0]).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
  });
  it('Progressing: updated, then successfully progressed, or timed out; paused/resumed', () => {
    const started = now - 1000;
    const prog = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: 'Created new replica set "web-x"', lastUpdateTime: new Date(started).toISOString(), lastTransitionTime: new Date(started).toISOString() };
    const d = deploy(2, { surge: 1, unavailable: 0, status: { replicas: 2, updatedReplicas: 0, conditions: [prog] } });
    const n = rs('web-x', 1, { image: 'v2', available: 0 });
    const s1 = rolloutStatus(d, [rs('old', 2), n], n, now);
    expect(s1.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-x" is progressing.', lastTransitionTime: prog.lastTransitionTime, lastUpdateTime: '2026-01-01T00:00:00Z' });
    expect(requeueStuckDeploymentMs(d, s1, now)).toBe(601_000);
    const done = rs('web-x', 2, { image: 'v2' });
    const s2 = rolloutStatus({ ...d, status: s1 }, [rs('old', 0), done], done, now);
    expect(s2.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-x" has successfully progressed.' });
    expect(requeueStuckDeploymentMs(d, s2, now)).toBeUndefined();
    const stuck = rolloutStatus({ ...d, status: { ...s1 } }, [rs('old', 2), n], n, now + 700_000);
    expect(stuck.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-x" has timed out progressing.' });
    const paused = pausedConditionStatus({ ...d, spec: { ...d.spec!, paused: true } }, now);
    expect(paused!.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' });
    expect(pausedConditionStatus({ ...d, status: paused }, now)!.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({ reason: 'DeploymentResumed', message: 'Deployment is resumed' });
    expect(pausedConditionStatus(d, now)).toBeUndefined();
  });
});
