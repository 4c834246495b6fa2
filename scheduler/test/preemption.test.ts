import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { Framework } from '../src/framework/runtime.ts';
import { Snapshot } from '../src/framework/snapshot.ts';
import { CycleState } from '../src/framework/cycle-state.ts';
import { defaultProfile } from '../src/plugins/registry.ts';
import { scheduleOne } from '../src/schedule-one.ts';
import { calculateNumCandidates, pickOneNodeForPreemption, selectVictimsOnNode, type Candidate } from '../src/preemption.ts';
import { makeNode, makePod } from './helpers.ts';

const names = (ps: Pod[] | undefined) => (ps ?? []).map((p) => p.metadata!.name).sort();

describe('DefaultPreemption', () => {
  it('nominates the node whose victims have the lowest priority', () => {
    const snap = Snapshot.fromObjects(
      [makeNode('n1', { cpu: '2' }), makeNode('n2', { cpu: '2' })],
      [
        makePod('n1-mid', { nodeName: 'n1', cpu: '2', priority: 50 }),
        makePod('n2-low', { nodeName: 'n2', cpu: '2', priority: 10 }),
      ],
    );
    const out = scheduleOne(new Framework(defaultProfile()), makePod('hi', { cpu: '1', priority: 100 }), snap);
    expect(out.kind).toBe('unschedulable');
    if (out.kind !== 'unschedulable') return;
    expect(out.postFilterResult?.nominatedNodeName).toBe('n2');
    expect(names(out.postFilterResult?.victims)).toEqual(['n2-low']);
    expect(out.error.message).toBe('0/2 nodes are available: 2 Insufficient cpu.');
  });

  it('evicts only as many pods as needed, keeping the most important', () => {
    const snap = Snapshot.fromObjects(
      [makeNode('n1', { cpu: '3' })],
      [
        makePod('a', { nodeName: 'n1', cpu: '1', priority: 5 }),
        makePod('b', { nodeName: 'n1', cpu: '1', priority: 3 }),
        makePod('c', { nodeName: 'n1', cpu: '1', priority: 1 }),
        makePod('keep-hi', { nodeName: 'n1', cpu: '0', priority: 1000 }),
      ],
    );
    const out = scheduleOne(new Framework(defaultProfile()), makePod('hi', { cpu: '2', priority: 100 }), snap);
    expect(out.kind === 'unschedulable' && names(out.postFilterResult?.victims)).toEqual(['b', 'c']);
  });

  it('does not preempt equal or higher priority pods', () => {
    const snap = Snapshot.fromObjects([makeNode('n1', { cpu: '1' })], [makePod('same', { nodeName: 'n1', cpu: '1', priority: 100 })]);
    const out = scheduleOne(new Framework(defaultProfile()), makePod('p', { cpu: '1', priority: 100 }), snap);
    expect(out.kind === 'unschedulable' && out.error.message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    );
  });

  it('respects preemptionPolicy Never', () => {
    const snap = Snapshot.fromObjects([makeNode('n1', { cpu: '1' })], [makePod('low', { nodeName: 'n1', cpu: '1', priority: 0 })]);
    const pod = makePod('p', { cpu: '1', priority: 100, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }], priority: 100, preemptionPolicy: 'Never' } });
    const out = scheduleOne(new Framework(defaultProfile()), pod, snap);
    expect(out.kind === 'unschedulable' && out.error.message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
  });

  it('reports the filter failure when removing all lower-priority pods is not enough', () => {
    const snap = Snapshot.fromObjects(
      [makeNode('n1', { cpu: '2' })],
      [makePod('low', { nodeName: 'n1', cpu: '1', priority: 0 }), makePod('high', { nodeName: 'n1', cpu: '1', priority: 500 })],
    );
    const out = scheduleOne(new Framework(defaultProfile()), makePod('p', { cpu: '2', priority: 100 }), snap);
    expect(out.kind === 'unschedulable' && out.error.message).toBe(
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.',
    );
  });

  it('frees a host port and anti-affinity domains through prefilter extensions', () => {
    const snap = Snapshot.fromObjects(
      [makeNode('n1')],
      [makePod('web-old', { nodeName: 'n1', labels: { app: 'web' }, priority: 0 })],
    );
    const pod = makePod('web-new', {
      labels: { app: 'web' },
      priority: 10,
      spec: {
        containers: [{ name: 'c' }],
        priority: 10,
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }],
          },
        },
      },
    });
    const out = scheduleOne(new Framework(defaultProfile()), pod, snap);
    expect(out.kind === 'unschedulable' && out.postFilterResult?.nominatedNodeName).toBe('n1');
    expect(out.kind === 'unschedulable' && names(out.postFilterResult?.victims)).toEqual(['web-old']);
  });

  it('selectVictimsOnNode works on copies', () => {
    const snap = Snapshot.fromObjects([makeNode('n1', { cpu: '1' })], [makePod('low', { nodeName: 'n1', cpu: '1' })]);
    const fw = new Framework(defaultProfile());
    const pod = makePod('p', { cpu: '1', priority: 1 });
    const st = new CycleState(snap);
    fw.runPreFilterPlugins(st, pod);
    const ni = snap.get('n1')!.clone();
    const r = selectVictimsOnNode(fw, st, pod, ni);
    expect(r.status).toBeNull();
    expect(names(r.victims)).toEqual(['low']);
    expect(snap.get('n1')!.pods.length).toBe(1);
  });
});

describe('pickOneNodeForPreemption', () => {
  const c = (name: string, victims: Pod[], pdb = 0): Candidate => ({ name, victims, numPDBViolations: pdb });
  it('applies the criteria in order', () => {
    const p = (n: string, prio: number, start?: string) => makePod(n, { priority: prio, startTime: start });
    expect(pickOneNodeForPreemption([c('a', [p('x', 5)], 1), c('b', [p('y', 50)], 0)])!.name).toBe('b');
    expect(pickOneNodeForPreemption([c('a', [p('x', 50)]), c('b', [p('y', 10), p('z', 10)])])!.name).toBe('b');
    expect(pickOneNodeForPreemption([c('a', [p('x', 10), p('w', 5)]), c('b', [p('y', 10), p('z', 1)])])!.name).toBe('b');
    expect(pickOneNodeForPreemption([c('a', [p('x', 10), p('w', -1), p('v', 1)]), c('b', [p('y', 10), p('z', 0)])])!.name).toBe('b');
    expect(
      pickOneNodeForPreemption([c('a', [p('x', 10, '2024-01-01T00:00:00Z')]), c('b', [p('y', 10, '2024-06-01T00:00:00Z')])])!.name,
    ).toBe('b');
    expect(pickOneNodeForPreemption([c('a', [p('x', 10)]), c('b', [p('y', 10)])])!.name).toBe('a');
    expect(pickOneNodeForPreemption([])).toBeNull();
  });
  it('limits candidates to max(10%, 100) of nodes', () => {
    expect(calculateNumCandidates(50)).toBe(50);
    expect(calculateNumCandidates(500)).toBe(100);
    expect(calculateNumCandidates(5000)).toBe(500);
  });
});
