import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { FakeClock } from '../src/queue/clock.ts';
import { Events, SchedulingQueue, type QueuedPodInfo } from '../src/queue/scheduling-queue.ts';
import { Framework } from '../src/framework/runtime.ts';
import { defaultProfile } from '../src/plugins/registry.ts';
import { makePod } from './helpers.ts';

const names = (ps: Pod[]) => ps.map((p) => p.metadata!.name).sort();

function setup() {
  const clock = new FakeClock();
  const q = new SchedulingQueue({ clock, eventsToRegister: new Framework(defaultProfile()).eventsToRegister() });
  return { clock, q };
}

/** Pops a pod and fails it with the given rejecting plugins. */
async function fail(q: SchedulingQueue, plugins: string[]): Promise<QueuedPodInfo> {
  const p = (await q.pop())!;
  const cycle = q.schedulingCycle();
  p.unschedulablePlugins = new Set(plugins);
  q.addUnschedulableIfNotPresent(p, cycle);
  return p;
}

describe('SchedulingQueue ordering', () => {
  it('pops by priority, then by arrival', async () => {
    const { clock, q } = setup();
    q.add(makePod('low-1', { priority: 1 }));
    clock.step(1);
    q.add(makePod('high', { priority: 100 }));
    clock.step(1);
    q.add(makePod('low-0', { priority: 1 }));
    clock.step(1);
    q.add(makePod('mid', { priority: 50 }));
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await q.pop())!.pod.metadata!.name!);
    expect(order).toEqual(['high', 'mid', 'low-1', 'low-0']);
    expect(q.schedulingCycle()).toBe(4);
  });

  it('pop waits for a pod and resolves null on close', async () => {
    const { q } = setup();
    const waiting = q.pop();
    q.add(makePod('late'));
    expect((await waiting)!.pod.metadata!.name).toBe('late');
    const again = q.pop();
    q.close();
    expect(await again).toBeNull();
  });
});

describe('backoff', () => {
  it('doubles from 1s to at most 10s by attempts', () => {
    const { q } = setup();
    const info = (attempts: number) => ({ pod: makePod('p'), timestamp: 0, attempts, unschedulablePlugins: new Set<string>(), gated: false });
    expect([1, 2, 3, 4, 5, 6, 10].map((a) => q.backoffDuration(info(a)))).toEqual([1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });

  it('pods failing with an error go to backoffQ and return when it expires', async () => {
    const { clock, q } = setup();
    q.add(makePod('p'));
    await fail(q, []);
    expect(names(q.pendingPods().backoff)).toEqual(['p']);
    clock.step(999);
    q.flushBackoffQCompleted();
    expect(q.pendingPods().active).toEqual([]);
    clock.step(1);
    q.flushBackoffQCompleted();
    expect(names(q.pendingPods().active)).toEqual(['p']);
    // second attempt backs off 2s
    await fail(q, []);
    clock.step(1999);
    q.flushBackoffQCompleted();
    expect(q.pendingPods().active).toEqual([]);
    clock.step(1);
    q.flushBackoffQCompleted();
    expect(names(q.pendingPods().active)).toEqual(['p']);
  });
});

describe('unschedulable pods', () => {
  it('are parked and moved only by events their rejecting plugins registered', async () => {
    const { clock, q } = setup();
    q.add(makePod('cpu'));
    q.add(makePod('taint'));
    await fail(q, ['NodeResourcesFit']);
    await fail(q, ['TaintToleration']);
    expect(names(q.pendingPods().unschedulable)).toEqual(['cpu', 'taint']);
    clock.step(5000);
    q.moveAllToActiveOrBackoffQueue(Events.AssignedPodDelete);
    expect(names(q.pendingPods().active)).toEqual(['cpu']);
    expect(names(q.pendingPods().unschedulable)).toEqual(['taint']);
    q.moveAllToActiveOrBackoffQueue(Events.NodeUpdate);
    expect(names(q.pendingPods().active)).toEqual(['cpu', 'taint']);
  });

  it('go to backoffQ when moved while still backing off', async () => {
    const { clock, q } = setup();
    q.add(makePod('p'));
    await fail(q, ['NodeResourcesFit']);
    clock.step(500);
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd);
    expect(names(q.pendingPods().backoff)).toEqual(['p']);
    clock.step(500);
    q.flushBackoffQCompleted();
    expect(names(q.pendingPods().active)).toEqual(['p']);
  });

  it('go to backoffQ if a move request happened during their scheduling cycle', async () => {
    const { q } = setup();
    q.add(makePod('p'));
    const p = (await q.pop())!;
    const cycle = q.schedulingCycle();
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd); // e.g. a node was added while scheduling
    p.unschedulablePlugins = new Set(['NodeResourcesFit']);
    q.addUnschedulableIfNotPresent(p, cycle);
    expect(names(q.pendingPods().backoff)).toEqual(['p']);
  });

  it('are flushed after 5 minutes', async () => {
    const { clock, q } = setup();
    q.add(makePod('p'));
    await fail(q, ['NodeAffinity']);
    clock.step(5 * 60 * 1000);
    q.flushUnschedulablePodsLeftover();
    expect(names(q.pendingPods().unschedulable)).toEqual(['p']);
    clock.step(1);
    q.flushUnschedulablePodsLeftover();
    expect(names(q.pendingPods().active)).toEqual(['p']);
  });

  it('are retried when their spec changes, not when only status changes', async () => {
    const { clock, q } = setup();
    const pod = makePod('p');
    q.add(pod);
    await fail(q, ['NodeAffinity']);
    clock.step(20_000);
    const statusOnly = { ...pod, status: { ...pod.status, conditions: [{ type: 'PodScheduled', status: 'False' }] } };
    q.update(pod, statusOnly);
    expect(names(q.pendingPods().unschedulable)).toEqual(['p']);
    const relabeled = { ...statusOnly, metadata: { ...pod.metadata, labels: { a: 'b' } } };
    q.update(statusOnly, relabeled);
    expect(names(q.pendingPods().active)).toEqual(['p']);
    expect(q.pendingPods().active[0].metadata!.labels).toEqual({ a: 'b' });
  });
});

describe('update, delete, gates, nominated pods', () => {
  it('updates in place, re-sorting activeQ', async () => {
    const { clock, q } = setup();
    const a = makePod('a', { priority: 1 });
    q.add(a);
    clock.step(1);
    q.add(makePod('b', { priority: 5 }));
    q.update(a, { ...a, spec: { ...a.spec!, priority: 10 } });
    expect((await q.pop())!.pod.metadata!.name).toBe('a');
  });

  it('adds unknown pods on update and deletes from every queue', async () => {
    const { q } = setup();
    const p = makePod('x');
    q.update(null, p);
    expect(q.has(p)).toBe(true);
    q.delete(p);
    expect(q.has(p)).toBe(false);
    q.add(makePod('y'));
    await fail(q, []);
    const y = q.pendingPods().backoff[0];
    q.delete(y);
    expect(q.pendingPods()).toEqual({ active: [], backoff: [], unschedulable: [] });
  });

  it('does not requeue a pod deleted while it was being scheduled', async () => {
    const { q } = setup();
    const p = makePod('p');
    q.add(p);
    const info = (await q.pop())!;
    q.delete(p);
    info.unschedulablePlugins = new Set(['NodeResourcesFit']);
    q.addUnschedulableIfNotPresent(info, q.schedulingCycle());
    expect(q.has(p)).toBe(false);
  });

  it('holds gated pods until their gates are removed', () => {
    const { q } = setup();
    const gated = makePod('g', { spec: { containers: [{ name: 'c' }], schedulingGates: [{ name: 'wait' }] } });
    q.add(gated);
    expect(names(q.pendingPods().unschedulable)).toEqual(['g']);
    q.moveAllToActiveOrBackoffQueue(Events.NodeAdd);
    expect(names(q.pendingPods().unschedulable)).toEqual(['g']);
    const open = { ...gated, spec: { ...gated.spec!, schedulingGates: [] } };
    q.update(gated, open);
    expect(names(q.pendingPods().active)).toEqual(['g']);
  });

  it('tracks nominated pods per node', () => {
    const { q } = setup();
    const p = makePod('p', { nominatedNodeName: 'n1' });
    q.add(p);
    expect(names(q.nominatedPodsForNode('n1'))).toEqual(['p']);
    q.nominator.addNominatedPod(p, 'n2');
    expect(q.nominatedPodsForNode('n1')).toEqual([]);
    expect(names(q.nominatedPodsForNode('n2'))).toEqual(['p']);
    q.delete(p);
    expect(q.nominatedPodsForNode('n2')).toEqual([]);
  });
});
