// 5,000 nodes through the whole Scheduler (fake API): throughput and spreading of identical pods.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { Scheduler, type SchedulerAPI } from '../src/scheduler.ts';
import { makeNode, makePod } from './helpers.ts';

describe('5,000-node benchmark', () => {
  it('schedules pods across 5,000 nodes evaluating 10% of them per pod', async () => {
    const placed = new Map<string, number>();
    const api: SchedulerAPI = {
      async bind(_pod: Pod, node: string) {
        placed.set(node, (placed.get(node) ?? 0) + 1);
      },
      async updatePodStatus() {},
      async preemptPod() {},
      event() {},
    };
    const s = new Scheduler(api);
    for (let i = 0; i < 5000; i++) s.onNodeAdd(makeNode(`node-${i}`, { labels: { 'topology.kubernetes.io/zone': `zone-${i % 3}` } }));
    const P = 300;
    for (let i = 0; i < P; i++) s.onPodAdd(makePod(`p${i}`, { cpu: '100m', memory: '128Mi', labels: { app: `a${i % 10}` } }));
    const t0 = performance.now();
    let evaluated = 0;
    for (let i = 0; i < P; i++) {
      const r = await s.scheduleNext();
      expect(r?.outcome).toBe('scheduled');
      evaluated++;
    }
    await s.waitForBindings();
    const secs = (performance.now() - t0) / 1000;
    const rate = P / secs;
    console.log(`5000 nodes: ${P} pods in ${secs.toFixed(2)} s (${rate.toFixed(0)} pods/s)`);
    expect(evaluated).toBe(P);
    expect([...placed.values()].reduce((a, b) => a + b, 0)).toBe(P);
    // LeastAllocated: with empty nodes among the 500 evaluated each cycle, no node gets a second pod.
    expect(Math.max(...placed.values())).toBe(1);
    expect(rate).toBeGreaterThan(10);
  }, 120_000);
});
