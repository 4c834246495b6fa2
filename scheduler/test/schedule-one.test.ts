import { describe, expect, it } from 'vitest';
import { Framework } from '../src/framework/runtime.ts';
import { Snapshot } from '../src/framework/snapshot.ts';
import { CycleState } from '../src/framework/cycle-state.ts';
import { defaultProfile } from '../src/plugins/registry.ts';
import { numFeasibleNodesToFind, scheduleOne, schedulePod, selectHost } from '../src/schedule-one.ts';
import { FitError } from '../src/fit-error.ts';
import type { Plugin, FilterPlugin } from '../src/framework/interface.ts';
import { makeNode, makePod } from './helpers.ts';

const cpTaint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' as const };

describe('numFeasibleNodesToFind', () => {
  it('follows the adaptive percentage', () => {
    expect(numFeasibleNodesToFind(undefined, 50)).toBe(50);
    expect(numFeasibleNodesToFind(undefined, 99)).toBe(99);
    expect(numFeasibleNodesToFind(undefined, 100)).toBe(100); // 50% = 50 -> at least 100
    expect(numFeasibleNodesToFind(undefined, 1000)).toBe(420); // 50 - 8 = 42%
    expect(numFeasibleNodesToFind(undefined, 5000)).toBe(500); // 50 - 40 = 10%
    expect(numFeasibleNodesToFind(undefined, 6000)).toBe(300); // 50 - 48 = 2% -> 5%
    expect(numFeasibleNodesToFind(30, 1000)).toBe(300);
    expect(numFeasibleNodesToFind(5, 1000)).toBe(100);
    expect(numFeasibleNodesToFind(100, 1000)).toBe(1000);
  });
});

describe('selectHost', () => {
  it('picks the best score, randomly among ties', () => {
    const s = [
      { name: 'a', scores: [], totalScore: 5 },
      { name: 'b', scores: [], totalScore: 9 },
      { name: 'c', scores: [], totalScore: 9 },
    ];
    expect(selectHost(s, () => 0.99)).toBe('b');
    expect(selectHost(s, () => 0)).toBe('c');
    expect(selectHost([s[0]])).toBe('a');
  });
});

describe('scheduleOne', () => {
  it('produces the upstream FitError message with the preemption part', () => {
    const snap = Snapshot.fromObjects([
      makeNode('worker', { cpu: '1' }),
      makeNode('cp1', { taints: [cpTaint] }),
      makeNode('cp2', { taints: [cpTaint] }),
    ]);
    const fw = new Framework(defaultProfile());
    const out = scheduleOne(fw, makePod('big', { cpu: '2' }), snap);
    expect(out.kind).toBe('unschedulable');
    if (out.kind !== 'unschedulable') return;
    expect(out.error.message).toBe(
      '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. ' +
        'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    expect(out.postFilterResult?.nominatedNodeName).toBe('');
    expect([...out.error.diagnosis.unschedulablePlugins!].sort()).toEqual(['NodeResourcesFit', 'TaintToleration']);
  });

  it('says when no victims can be found', () => {
    const snap = Snapshot.fromObjects(
      [makeNode('w1', { cpu: '1' }), makeNode('w2', { cpu: '1' }), makeNode('cp', { taints: [cpTaint] })],
      [makePod('x', { nodeName: 'w1', cpu: '800m' }), makePod('y', { nodeName: 'w2', cpu: '800m' })],
    );
    const out = scheduleOne(new Framework(defaultProfile()), makePod('p', { cpu: '500m' }), snap);
    expect(out.kind).toBe('unschedulable');
    if (out.kind !== 'unschedulable') return;
    expect(out.error.message).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  it('reports PreFilter rejections once for all nodes', () => {
    const snap = Snapshot.fromObjects([makeNode('a'), makeNode('b')]);
    const pod = makePod('p', {
      spec: {
        containers: [{ name: 'c' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchFields: [
                    { key: 'metadata.name', operator: 'In', values: ['a'] },
                    { key: 'metadata.name', operator: 'In', values: ['b'] },
                  ],
                },
              ],
            },
          },
        },
      },
    });
    const out = scheduleOne(new Framework(defaultProfile()), pod, snap);
    expect(out.kind === 'unschedulable' && out.error.message).toBe(
      '0/2 nodes are available: pod affinity terms conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    );
  });

  it('counts nodes outside a PreFilter result', () => {
    const snap = Snapshot.fromObjects([makeNode('a', { pods: '0' }), makeNode('b'), makeNode('c')]);
    const pod = makePod('p', {
      spec: {
        containers: [{ name: 'c' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }],
            },
          },
        },
      },
    });
    const out = scheduleOne(new Framework({ ...defaultProfile(), plugins: defaultProfile().plugins.filter((e) => e.plugin.name !== 'DefaultPreemption') }), pod, snap);
    expect(out.kind === 'unschedulable' && out.error.message).toBe(
      "0/3 nodes are available: 1 Too many pods, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    );
  });

  it('throws no-nodes for an empty cluster', () => {
    const out = scheduleOne(new Framework(defaultProfile()), makePod('p'), Snapshot.fromObjects([]));
    expect(out.kind === 'error' && out.error.message).toBe('no nodes available to schedule pods');
  });

  it('schedules to the best-scored node', () => {
    const snap = Snapshot.fromObjects(
      [makeNode('busy', { cpu: '4', memory: '8Gi' }), makeNode('idle', { cpu: '4', memory: '8Gi' }), makeNode('cp', { taints: [cpTaint] })],
      [makePod('x', { nodeName: 'busy', cpu: '3', memory: '6Gi' })],
    );
    const out = scheduleOne(new Framework(defaultProfile()), makePod('p', { cpu: '500m', memory: '1Gi' }), snap);
    expect(out.kind).toBe('scheduled');
    if (out.kind !== 'scheduled') return;
    expect(out.result.suggestedHost).toBe('idle');
    expect(out.result.feasibleNodes).toBe(2);
    expect(out.result.evaluatedNodes).toBe(3);
  });

  it('prefers the nominated node when it fits', () => {
    const snap = Snapshot.fromObjects([makeNode('a'), makeNode('b', { cpu: '64' })]);
    const out = scheduleOne(new Framework(defaultProfile()), makePod('p', { cpu: '1', nominatedNodeName: 'a' }), snap);
    expect(out.kind === 'scheduled' && out.result.suggestedHost).toBe('a');
  });

  it('keeps room for higher-priority nominated pods', () => {
    const snap = Snapshot.fromObjects([makeNode('a', { cpu: '1' })]);
    const fw = new Framework(defaultProfile());
    const nominated = makePod('hi', { cpu: '800m', priority: 100 });
    fw.nominatedPodsForNode = (n) => (n === 'a' ? [nominated] : []);
    const low = scheduleOne(fw, makePod('lo', { cpu: '500m', priority: 1 }), snap);
    expect(low.kind).toBe('unschedulable');
    const higher = scheduleOne(fw, makePod('top', { cpu: '500m', priority: 1000 }), snap);
    expect(higher.kind).toBe('scheduled');
  });
});

describe('percentage of nodes to score and round robin', () => {
  class Counting implements FilterPlugin {
    readonly name = 'Counting';
    seen: string[] = [];
    filter(_s: CycleState, _p: unknown, n: { name: string }) {
      this.seen.push(n.name);
      return null;
    }
  }
  it('stops after numFeasibleNodesToFind and continues from there next cycle', () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => makeNode(`n${i}`));
    const snap = Snapshot.fromObjects(nodes);
    const counting = new Counting();
    const plugins: { plugin: Plugin; weight?: number }[] = [{ plugin: counting }];
    const fw = new Framework({ schedulerName: 'x', plugins });
    const st = new CycleState(snap);
    const r1 = schedulePod(fw, st, makePod('p'), { nextStartNodeIndex: 0 });
    expect(r1.result.feasibleNodes).toBe(420);
    expect(counting.seen.length).toBe(420);
    expect(counting.seen[0]).toBe('n0');
    expect(r1.nextStartNodeIndex).toBe(420);
    counting.seen = [];
    const r2 = schedulePod(fw, new CycleState(snap), makePod('q'), { nextStartNodeIndex: r1.nextStartNodeIndex });
    expect(counting.seen[0]).toBe('n420');
    expect(r2.nextStartNodeIndex).toBe(840);
    counting.seen = [];
    const r3 = schedulePod(fw, new CycleState(snap), makePod('q'), { nextStartNodeIndex: r2.nextStartNodeIndex });
    expect(counting.seen[160]).toBe('n0'); // wraps around
    expect(r3.nextStartNodeIndex).toBe(260);
  });

  it('FitError is a FitError', () => {
    const snap = Snapshot.fromObjects([makeNode('a', { cpu: '1' })]);
    const fw = new Framework(defaultProfile());
    expect(() => schedulePod(fw, new CycleState(snap), makePod('p', { cpu: '2' }))).toThrow(FitError);
  });
});
