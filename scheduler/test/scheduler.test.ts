import { describe, expect, it } from 'vitest';
import type { Pod, PodCondition } from 'kubernetes-types/core/v1';
import { Scheduler, type SchedulerAPI } from '../src/scheduler.ts';
import { FakeClock } from '../src/queue/clock.ts';
import { makeNode, makePod } from './helpers.ts';

class FakeAPI implements SchedulerAPI {
  binds: string[] = [];
  events: string[] = [];
  statuses: { pod: string; condition?: PodCondition; nominatedNodeName?: string | null }[] = [];
  preempted: string[] = [];
  failBind = false;
  async bind(pod: Pod, node: string) {
    if (this.failBind) throw new Error('Operation cannot be fulfilled: pod is already assigned');
    this.binds.push(`${pod.metadata!.name}->${node}`);
  }
  async updatePodStatus(pod: Pod, u: { condition?: PodCondition; nominatedNodeName?: string | null }) {
    this.statuses.push({ pod: pod.metadata!.name!, ...u });
  }
  async preemptPod(victim: Pod, preemptor: Pod, node: string) {
    this.preempted.push(`${victim.metadata!.name} for ${preemptor.metadata!.name} on ${node}`);
  }
  event(obj: Pod, type: string, reason: string, message: string) {
    this.events.push(`${obj.metadata!.name} ${type} ${reason}: ${message}`);
  }
}

function setup() {
  const api = new FakeAPI();
  const clock = new FakeClock();
  const s = new Scheduler(api, { clock, random: () => 0 });
  return { api, clock, s };
}

describe('Scheduler', () => {
  it('binds a pod, records Scheduled and counts it in the cache', async () => {
    const { api, s } = setup();
    s.onNodeAdd(makeNode('n1', { cpu: '1' }));
    const pod = makePod('web', { cpu: '600m' });
    s.onPodAdd(pod);
    const r = await s.scheduleNext();
    expect(r).toMatchObject({ outcome: 'scheduled', node: 'n1' });
    await s.waitForBindings();
    expect(api.binds).toEqual(['web->n1']);
    expect(api.events).toEqual(['web Normal Scheduled: Successfully assigned default/web to n1']);
    // the assumed pod already counts: a second pod does not fit
    s.onPodAdd(makePod('second', { cpu: '600m' }));
    const r2 = await s.scheduleNext();
    expect(r2?.outcome).toBe('unschedulable');
    expect(r2?.message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
    // the informer then confirms the binding
    s.onPodUpdate(pod, { ...pod, spec: { ...pod.spec!, nodeName: 'n1' } });
    expect(s.cache.isAssumedPod(pod)).toBe(false);
    expect(s.cache.podCount()).toBe(1);
  });

  it('records FailedScheduling and the PodScheduled condition, and retries when a node is added', async () => {
    const { api, clock, s } = setup();
    s.onNodeAdd(makeNode('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }));
    s.onPodAdd(makePod('p'));
    const r = await s.scheduleNext();
    const msg =
      '0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';
    expect(r).toMatchObject({ outcome: 'unschedulable', message: msg });
    expect(api.events).toEqual([`p Warning FailedScheduling: ${msg}`]);
    expect(api.statuses[0].condition).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: msg });
    expect(s.queue.pendingPods().unschedulable.length).toBe(1);
    clock.step(2000);
    s.onNodeAdd(makeNode('worker'));
    expect(s.queue.pendingPods().active.length).toBe(1);
    expect(await s.scheduleNext()).toMatchObject({ outcome: 'scheduled', node: 'worker' });
  });

  it('preempts lower-priority pods and nominates the node', async () => {
    const { api, clock, s } = setup();
    s.onNodeAdd(makeNode('n1', { cpu: '1' }));
    const victim = makePod('low', { nodeName: 'n1', cpu: '1', priority: 0 });
    s.onPodAdd(victim);
    s.onPodAdd(makePod('high', { cpu: '1', priority: 1000 }));
    const r = await s.scheduleNext();
    expect(r?.outcome).toBe('unschedulable');
    expect(api.preempted).toEqual(['low for high on n1']);
    expect(api.events.some((e) => e.startsWith('low Normal Preempted: Preempted by pod uid-high'))).toBe(true);
    expect(api.statuses.at(-1)).toMatchObject({ pod: 'high', nominatedNodeName: 'n1' });
    expect(s.queue.nominatedPodsForNode('n1').map((p) => p.metadata!.name)).toEqual(['high']);
    // the victim goes away; the preemptor is retried after its backoff
    s.onPodDelete(victim);
    clock.step(1000);
    s.queue.flushBackoffQCompleted();
    expect(await s.scheduleNext()).toMatchObject({ outcome: 'scheduled', node: 'n1' });
  });

  it('forgets the assumed pod and backs off when binding fails', async () => {
    const { api, clock, s } = setup();
    s.onNodeAdd(makeNode('n1'));
    s.onPodAdd(makePod('p', { cpu: '1' }));
    api.failBind = true;
    await s.scheduleNext();
    await s.waitForBindings();
    expect(s.cache.podCount()).toBe(0);
    expect(s.queue.pendingPods().backoff.map((p) => p.metadata!.name)).toEqual(['p']);
    expect(api.statuses.at(-1)?.condition).toMatchObject({ reason: 'SchedulerError', message: 'Operation cannot be fulfilled: pod is already assigned' });
    api.failBind = false;
    clock.step(1000);
    s.queue.flushBackoffQCompleted();
    await s.scheduleNext();
    await s.waitForBindings();
    expect(api.binds).toEqual(['p->n1']);
  });

  it('moves parked pods on meaningful node updates only', async () => {
    const { clock, s } = setup();
    const base = makeNode('n1', { taints: [{ key: 'maintenance', effect: 'NoSchedule' }] });
    const node = { ...base, status: { ...base.status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'w' }] } };
    s.onNodeAdd(node);
    s.onPodAdd(makePod('p'));
    await s.scheduleNext();
    clock.step(2000);
    const heartbeat = { ...node, status: { ...node.status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'x' }] } };
    s.onNodeUpdate(node, heartbeat);
    expect(s.queue.pendingPods().active).toEqual([]);
    const hb2 = { ...heartbeat, status: { ...heartbeat.status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'y' }] } };
    s.onNodeUpdate(heartbeat, hb2);
    expect(s.queue.pendingPods().active).toEqual([]);
    const untainted = { ...hb2, spec: { ...hb2.spec, taints: [] } };
    s.onNodeUpdate(hb2, untainted);
    expect(s.queue.pendingPods().active.map((p) => p.metadata!.name)).toEqual(['p']);
  });

  it('survives a failing plugin and retries the pod after backoff', async () => {
    const api = new FakeAPI();
    const clock = new FakeClock();
    let broken = true;
    const bad = {
      name: 'Broken',
      filter: () => {
        if (broken) throw new Error('boom');
        return null;
      },
    };
    const { defaultProfile } = await import('../src/plugins/registry.ts');
    const prof = defaultProfile({ bind: (p, n) => api.bind(p, n) });
    prof.plugins.unshift({ plugin: bad });
    const s = new Scheduler(api, { clock, profiles: [prof] });
    s.onNodeAdd(makeNode('n1'));
    s.onNodeAdd(makeNode('n2'));
    s.onPodAdd(makePod('p'));
    const r = await s.scheduleNext();
    expect(r).toMatchObject({ outcome: 'error', message: 'boom' });
    expect(s.queue.pendingPods().backoff.length).toBe(1);
    broken = false;
    clock.step(1000);
    s.queue.flushBackoffQCompleted();
    expect((await s.scheduleNext())?.outcome).toBe('scheduled');
  });

  it('reports an empty cluster as Unschedulable', async () => {
    const { api, s } = setup();
    s.onPodAdd(makePod('p'));
    await s.scheduleNext();
    expect(api.statuses[0].condition).toMatchObject({ reason: 'Unschedulable', message: 'no nodes available to schedule pods' });
    expect(api.events).toEqual(['p Warning FailedScheduling: no nodes available to schedule pods']);
  });

  it('ignores pods for other schedulers and deleted pods', async () => {
    const { s } = setup();
    s.onNodeAdd(makeNode('n1'));
    s.onPodAdd(makePod('other', { spec: { containers: [{ name: 'c' }], schedulerName: 'my-scheduler' } }));
    expect(s.queue.pendingPods().active).toEqual([]);
    const p = makePod('gone');
    s.onPodAdd(p);
    s.onPodDelete(p);
    expect(s.queue.pendingPods().active).toEqual([]);
  });

  it('run() schedules until aborted', async () => {
    const { api, s } = setup();
    s.onNodeAdd(makeNode('n1'));
    for (let i = 0; i < 5; i++) s.onPodAdd(makePod(`p${i}`));
    const ctl = new AbortController();
    const done = s.run(ctl.signal);
    await new Promise((r) => setTimeout(r, 50));
    ctl.abort();
    await done;
    expect(api.binds.length).toBe(5);
  });
});
