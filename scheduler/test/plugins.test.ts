import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { CycleState } from '../src/framework/cycle-state.ts';
import { Snapshot } from '../src/framework/snapshot.ts';
import { Code, type MaybeStatus } from '../src/framework/status.ts';
import type { NodeScore, ScorePlugin, PreScorePlugin } from '../src/framework/interface.ts';
import { NodeUnschedulable } from '../src/plugins/node-unschedulable.ts';
import { NodeName } from '../src/plugins/node-name.ts';
import { NodeAffinity } from '../src/plugins/node-affinity.ts';
import { TaintToleration } from '../src/plugins/taint-toleration.ts';
import { NodeResourcesFit } from '../src/plugins/node-resources-fit.ts';
import { NodeResourcesBalancedAllocation } from '../src/plugins/node-resources-balanced-allocation.ts';
import { NodePorts } from '../src/plugins/node-ports.ts';
import { ImageLocality } from '../src/plugins/image-locality.ts';
import { DefaultBinder } from '../src/plugins/default-binder.ts';
import { makeNode, makePod } from './helpers.ts';

function reasons(s: MaybeStatus): string[] {
  return s ? s.reasons : [];
}

/** Runs preScore (if any), score and normalize over all snapshot nodes. */
function scoreAll(pl: ScorePlugin & Partial<PreScorePlugin>, pod: Pod, snap: Snapshot): Record<string, number> {
  const state = new CycleState(snap);
  if (pl.preScore) {
    const s = pl.preScore(state, pod, snap.nodeInfoList);
    if (s && s.code === Code.Skip) return {};
  }
  const scores: NodeScore[] = snap.nodeInfoList.map((n) => ({ name: n.name, score: pl.score(state, pod, n) }));
  pl.normalizeScore?.(state, pod, scores);
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}

describe('NodeUnschedulable', () => {
  const snap = Snapshot.fromObjects([makeNode('a', { unschedulable: true }), makeNode('b')]);
  const pl = new NodeUnschedulable();
  it('rejects cordoned nodes as unresolvable', () => {
    const s = pl.filter(new CycleState(snap), makePod('p'), snap.get('a')!);
    expect(s?.code).toBe(Code.UnschedulableAndUnresolvable);
    expect(reasons(s)).toEqual(['node(s) were unschedulable']);
    expect(pl.filter(new CycleState(snap), makePod('p'), snap.get('b')!)).toBeNull();
  });
  it('lets pods tolerating the unschedulable taint through', () => {
    const pod = makePod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(pl.filter(new CycleState(snap), pod, snap.get('a')!)).toBeNull();
  });
});

describe('NodeName', () => {
  it('matches only the requested node', () => {
    const snap = Snapshot.fromObjects([makeNode('a'), makeNode('b')]);
    const pod = makePod('p', { spec: { containers: [{ name: 'c' }], nodeName: 'b' } });
    const pl = new NodeName();
    expect(reasons(pl.filter(new CycleState(snap), pod, snap.get('a')!))).toEqual(["node(s) didn't match the requested node name"]);
    expect(pl.filter(new CycleState(snap), pod, snap.get('b')!)).toBeNull();
  });
});

describe('NodeAffinity', () => {
  const snap = Snapshot.fromObjects([
    makeNode('a', { labels: { zone: 'z1', disk: 'ssd', gen: '5' } }),
    makeNode('b', { labels: { zone: 'z2', gen: '3' } }),
    makeNode('c', { labels: { zone: 'z3' } }),
  ]);
  const pl = new NodeAffinity();
  const fits = (pod: Pod) => snap.nodeInfoList.filter((n) => !pl.filter(new CycleState(snap), pod, n)).map((n) => n.name);

  it('honours nodeSelector', () => {
    const pod = makePod('p', { spec: { containers: [{ name: 'c' }], nodeSelector: { disk: 'ssd' } } });
    expect(fits(pod)).toEqual(['a']);
    expect(reasons(pl.filter(new CycleState(snap), pod, snap.get('b')!))).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
  });
  it('ORs terms and ANDs expressions, with NotIn/DoesNotExist/Gt', () => {
    const pod = makePod('p', {
      spec: {
        containers: [{ name: 'c' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] },
                { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1', 'z2'] }, { key: 'disk', operator: 'DoesNotExist' }] },
              ],
            },
          },
        },
      },
    });
    expect(fits(pod)).toEqual(['a', 'c']);
  });
  it('prefilter narrows to metadata.name matchFields', () => {
    const pod = makePod('p', {
      spec: {
        containers: [{ name: 'c' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }],
            },
          },
        },
      },
    });
    const r = pl.preFilter(new CycleState(snap), pod);
    expect([...(r.result?.nodeNames ?? [])]).toEqual(['b']);
    expect(fits(pod)).toEqual(['b']);
  });
  it('scores preferred terms by weight, normalized to 100', () => {
    const pod = makePod('p', {
      spec: {
        containers: [{ name: 'c' }],
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
              { weight: 30, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] } },
            ],
          },
        },
      },
    });
    expect(scoreAll(pl, pod, snap)).toEqual({ a: 33, b: 100, c: 0 });
  });
});

describe('TaintToleration', () => {
  const cp = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' as const };
  const snap = Snapshot.fromObjects([
    makeNode('cp', { taints: [cp] }),
    makeNode('gpu', { taints: [{ key: 'gpu', value: 'true', effect: 'NoExecute' }] }),
    makeNode('soft', { taints: [{ key: 'soft', value: 'x', effect: 'PreferNoSchedule' }] }),
    makeNode('plain'),
  ]);
  const pl = new TaintToleration();
  it('reports the untolerated taint as upstream', () => {
    expect(reasons(pl.filter(new CycleState(snap), makePod('p'), snap.get('cp')!))).toEqual([
      'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
    ]);
    expect(reasons(pl.filter(new CycleState(snap), makePod('p'), snap.get('gpu')!))).toEqual(['node(s) had untolerated taint {gpu: true}']);
    expect(pl.filter(new CycleState(snap), makePod('p'), snap.get('soft')!)).toBeNull();
  });
  it('accepts Exists/Equal tolerations', () => {
    const pod = makePod('p', { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'true' }, { operator: 'Exists', effect: 'NoSchedule' }] });
    expect(pl.filter(new CycleState(snap), pod, snap.get('gpu')!)).toBeNull();
    expect(pl.filter(new CycleState(snap), pod, snap.get('cp')!)).toBeNull();
    const wrong = makePod('p', { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'false' }] });
    expect(pl.filter(new CycleState(snap), wrong, snap.get('gpu')!)?.code).toBe(Code.UnschedulableAndUnresolvable);
  });
  it('scores PreferNoSchedule taints down', () => {
    const s = scoreAll(pl, makePod('p'), snap);
    expect(s.soft).toBe(0);
    expect(s.plain).toBe(100);
    const tol = makePod('p', { tolerations: [{ key: 'soft', operator: 'Exists', effect: 'PreferNoSchedule' }] });
    expect(scoreAll(pl, tol, snap).soft).toBe(100);
  });
});

describe('NodeResourcesFit', () => {
  const snap = Snapshot.fromObjects(
    [makeNode('small', { cpu: '1', memory: '1Gi', pods: '2', extra: { 'example.com/gpu': '1' } }), makeNode('big', { cpu: '8', memory: '16Gi' })],
    [makePod('x', { nodeName: 'small', cpu: '600m', memory: '512Mi' })],
  );
  const pl = new NodeResourcesFit();
  const filter = (pod: Pod, n: string) => {
    const st = new CycleState(snap);
    pl.preFilter(st, pod);
    return pl.filter(st, pod, snap.get(n)!);
  };
  it('reports every insufficient resource in order', () => {
    const s = filter(makePod('p', { cpu: '500m', memory: '600Mi' }), 'small');
    expect(s?.code).toBe(Code.Unschedulable);
    expect(reasons(s)).toEqual(['Insufficient cpu', 'Insufficient memory']);
    expect(filter(makePod('p', { cpu: '400m' }), 'small')).toBeNull();
  });
  it('counts pods against allocatable pods', () => {
    const full = Snapshot.fromObjects([makeNode('n', { pods: '1' })], [makePod('x', { nodeName: 'n' })]);
    const st = new CycleState(full);
    const pod = makePod('p');
    pl.preFilter(st, pod);
    expect(reasons(pl.filter(st, pod, full.get('n')!))).toEqual(['Too many pods']);
  });
  it('checks extended resources', () => {
    const pod = makePod('p', { spec: { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '2' } } }] } });
    expect(reasons(filter(pod, 'small'))).toEqual(['Insufficient example.com/gpu']);
    expect(reasons(filter(pod, 'big'))).toEqual(['Insufficient example.com/gpu']);
    const one = makePod('p', { spec: { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '1' } } }] } });
    expect(filter(one, 'small')).toBeNull();
  });
  it('scores least allocated', () => {
    const s = scoreAll(pl, makePod('p', { cpu: '200m', memory: '256Mi' }), snap);
    // small: cpu (1000-800)/1000=20, mem (1024-768)/1024=25 -> 22; big: cpu 97, mem 98 -> 97
    expect(s).toEqual({ small: 22, big: 97 });
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('prefers nodes whose cpu and memory fractions stay balanced', () => {
    const snap = Snapshot.fromObjects(
      [makeNode('a', { cpu: '4', memory: '4Gi' }), makeNode('b', { cpu: '4', memory: '4Gi' })],
      [makePod('x', { nodeName: 'a', cpu: '2', memory: '0' }), makePod('y', { nodeName: 'b', cpu: '1', memory: '1Gi' })],
    );
    const s = scoreAll(new NodeResourcesBalancedAllocation(), makePod('p', { cpu: '1', memory: '1Gi' }), snap);
    // a: cpu 0.75, mem 0.25 -> 1-0.25 = 75; b: 0.5/0.5 -> 100
    expect(s).toEqual({ a: 75, b: 100 });
  });
  it('scores best-effort pods by the node balance alone (as 1.32)', () => {
    const snap = Snapshot.fromObjects([makeNode('a', { cpu: '4', memory: '4Gi' })], [makePod('x', { nodeName: 'a', cpu: '2' })]);
    expect(scoreAll(new NodeResourcesBalancedAllocation(), makePod('p'), snap)).toEqual({ a: 75 });
  });
});

describe('NodePorts', () => {
  const snap = Snapshot.fromObjects([makeNode('a'), makeNode('b')], [makePod('x', { nodeName: 'a', hostPort: 8080 })]);
  const pl = new NodePorts();
  it('rejects nodes with the host port in use', () => {
    const pod = makePod('p', { hostPort: 8080 });
    const st = new CycleState(snap);
    pl.preFilter(st, pod);
    expect(reasons(pl.filter(st, pod, snap.get('a')!))).toEqual(["node(s) didn't have free ports for the requested pod ports"]);
    expect(pl.filter(st, pod, snap.get('b')!)).toBeNull();
    const other = makePod('q', { hostPort: 8081 });
    const st2 = new CycleState(snap);
    pl.preFilter(st2, other);
    expect(pl.filter(st2, other, snap.get('a')!)).toBeNull();
  });
  it('skips pods without host ports', () => {
    expect(pl.preFilter(new CycleState(snap), makePod('p')).status?.code).toBe(Code.Skip);
  });
});

describe('ImageLocality', () => {
  it('favours nodes that have big images, scaled by spread', () => {
    const mb = 1024 * 1024;
    const snap = Snapshot.fromObjects([
      makeNode('a', { images: [{ names: ['big:1'], sizeBytes: 500 * mb }] }),
      makeNode('b', { images: [{ names: ['small:latest'], sizeBytes: 10 * mb }] }),
      makeNode('c'),
    ]);
    const s = scoreAll(new ImageLocality(), makePod('p', { image: 'big:1' }), snap);
    // 500MB * 1/3 = 166.67MB -> (166-23)/(1000-23)*100 = 14
    expect(s.a).toBe(14);
    expect(s.b).toBe(0);
    expect(s.c).toBe(0);
    const s2 = scoreAll(new ImageLocality(), makePod('p', { image: 'small' }), snap);
    expect(s2.b).toBe(0); // below the 23MB threshold
  });
});

describe('DefaultBinder', () => {
  it('binds through the injected function and reports errors', async () => {
    const calls: string[] = [];
    const ok = new DefaultBinder(async (pod, node) => {
      calls.push(`${pod.metadata!.name}->${node}`);
    });
    const snap = Snapshot.fromObjects([makeNode('a')]);
    expect(await ok.bind(new CycleState(snap), makePod('p'), 'a')).toBeNull();
    expect(calls).toEqual(['p->a']);
    const bad = new DefaultBinder(async () => {
      throw new Error('conflict');
    });
    const s = await bad.bind(new CycleState(snap), makePod('p'), 'a');
    expect(s?.code).toBe(Code.Error);
    expect(s?.message()).toBe('conflict');
  });
});
