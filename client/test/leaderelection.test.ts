import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { lookupResource } from '@k8ts/api/resources.ts';
import { Clientset } from '../src/clientset.ts';
import { LeaderElector, LeaseLock, microTime } from '../src/leaderelection.ts';
import { FakeApiServer } from './fake-apiserver.ts';
import { eventually } from './util.ts';

const leases = lookupResource('coordination.k8s.io', 'v1', 'leases')!;
const timing = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 150 };

interface Candidate {
  id: string;
  elector: LeaderElector;
  ctl: AbortController;
  run: Promise<void>;
  startedAt?: number;
  stoppedAt?: number;
  leadingSignal?: AbortSignal;
  newLeaders: string[];
  cs: Clientset;
}

describe('LeaderElector', () => {
  let fake: FakeApiServer;
  const all: Candidate[] = [];
  beforeEach(async () => { fake = new FakeApiServer(); await fake.start(); });
  afterEach(async () => {
    for (const c of all) { c.ctl.abort(); await c.run; c.cs.close(); }
    all.length = 0;
    await fake.stop();
  });

  function candidate(id: string, releaseOnCancel = false, t = timing): Candidate {
    const cs = new Clientset({ server: fake.url, token: `token-${id}`, insecureSkipTLSVerify: false, namespace: 'default', contextName: '' }, { maxRetries: 0 });
    const c = { id, ctl: new AbortController(), newLeaders: [] as string[], cs } as Candidate;
    c.elector = new LeaderElector({
      ...t,
      lock: new LeaseLock(cs.leases(), 'kube-system', 'kube-scheduler', id),
      releaseOnCancel,
      callbacks: {
        onStartedLeading: (signal) => { c.startedAt = Date.now(); c.leadingSignal = signal; },
        onStoppedLeading: () => { c.stoppedAt = Date.now(); },
        onNewLeader: (who) => c.newLeaders.push(who),
      },
    });
    c.run = c.elector.run(c.ctl.signal);
    all.push(c);
    return c;
  }

  const lease = () => fake.get(leases, 'kube-system', 'kube-scheduler') as (Lease & { metadata: { resourceVersion: string } }) | undefined;

  it('one candidate leads; the other takes over within the lease duration after the leader dies', async () => {
    const a = candidate('a');
    await eventually(() => a.startedAt !== undefined, 2000, 'a to lead');
    const b = candidate('b');
    await eventually(() => b.newLeaders.includes('a'), 2000, 'b to observe a');
    expect(lease()?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 1, leaseTransitions: 0 });
    // a keeps renewing: renewTime moves, b stays a follower well past the lease duration.
    const renew1 = lease()!.spec!.renewTime!;
    await new Promise((r) => setTimeout(r, 1300));
    expect(lease()!.spec!.renewTime! > renew1).toBe(true);
    expect(b.startedAt).toBeUndefined();
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.getLeader()).toBe('a');

    // a dies (no release): b must wait for the lease to expire, then take over.
    const killedAt = Date.now();
    a.ctl.abort();
    await a.run;
    expect(lease()?.spec?.holderIdentity).toBe('a'); // not released
    await eventually(() => b.startedAt !== undefined, 3000, 'b to take over');
    const took = b.startedAt! - killedAt;
    expect(took).toBeGreaterThan(500); // not before a's lease could have expired
    expect(took).toBeLessThan(timing.leaseDurationMs + 2.2 * timing.retryPeriodMs + 800); // slack for a loaded machine
    expect(lease()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(b.newLeaders).toEqual(['a', 'b']);
    expect(a.stoppedAt).toBeDefined();
    expect(a.leadingSignal?.aborted).toBe(true);
  });

  it('a leader that cannot renew steps down after renewDeadline and the other takes over', async () => {
    const a = candidate('a');
    await eventually(() => a.startedAt !== undefined, 2000, 'a to lead');
    const b = candidate('b');
    await eventually(() => b.newLeaders.includes('a'), 2000, 'b to observe a');
    // From now on the server refuses every write from a.
    const blockedAt = Date.now();
    fake.faults.push({ match: (r) => r.method === 'PUT' && r.headers.authorization === 'Bearer token-a', code: 500, times: 1e9 });
    await eventually(() => a.leadingSignal!.aborted, 2000, 'a to step down');
    const stepDown = Date.now() - blockedAt;
    expect(stepDown).toBeLessThan(timing.renewDeadlineMs + 2 * timing.retryPeriodMs + 800);
    await a.run; // run() returns when leadership is lost
    expect(a.stoppedAt).toBeDefined();
    await eventually(() => b.startedAt !== undefined, 3000, 'b to take over');
    expect(b.startedAt! - blockedAt).toBeLessThan(timing.leaseDurationMs + 2.2 * timing.retryPeriodMs + 1000);
    expect(lease()?.spec?.holderIdentity).toBe('b');
  });

  it('releases the lease on a graceful stop so the other takes over at once', async () => {
    // A long lease: without the release b would wait 4 s.
    const long = { leaseDurationMs: 4000, renewDeadlineMs: 2000, retryPeriodMs: 150 };
    const a = candidate('a', true, long);
    await eventually(() => a.startedAt !== undefined, 2000, 'a to lead');
    const b = candidate('b', false, long);
    await eventually(() => b.newLeaders.includes('a'), 2000, 'b to observe a');
    const stopAt = Date.now();
    a.ctl.abort();
    await a.run;
    expect(lease()?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await eventually(() => b.startedAt !== undefined, 2000, 'b to take over');
    expect(b.startedAt! - stopAt).toBeLessThan(1500);
    expect(lease()?.spec?.leaseTransitions).toBe(1);
  });

  it('never has two leaders with three candidates racing (optimistic concurrency)', async () => {
    const cs = ['x', 'y', 'z'].map((id) => candidate(id));
    await eventually(() => cs.some((c) => c.startedAt !== undefined), 2000, 'a leader');
    await new Promise((r) => setTimeout(r, 500));
    expect(cs.filter((c) => c.startedAt !== undefined)).toHaveLength(1);
    expect(cs.filter((c) => c.elector.isLeader())).toHaveLength(1);
  });

  it('validates its timing and formats MicroTime', () => {
    const cs = new Clientset({ server: 'http://127.0.0.1:1', insecureSkipTLSVerify: false, namespace: 'default', contextName: '' });
    const lock = new LeaseLock(cs.leases(), 'ns', 'l', 'me');
    const callbacks = { onStartedLeading: () => {}, onStoppedLeading: () => {} };
    expect(() => new LeaderElector({ lock, callbacks, leaseDurationMs: 1000, renewDeadlineMs: 1000 })).toThrow(/leaseDuration/);
    expect(() => new LeaderElector({ lock, callbacks, leaseDurationMs: 3000, renewDeadlineMs: 1000, retryPeriodMs: 1000 })).toThrow(/retryPeriod/);
    expect(() => new LeaderElector({ lock: new LeaseLock(cs.leases(), 'ns', 'l', ''), callbacks })).toThrow(/identity/);
    expect(microTime(new Date('2024-01-02T03:04:05.678Z'))).toBe('2024-01-02T03:04:05.678000Z');
    cs.close();
  });
});
