import { describe, expect, it } from 'vitest';
import type { Pod, PodAffinityTerm, TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import { CycleState } from '../src/framework/cycle-state.ts';
import { Snapshot } from '../src/framework/snapshot.ts';
import { Code } from '../src/framework/status.ts';
import type { NodeScore } from '../src/framework/interface.ts';
import { PodInfo } from '../src/framework/pod-info.ts';
import { InterPodAffinity } from '../src/plugins/inter-pod-affinity.ts';
import { PodTopologySpread } from '../src/plugins/pod-topology-spread.ts';
import { makeNode, makePod } from './helpers.ts';

const zoneNodes = () => [
  makeNode('a1', { labels: { zone: 'a' } }),
  makeNode('a2', { labels: { zone: 'a' } }),
  makeNode('b1', { labels: { zone: 'b' } }),
  makeNode('nolabel'),
];

const term = (app: string, key = 'zone'): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey: key });

function withAffinity(name: string, labels: Record<string, string>, aff: NonNullable<Pod['spec']>['affinity']): Pod {
  return makePod(name, { labels, spec: { containers: [{ name: 'c' }], affinity: aff } });
}

function filterAll(pl: InterPodAffinity | PodTopologySpread, pod: Pod, snap: Snapshot): Record<string, string> {
  const st = new CycleState(snap);
  const r = pl.preFilter(st, pod);
  const out: Record<string, string> = {};
  for (const n of snap.nodeInfoList) {
    if (r.status?.code === Code.Skip) {
      out[n.name] = 'ok';
      continue;
    }
    const s = pl.filter(st, pod, n);
    out[n.name] = s ? s.reasons.join(',') : 'ok';
  }
  return out;
}

describe('InterPodAffinity filter', () => {
  const pl = new InterPodAffinity();

  it('requires a matching pod in the same topology domain', () => {
    const snap = Snapshot.fromObjects(zoneNodes(), [makePod('db', { nodeName: 'a2', labels: { app: 'db' } })]);
    const pod = withAffinity('web', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } });
    expect(filterAll(pl, pod, snap)).toEqual({
      a1: 'ok',
      a2: 'ok',
      b1: "node(s) didn't match pod affinity rules",
      nolabel: "node(s) didn't match pod affinity rules",
    });
  });

  it('lets the first pod of a self-affine group go anywhere with the label', () => {
    const snap = Snapshot.fromObjects(zoneNodes());
    const pod = withAffinity('w', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } });
    expect(filterAll(pl, pod, snap)).toEqual({ a1: 'ok', a2: 'ok', b1: 'ok', nolabel: "node(s) didn't match pod affinity rules" });
  });

  it('rejects domains holding pods matched by required anti-affinity', () => {
    const snap = Snapshot.fromObjects(zoneNodes(), [makePod('w0', { nodeName: 'a1', labels: { app: 'web' } })]);
    const pod = withAffinity('w1', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } });
    expect(filterAll(pl, pod, snap)).toEqual({
      a1: "node(s) didn't match pod anti-affinity rules",
      a2: "node(s) didn't match pod anti-affinity rules",
      b1: 'ok',
      nolabel: 'ok',
    });
  });

  it("honours existing pods' anti-affinity against the incoming pod", () => {
    const existing = withAffinity('guard', { app: 'guard' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'kubernetes.io/hostname')] } });
    existing.spec!.nodeName = 'b1';
    const snap = Snapshot.fromObjects(zoneNodes(), [existing]);
    expect(filterAll(pl, makePod('w', { labels: { app: 'web' } }), snap)).toEqual({
      a1: 'ok',
      a2: 'ok',
      b1: "node(s) didn't satisfy existing pods anti-affinity rules",
      nolabel: 'ok',
    });
    // pods in another namespace are not matched by the guard's term
    expect(filterAll(pl, makePod('w', { labels: { app: 'web' }, ns: 'other' }), snap).b1).toBe('ok');
  });

  it('matches namespaces by namespaceSelector through namespace labels', () => {
    const snap = Snapshot.fromObjects(zoneNodes(), [makePod('db', { nodeName: 'b1', ns: 'prod', labels: { app: 'db' } })]);
    const withNsLabels = new InterPodAffinity({ namespaceLabels: (ns): Record<string, string> => (ns === 'prod' ? { env: 'prod' } : {}) });
    const t = { ...term('db'), namespaceSelector: { matchLabels: { env: 'prod' } } };
    const pod = withAffinity('web', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } });
    expect(filterAll(withNsLabels, pod, snap).b1).toBe('ok');
    expect(filterAll(withNsLabels, pod, snap).a1).toBe("node(s) didn't match pod affinity rules");
    // a namespaceSelector no namespace matches finds no db pod
    const t2 = { ...term('db'), namespaceSelector: { matchLabels: { env: 'staging' } } };
    const pod2 = withAffinity('web', { app: 'web' }, { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t2] } });
    expect(filterAll(withNsLabels, pod2, snap).b1).toBe("node(s) didn't match pod affinity rules");
  });

  it('prefilter extensions add and remove pods from the counts', () => {
    const snap = Snapshot.fromObjects(zoneNodes());
    const pod = withAffinity('w1', { app: 'web' }, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } });
    const st = new CycleState(snap);
    pl.preFilter(st, pod);
    const other = new PodInfo(makePod('w0', { labels: { app: 'web' } }));
    const ext = pl.preFilterExtensions()!;
    ext.addPod(st, pod, other, snap.get('b1')!);
    expect(pl.filter(st, pod, snap.get('b1')!)?.code).toBe(Code.Unschedulable);
    ext.removePod(st, pod, other, snap.get('b1')!);
    expect(pl.filter(st, pod, snap.get('b1')!)).toBeNull();
  });
});

describe('InterPodAffinity score', () => {
  it('scores preferred affinity and anti-affinity by topology', () => {
    const snap = Snapshot.fromObjects(zoneNodes(), [
      makePod('cache', { nodeName: 'a1', labels: { app: 'cache' } }),
      makePod('noisy', { nodeName: 'b1', labels: { app: 'noisy' } }),
    ]);
    const pod = withAffinity('w', { app: 'web' }, {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('cache') }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('noisy') }] },
    });
    const pl = new InterPodAffinity();
    const st = new CycleState(snap);
    expect(pl.preScore(st, pod, snap.nodeInfoList)).toBeNull();
    const scores: NodeScore[] = snap.nodeInfoList.map((n) => ({ name: n.name, score: pl.score(st, pod, n) }));
    expect(scores.map((s) => s.score)).toEqual([10, 10, -10, 0]);
    pl.normalizeScore(st, pod, scores);
    expect(Object.fromEntries(scores.map((s) => [s.name, s.score]))).toEqual({ a1: 100, a2: 100, b1: 0, nolabel: 50 });
  });
});

describe('PodTopologySpread', () => {
  const spread = (c: Partial<TopologySpreadConstraint>): TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey: 'zone',
    whenUnsatisfiable: 'DoNotSchedule',
    labelSelector: { matchLabels: { app: 'web' } },
    ...c,
  });
  const podWith = (name: string, cs: TopologySpreadConstraint[], extra: Partial<Pod['spec']> = {}) =>
    makePod(name, { labels: { app: 'web' }, spec: { containers: [{ name: 'c' }], topologySpreadConstraints: cs, ...extra } });

  it('keeps the skew within maxSkew', () => {
    const snap = Snapshot.fromObjects(zoneNodes(), [
      makePod('w1', { nodeName: 'a1', labels: { app: 'web' } }),
      makePod('w2', { nodeName: 'a2', labels: { app: 'web' } }),
      makePod('w3', { nodeName: 'b1', labels: { app: 'web' } }),
      makePod('other', { nodeName: 'b1', labels: { app: 'db' } }),
    ]);
    const pl = new PodTopologySpread();
    expect(filterAll(pl, podWith('w4', [spread({})]), snap)).toEqual({
      a1: "node(s) didn't match pod topology spread constraints",
      a2: "node(s) didn't match pod topology spread constraints",
      b1: 'ok',
      nolabel: "node(s) didn't match pod topology spread constraints (missing required label)",
    });
    expect(filterAll(pl, podWith('w4', [spread({ maxSkew: 2 })]), snap).a1).toBe('ok');
  });

  it('treats the global minimum as 0 while there are fewer domains than minDomains', () => {
    const snap = Snapshot.fromObjects(zoneNodes(), [
      makePod('w1', { nodeName: 'a1', labels: { app: 'web' } }),
      makePod('w2', { nodeName: 'b1', labels: { app: 'web' } }),
    ]);
    const pl = new PodTopologySpread();
    expect(filterAll(pl, podWith('w3', [spread({})]), snap).a1).toBe('ok');
    const r = filterAll(pl, podWith('w3', [spread({ minDomains: 3 })]), snap);
    expect(r.a1).toBe("node(s) didn't match pod topology spread constraints");
    expect(r.b1).toBe("node(s) didn't match pod topology spread constraints");
  });

  it('ignores nodes excluded by node affinity (nodeAffinityPolicy Honor)', () => {
    const snap = Snapshot.fromObjects(zoneNodes(), [makePod('w1', { nodeName: 'a1', labels: { app: 'web' } })]);
    const pl = new PodTopologySpread();
    // Only zone a is eligible: zone b's 0 must not count as the minimum.
    const pod = podWith('w2', [spread({})], { nodeSelector: { zone: 'a' } });
    expect(filterAll(pl, pod, snap).a2).toBe('ok');
    const ignore = podWith('w2', [spread({ nodeAffinityPolicy: 'Ignore' })], { nodeSelector: { zone: 'a' } });
    expect(filterAll(pl, ignore, snap).a2).toBe("node(s) didn't match pod topology spread constraints");
  });

  it('skips pods without constraints', () => {
    const snap = Snapshot.fromObjects(zoneNodes());
    expect(new PodTopologySpread().preFilter(new CycleState(snap), makePod('p')).status?.code).toBe(Code.Skip);
  });

  it('scores ScheduleAnyway constraints towards emptier domains', () => {
    const snap = Snapshot.fromObjects(zoneNodes(), [
      makePod('w1', { nodeName: 'a1', labels: { app: 'web' } }),
      makePod('w2', { nodeName: 'a2', labels: { app: 'web' } }),
    ]);
    const pl = new PodTopologySpread();
    const pod = podWith('w3', [spread({ whenUnsatisfiable: 'ScheduleAnyway' })]);
    const st = new CycleState(snap);
    expect(pl.preScore(st, pod, snap.nodeInfoList)).toBeNull();
    const scores: NodeScore[] = snap.nodeInfoList.map((n) => ({ name: n.name, score: pl.score(st, pod, n) }));
    pl.normalizeScore(st, pod, scores);
    const m = Object.fromEntries(scores.map((s) => [s.name, s.score]));
    expect(m.b1).toBe(100);
    expect(m.a1).toBeLessThan(m.b1);
    expect(m.nolabel).toBe(0);
  });
});

describe('PodTopologySpread system defaults', () => {
  const rsPod = (name: string, node?: string) => {
    const p = makePod(name, { nodeName: node, labels: { app: 'web', 'pod-template-hash': 'abc' } });
    p.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true }];
    return p;
  };
  const sources = {
    services: () => [{ spec: { selector: { app: 'web' } } }, { spec: { selector: { app: 'other' } } }],
    replicaSet: (_ns: string, n: string) => (n === 'web-abc' ? { spec: { selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template: {} } } : undefined),
    statefulSet: () => undefined,
  };

  it('defaultSelector merges matching Services and the controlling ReplicaSet', async () => {
    const { defaultSelector } = await import('../src/plugins/default-selector.ts');
    expect(defaultSelector(rsPod('x'), sources as never)).toEqual({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'app', operator: 'In', values: ['web'] },
        { key: 'pod-template-hash', operator: 'In', values: ['abc'] },
      ],
    });
    expect(defaultSelector(makePod('lonely'), sources as never)).toEqual({});
  });

  it('spreads replicas over hostnames even when nodes have no zone label', async () => {
    const { defaultSelector } = await import('../src/plugins/default-selector.ts');
    const snap = Snapshot.fromObjects(
      [makeNode('n1'), makeNode('n2'), makeNode('n3')],
      [rsPod('r1', 'n1'), rsPod('r2', 'n1'), rsPod('r3', 'n2')],
    );
    const pl = new PodTopologySpread({ defaultSelector: (p) => defaultSelector(p, sources as never) });
    const pod = rsPod('r4');
    const st = new CycleState(snap);
    expect(pl.preFilter(st, pod).status?.code).toBe(Code.Skip); // defaults are ScheduleAnyway only
    expect(pl.preScore(st, pod, snap.nodeInfoList)).toBeNull();
    const scores: NodeScore[] = snap.nodeInfoList.map((n) => ({ name: n.name, score: pl.score(st, pod, n) }));
    pl.normalizeScore(st, pod, scores);
    const m = Object.fromEntries(scores.map((s) => [s.name, s.score]));
    expect(m.n3).toBe(100);
    expect(m.n1).toBeLessThan(m.n2);
    expect(m.n2).toBeLessThan(m.n3);
    // a pod no controller or service selects gets no default constraints
    expect(pl.preScore(new CycleState(snap), makePod('free'), snap.nodeInfoList)?.code).toBe(Code.Skip);
  });
});
