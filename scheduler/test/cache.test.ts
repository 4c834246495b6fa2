import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { Cache } from '../src/cache.ts';
import { FakeClock } from '../src/queue/clock.ts';
import { Snapshot } from '../src/framework/snapshot.ts';
import { makeNode, makePod } from './helpers.ts';

const bound = (p: Pod, node: string): Pod => ({ ...p, spec: { ...p.spec!, nodeName: node } });

describe('Cache', () => {
  it('counts an assumed pod on its node until forgotten', () => {
    const c = new Cache();
    c.addNode(makeNode('n1', { cpu: '2' }));
    const pod = bound(makePod('p', { cpu: '500m' }), 'n1');
    c.assumePod(pod);
    expect(c.isAssumedPod(pod)).toBe(true);
    let snap = c.snapshot();
    expect(snap.get('n1')!.requested.milliCPU).toBe(500);
    expect(snap.get('n1')!.pods.length).toBe(1);
    expect(() => c.assumePod(pod)).toThrow(/is in the cache/);
    c.forgetPod(pod);
    snap = c.snapshot();
    expect(snap.get('n1')!.requested.milliCPU).toBe(0);
    expect(c.isAssumedPod(pod)).toBe(false);
  });

  it('confirms an assumed pod on its Add event (possibly on another node)', () => {
    const c = new Cache();
    c.addNode(makeNode('n1'));
    c.addNode(makeNode('n2'));
    const pod = makePod('p', { cpu: '1' });
    c.assumePod(bound(pod, 'n1'));
    c.finishBinding(bound(pod, 'n1'));
    c.addPod(bound(pod, 'n2'));
    expect(c.isAssumedPod(pod)).toBe(false);
    const snap = c.snapshot();
    expect(snap.get('n1')!.pods.length).toBe(0);
    expect(snap.get('n2')!.requested.milliCPU).toBe(1000);
    expect(() => c.forgetPod(bound(pod, 'n2'))).toThrow(/wasn't assumed/);
  });

  it('expires assumed pods only after binding finished and the TTL passed', () => {
    const clock = new FakeClock();
    const c = new Cache({ clock, assumedPodTTLMs: 30_000 });
    c.addNode(makeNode('n1'));
    const a = bound(makePod('a'), 'n1');
    const b = bound(makePod('b'), 'n1');
    c.assumePod(a);
    c.assumePod(b);
    c.finishBinding(a);
    clock.step(30_000);
    expect(c.cleanupAssumedPods().map((p) => p.metadata!.name)).toEqual(['a']);
    expect(c.podCount()).toBe(1);
    expect(c.isAssumedPod(b)).toBe(true);
  });

  it('never expires with the default TTL of 0', () => {
    const clock = new FakeClock();
    const c = new Cache({ clock });
    c.addNode(makeNode('n1'));
    const a = bound(makePod('a'), 'n1');
    c.assumePod(a);
    c.finishBinding(a);
    clock.step(3_600_000);
    expect(c.cleanupAssumedPods()).toEqual([]);
  });

  it('updates and removes pods and nodes', () => {
    const c = new Cache();
    c.addNode(makeNode('n1'));
    const p = bound(makePod('p', { cpu: '1' }), 'n1');
    c.addPod(p);
    const p2 = { ...p, spec: { ...p.spec!, containers: [{ name: 'c', resources: { requests: { cpu: '2' } } }] } };
    c.updatePod(p, p2);
    expect(c.snapshot().get('n1')!.requested.milliCPU).toBe(2000);
    c.removeNode(makeNode('n1'));
    expect(c.nodeCount()).toBe(0);
    expect(c.podCount()).toBe(1); // pods stay until deleted
    expect(c.snapshot().numNodes()).toBe(0);
    c.addNode(makeNode('n1'));
    expect(c.snapshot().get('n1')!.pods.length).toBe(1);
    c.removePod(p2);
    expect(c.podCount()).toBe(0);
  });

  it('updates a snapshot incrementally and tracks image spread and affinity lists', () => {
    const c = new Cache();
    const img = { names: ['nginx:1.25'], sizeBytes: 100 * 1024 * 1024 };
    c.addNode(makeNode('n1', { images: [img] }));
    c.addNode(makeNode('n2'));
    const snap = new Snapshot();
    c.updateSnapshot(snap);
    const n2Before = snap.get('n2');
    expect(snap.get('n1')!.imageStates.get('nginx:1.25')).toEqual({ size: 100 * 1024 * 1024, numNodes: 1 });
    const anti = bound(
      makePod('a', {
        labels: { app: 'a' },
        spec: {
          containers: [{ name: 'c' }],
          affinity: {
            podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'a' } }, topologyKey: 'kubernetes.io/hostname' }] },
          },
        },
      }),
      'n1',
    );
    c.addPod(anti);
    c.addNode(makeNode('n3', { images: [img] }));
    c.updateSnapshot(snap);
    expect(snap.get('n2')).toBe(n2Before); // unchanged node not cloned again
    expect(snap.get('n3')!.imageStates.get('nginx:1.25')!.numNodes).toBe(2);
    expect(snap.havePodsWithRequiredAntiAffinityList.map((n) => n.name)).toEqual(['n1']);
    expect(snap.havePodsWithAffinityList.map((n) => n.name)).toEqual(['n1']);
    expect(snap.numNodes()).toBe(3);
    c.removeNode(makeNode('n3'));
    c.updateSnapshot(snap);
    expect(snap.numNodes()).toBe(2);
  });
});

describe('Cache node order', () => {
  it('lists nodes zone by zone in turn', () => {
    const c = new Cache();
    for (const [n, z] of [['a1', 'a'], ['a2', 'a'], ['a3', 'a'], ['b1', 'b'], ['c1', 'c'], ['c2', 'c']]) {
      c.addNode(makeNode(n, { labels: { 'topology.kubernetes.io/zone': z } }));
    }
    expect(c.snapshot().nodeInfoList.map((n) => n.name)).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
  });
});
