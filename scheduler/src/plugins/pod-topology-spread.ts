import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { Node, Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import type { CycleState, StateData } from '../framework/cycle-state.ts';
import {
  MAX_NODE_SCORE,
  type ClusterEvent,
  type FilterPlugin,
  type NodeScore,
  type PreFilterExtensions,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import type { PodInfo } from '../framework/pod-info.ts';
import { selectorMatches } from '../framework/labels.ts';
import { Status, type MaybeStatus } from '../framework/status.ts';
import { requiredNodeAffinityMatches } from './node-affinity.ts';
import { findUntoleratedTaint } from './taints.ts';

export const ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + ' (missing required label)';

const LABEL_HOSTNAME = 'kubernetes.io/hostname';
const PRE_FILTER_KEY = 'PreFilterPodTopologySpread';
const PRE_SCORE_KEY = 'PreScorePodTopologySpread';

/** A constraint with its selector resolved (matchLabelKeys merged) and policies defaulted. */
export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

/** Upstream's system default constraints, used for pods without their own constraints. */
export const SYSTEM_DEFAULT_CONSTRAINTS: TopologySpreadConstraint[] = [
  { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/** The selector of the Services / ReplicaSets / StatefulSets that select a pod (upstream helper.DefaultSelector). */
export type DefaultSelectorFunc = (pod: Pod) => LabelSelector | null;

function buildConstraints(pod: Pod, action: 'DoNotSchedule' | 'ScheduleAnyway', defaults?: TopologySpreadConstraint[], selectorFor?: DefaultSelectorFunc): Constraint[] {
  const labels = pod.metadata?.labels ?? {};
  let list = pod.spec?.topologySpreadConstraints ?? [];
  if (list.length === 0 && defaults?.length && selectorFor) {
    const sel = selectorFor(pod);
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !sel.matchExpressions?.length)) return [];
    list = defaults.map((c) => ({ ...c, labelSelector: sel }));
  }
  return list
    .filter((c: TopologySpreadConstraint) => c.whenUnsatisfiable === action)
    .map((c) => {
      let selector: LabelSelector = c.labelSelector ?? { matchLabels: { '\u0000never': '\u0000' } };
      if (c.labelSelector && c.matchLabelKeys?.length) {
        const exprs = [...(selector.matchExpressions ?? [])];
        for (const k of c.matchLabelKeys) if (k in labels) exprs.push({ key: k, operator: 'In', values: [labels[k]] });
        selector = { ...selector, matchExpressions: exprs };
      }
      return {
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        selector,
        minDomains: c.minDomains ?? 1,
        nodeAffinityPolicy: (c.nodeAffinityPolicy as 'Honor' | 'Ignore') ?? 'Honor',
        nodeTaintsPolicy: (c.nodeTaintsPolicy as 'Honor' | 'Ignore') ?? 'Ignore',
      };
    });
}

/** Whether a node is counted for the constraint under its nodeAffinityPolicy / nodeTaintsPolicy. */
function matchNodeInclusionPolicies(c: Constraint, pod: Pod, node: Node): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !requiredNodeAffinityMatches(pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor') {
    const t = findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, (x) => x.effect === 'NoSchedule' || x.effect === 'NoExecute');
    if (t) return false;
  }
  return true;
}

function nodeLabelsMatchSpreadConstraints(labels: Record<string, string>, cs: Constraint[]): boolean {
  return cs.every((c) => c.topologyKey in labels);
}

function countPodsMatchSelector(pods: PodInfo[], selector: LabelSelector, ns: string): number {
  let n = 0;
  for (const p of pods) {
    if (p.pod.metadata?.deletionTimestamp || (p.pod.metadata?.namespace ?? 'default') !== ns) continue;
    if (selectorMatches(selector, p.pod.metadata?.labels)) n++;
  }
  return n;
}

const pairKey = (k: string, v: string) => `${k}\u0000${v}`;

class PreFilterState implements StateData {
  constraints: Constraint[] = [];
  /** Matching pods per topology pair. */
  tpPairToMatchNum = new Map<string, number>();
  /** Number of domains per topology key. */
  tpKeyToDomainsNum = new Map<string, number>();
  clone(): PreFilterState {
    const c = new PreFilterState();
    c.constraints = this.constraints;
    c.tpPairToMatchNum = new Map(this.tpPairToMatchNum);
    c.tpKeyToDomainsNum = this.tpKeyToDomainsNum;
    return c;
  }
  private minCache = new Map<string, number>();
  /** The smallest match count over the key's domains (upstream's critical path), cached until counts change. */
  minMatchNum(key: string): number {
    const cached = this.minCache.get(key);
    if (cached !== undefined) return cached;
    let min = Infinity;
    for (const [k, v] of this.tpPairToMatchNum) if (k.startsWith(key + '\u0000') && v < min) min = v;
    const r = min === Infinity ? 0 : min;
    this.minCache.set(key, r);
    return r;
  }
  addMatch(k: string, delta: number): void {
    this.tpPairToMatchNum.set(k, (this.tpPairToMatchNum.get(k) ?? 0) + delta);
    this.minCache.clear();
  }
}

class PreScoreState implements StateData {
  constraints: Constraint[] = [];
  ignoredNodes = new Set<string>();
  topologyPairToPodCounts = new Map<string, number>();
  topologyNormalizingWeight: number[] = [];
  clone(): StateData {
    return this;
  }
}

/** Spreads pods matching each constraint's selector evenly over topology domains within maxSkew. */
export interface PodTopologySpreadOptions {
  /** Constraints for pods without any (default: the system defaults, applied when defaultSelector is given). */
  defaultConstraints?: TopologySpreadConstraint[];
  defaultSelector?: DefaultSelectorFunc;
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'PodTopologySpread';
  private readonly defaults: TopologySpreadConstraint[];
  private readonly selectorFor?: DefaultSelectorFunc;

  constructor(o: PodTopologySpreadOptions = {}) {
    this.defaults = o.defaultConstraints ?? SYSTEM_DEFAULT_CONSTRAINTS;
    this.selectorFor = o.defaultSelector;
  }

  private constraints(pod: Pod, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
    return buildConstraints(pod, action, this.defaults, this.selectorFor);
  }

  /** System-defaulted constraints do not require nodes to carry every topology label. */
  private systemDefaulted(pod: Pod): boolean {
    return !(pod.spec?.topologySpreadConstraints?.length) && !!this.selectorFor && this.defaults === SYSTEM_DEFAULT_CONSTRAINTS;
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'AssignedPod', action: 'Add' },
      { resource: 'AssignedPod', action: 'Update' },
      { resource: 'AssignedPod', action: 'Delete' },
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'Update' },
      { resource: 'Node', action: 'Delete' },
    ];
  }

  preFilter(state: CycleState, pod: Pod): { result?: PreFilterResult | null; status?: MaybeStatus } {
    const constraints = this.constraints(pod, 'DoNotSchedule');
    if (constraints.length === 0) return { status: Status.skip() };
    const s = new PreFilterState();
    s.constraints = constraints;
    const ns = pod.metadata?.namespace ?? 'default';
    const domains = new Map<string, Set<string>>();
    for (const ni of state.snapshot.nodeInfoList) {
      const node = ni.node!;
      const labels = node.metadata?.labels ?? {};
      if (!nodeLabelsMatchSpreadConstraints(labels, constraints)) continue;
      for (const c of constraints) {
        if (!matchNodeInclusionPolicies(c, pod, node)) continue;
        const k = pairKey(c.topologyKey, labels[c.topologyKey]);
        s.addMatch(k, countPodsMatchSelector(ni.pods, c.selector, ns));
        let d = domains.get(c.topologyKey);
        if (!d) domains.set(c.topologyKey, (d = new Set()));
        d.add(labels[c.topologyKey]);
      }
    }
    for (const [k, d] of domains) s.tpKeyToDomainsNum.set(k, d.size);
    state.write(PRE_FILTER_KEY, s);
    return {};
  }

  private updateWithPod(state: CycleState, pod: Pod, podInfo: PodInfo, nodeInfo: NodeInfo, delta: number): void {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    const node = nodeInfo.node;
    if (!s || !node) return;
    const labels = node.metadata?.labels ?? {};
    if (!nodeLabelsMatchSpreadConstraints(labels, s.constraints)) return;
    const other = podInfo.pod;
    if ((other.metadata?.namespace ?? 'default') !== (pod.metadata?.namespace ?? 'default')) return;
    for (const c of s.constraints) {
      if (!matchNodeInclusionPolicies(c, pod, node)) continue;
      if (!selectorMatches(c.selector, other.metadata?.labels)) continue;
      const k = pairKey(c.topologyKey, labels[c.topologyKey]);
      s.addMatch(k, delta);
    }
  }

  preFilterExtensions(): PreFilterExtensions {
    return {
      addPod: (state, pod, pi, ni) => {
        this.updateWithPod(state, pod, pi, ni, 1);
        return null;
      },
      removePod: (state, pod, pi, ni) => {
        this.updateWithPod(state, pod, pi, ni, -1);
        return null;
      },
    };
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s || s.constraints.length === 0) return null;
    const labels = nodeInfo.node?.metadata?.labels ?? {};
    const podLabels = pod.metadata?.labels;
    for (const c of s.constraints) {
      if (!(c.topologyKey in labels)) return Status.unresolvable(ErrReasonNodeLabelNotMatch);
      const selfMatch = selectorMatches(c.selector, podLabels) ? 1 : 0;
      let minMatch = s.minMatchNum(c.topologyKey);
      if ((s.tpKeyToDomainsNum.get(c.topologyKey) ?? 0) < c.minDomains) minMatch = 0;
      const matchNum = s.tpPairToMatchNum.get(pairKey(c.topologyKey, labels[c.topologyKey])) ?? 0;
      const skew = matchNum + selfMatch - minMatch;
      if (skew > c.maxSkew) return Status.unschedulable(ErrReasonConstraintsNotMatch);
    }
    return null;
  }

  preScore(state: CycleState, pod: Pod, filteredNodes: NodeInfo[]): MaybeStatus {
    const constraints = this.constraints(pod, 'ScheduleAnyway');
    if (constraints.length === 0 || filteredNodes.length === 0) return Status.skip();
    const requireAll = !this.systemDefaulted(pod);
    const s = new PreScoreState();
    s.constraints = constraints;
    const topoSize = constraints.map(() => 0);
    const seen = constraints.map(() => new Set<string>());
    for (const ni of filteredNodes) {
      const labels = ni.node?.metadata?.labels ?? {};
      if (requireAll && !nodeLabelsMatchSpreadConstraints(labels, constraints)) {
        s.ignoredNodes.add(ni.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (!(c.topologyKey in labels)) return;
        if (c.topologyKey === LABEL_HOSTNAME) topoSize[i]++;
        else {
          const k = pairKey(c.topologyKey, labels[c.topologyKey]);
          if (!s.topologyPairToPodCounts.has(k)) s.topologyPairToPodCounts.set(k, 0);
          if (!seen[i].has(k)) {
            seen[i].add(k);
            topoSize[i]++;
          }
        }
      });
    }
    s.topologyNormalizingWeight = topoSize.map((n) => Math.log(n + 2));
    const ns = pod.metadata?.namespace ?? 'default';
    for (const ni of state.snapshot.nodeInfoList) {
      const node = ni.node!;
      const labels = node.metadata?.labels ?? {};
      if (requireAll && !nodeLabelsMatchSpreadConstraints(labels, constraints)) continue;
      for (const c of constraints) {
        if (c.topologyKey === LABEL_HOSTNAME || !(c.topologyKey in labels)) continue;
        if (!matchNodeInclusionPolicies(c, pod, node)) continue;
        const k = pairKey(c.topologyKey, labels[c.topologyKey]);
        if (!s.topologyPairToPodCounts.has(k)) continue;
        s.topologyPairToPodCounts.set(k, s.topologyPairToPodCounts.get(k)! + countPodsMatchSelector(ni.pods, c.selector, ns));
      }
    }
    state.write(PRE_SCORE_KEY, s);
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s || s.ignoredNodes.has(nodeInfo.name)) return 0;
    const labels = nodeInfo.node?.metadata?.labels ?? {};
    const ns = pod.metadata?.namespace ?? 'default';
    let score = 0;
    s.constraints.forEach((c, i) => {
      if (!(c.topologyKey in labels)) return;
      const cnt =
        c.topologyKey === LABEL_HOSTNAME
          ? countPodsMatchSelector(nodeInfo.pods, c.selector, ns)
          : (s.topologyPairToPodCounts.get(pairKey(c.topologyKey, labels[c.topologyKey])) ?? 0);
      score += cnt * s.topologyNormalizingWeight[i] + (c.maxSkew - 1);
    });
    return Math.round(score);
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s) return null;
    let min = Infinity;
    let max = 0;
    for (const x of scores) {
      if (s.ignoredNodes.has(x.name)) continue;
      min = Math.min(min, x.score);
      max = Math.max(max, x.score);
    }
    for (const x of scores) {
      if (s.ignoredNodes.has(x.name)) x.score = 0;
      else if (max === 0) x.score = MAX_NODE_SCORE;
      else x.score = Math.trunc((MAX_NODE_SCORE * (max + min - x.score)) / max);
    }
    return null;
  }
}
