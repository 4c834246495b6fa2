import type { Pod } from 'kubernetes-types/core/v1';
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
import { PodInfo, termMatches, type AffinityTerm, type NamespaceLabels } from '../framework/pod-info.ts';
import { Status, type MaybeStatus } from '../framework/status.ts';

export const ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

const PRE_FILTER_KEY = 'PreFilterInterPodAffinity';
const PRE_SCORE_KEY = 'PreScoreInterPodAffinity';

/** Counts per "topologyKey\0value". */
type TopologyCounts = Map<string, number>;
const pair = (key: string, value: string) => `${key}\u0000${value}`;

function addCount(m: TopologyCounts, k: string, n: number): void {
  const v = (m.get(k) ?? 0) + n;
  if (v === 0) m.delete(k);
  else m.set(k, v);
}

class PreFilterState implements StateData {
  existingAntiAffinityCounts: TopologyCounts = new Map();
  affinityCounts: TopologyCounts = new Map();
  antiAffinityCounts: TopologyCounts = new Map();
  podInfo: PodInfo;
  constructor(pi: PodInfo) {
    this.podInfo = pi;
  }
  clone(): PreFilterState {
    const c = new PreFilterState(this.podInfo);
    c.existingAntiAffinityCounts = new Map(this.existingAntiAffinityCounts);
    c.affinityCounts = new Map(this.affinityCounts);
    c.antiAffinityCounts = new Map(this.antiAffinityCounts);
    return c;
  }
}

class PreScoreState implements StateData {
  topologyScore = new Map<string, Map<string, number>>();
  clone(): StateData {
    return this;
  }
}

/** Required and preferred pod (anti-)affinity by topology domain, including existing pods' required anti-affinity. */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'InterPodAffinity';
  readonly hardPodAffinityWeight: number;
  private readonly nsLabels?: NamespaceLabels;

  constructor(opts: { hardPodAffinityWeight?: number; namespaceLabels?: NamespaceLabels } = {}) {
    this.hardPodAffinityWeight = opts.hardPodAffinityWeight ?? 1;
    this.nsLabels = opts.namespaceLabels;
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'AssignedPod', action: 'Add' },
      { resource: 'AssignedPod', action: 'Update' },
      { resource: 'AssignedPod', action: 'Delete' },
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'Update' },
    ];
  }

  private matches(term: AffinityTerm, pod: Pod): boolean {
    return termMatches(term, pod, this.nsLabels);
  }

  /** Adds (multiplier 1) or removes (-1) the effect of an existing pod on the counts. */
  private updateWithPod(s: PreFilterState, existing: PodInfo, node: NodeInfo['node'], multiplier: number): void {
    const labels = node?.metadata?.labels ?? {};
    const incoming = s.podInfo.pod;
    for (const t of existing.requiredAntiAffinityTerms) {
      if (t.topologyKey in labels && this.matches(t, incoming)) addCount(s.existingAntiAffinityCounts, pair(t.topologyKey, labels[t.topologyKey]), multiplier);
    }
    this.updateIncoming(s, existing.pod, labels, multiplier);
  }

  private updateIncoming(s: PreFilterState, existing: Pod, labels: Record<string, string>, multiplier: number): void {
    const pi = s.podInfo;
    if (pi.requiredAffinityTerms.length && pi.requiredAffinityTerms.every((t) => this.matches(t, existing))) {
      for (const t of pi.requiredAffinityTerms) {
        if (t.topologyKey in labels) addCount(s.affinityCounts, pair(t.topologyKey, labels[t.topologyKey]), multiplier);
      }
    }
    for (const t of pi.requiredAntiAffinityTerms) {
      if (t.topologyKey in labels && this.matches(t, existing)) addCount(s.antiAffinityCounts, pair(t.topologyKey, labels[t.topologyKey]), multiplier);
    }
  }

  preFilter(state: CycleState, pod: Pod): { result?: PreFilterResult | null; status?: MaybeStatus } {
    const s = new PreFilterState(new PodInfo(pod));
    const snap = state.snapshot;
    for (const ni of snap.havePodsWithRequiredAntiAffinityList) {
      const labels = ni.node?.metadata?.labels ?? {};
      for (const existing of ni.podsWithRequiredAntiAffinity) {
        for (const t of existing.requiredAntiAffinityTerms) {
          if (t.topologyKey in labels && this.matches(t, pod)) addCount(s.existingAntiAffinityCounts, pair(t.topologyKey, labels[t.topologyKey]), 1);
        }
      }
    }
    if (s.podInfo.requiredAffinityTerms.length || s.podInfo.requiredAntiAffinityTerms.length) {
      for (const ni of snap.nodeInfoList) {
        const labels = ni.node?.metadata?.labels ?? {};
        for (const existing of ni.pods) this.updateIncoming(s, existing.pod, labels, 1);
      }
    } else if (s.existingAntiAffinityCounts.size === 0) {
      return { status: Status.skip() };
    }
    state.write(PRE_FILTER_KEY, s);
    return {};
  }

  preFilterExtensions(): PreFilterExtensions {
    return {
      addPod: (state, _pod, podInfo, nodeInfo) => {
        const s = state.read<PreFilterState>(PRE_FILTER_KEY);
        if (s) this.updateWithPod(s, podInfo, nodeInfo.node, 1);
        return null;
      },
      removePod: (state, _pod, podInfo, nodeInfo) => {
        const s = state.read<PreFilterState>(PRE_FILTER_KEY);
        if (s) this.updateWithPod(s, podInfo, nodeInfo.node, -1);
        return null;
      },
    };
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return null;
    const labels = nodeInfo.node?.metadata?.labels ?? {};
    if (!this.satisfyPodAffinity(s, labels)) return Status.unresolvable(ErrReasonAffinityRulesNotMatch);
    for (const t of s.podInfo.requiredAntiAffinityTerms) {
      if (t.topologyKey in labels && (s.antiAffinityCounts.get(pair(t.topologyKey, labels[t.topologyKey])) ?? 0) > 0) {
        return Status.unschedulable(ErrReasonAntiAffinityRulesNotMatch);
      }
    }
    if (s.existingAntiAffinityCounts.size > 0) {
      for (const [k, v] of Object.entries(labels)) {
        if ((s.existingAntiAffinityCounts.get(pair(k, v)) ?? 0) > 0) return Status.unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);
      }
    }
    return null;
  }

  private satisfyPodAffinity(s: PreFilterState, labels: Record<string, string>): boolean {
    let podsExist = true;
    for (const t of s.podInfo.requiredAffinityTerms) {
      if (!(t.topologyKey in labels)) return false; // every topology label must exist on the node
      if ((s.affinityCounts.get(pair(t.topologyKey, labels[t.topologyKey])) ?? 0) <= 0) podsExist = false;
    }
    if (podsExist) return true;
    // The first pod of a group with affinity to itself: allowed when no pod matches yet and it matches its own terms.
    return s.affinityCounts.size === 0 && s.podInfo.requiredAffinityTerms.every((t) => this.matches(t, s.podInfo.pod));
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): MaybeStatus {
    if (nodes.length === 0) return Status.skip();
    const pi = new PodInfo(pod);
    const hasPreferred = pi.preferredAffinityTerms.length > 0 || pi.preferredAntiAffinityTerms.length > 0;
    const snap = state.snapshot;
    const candidates = hasPreferred ? snap.nodeInfoList : snap.havePodsWithAffinityList;
    if (candidates.length === 0) return Status.skip();
    const s = new PreScoreState();
    const add = (key: string, value: string, w: number) => {
      let m = s.topologyScore.get(key);
      if (!m) s.topologyScore.set(key, (m = new Map()));
      m.set(value, (m.get(value) ?? 0) + w);
    };
    for (const ni of candidates) {
      const labels = ni.node?.metadata?.labels ?? {};
      const existingPods = hasPreferred ? ni.pods : ni.podsWithAffinity;
      for (const ex of existingPods) {
        for (const t of pi.preferredAffinityTerms) {
          if (t.topologyKey in labels && this.matches(t, ex.pod)) add(t.topologyKey, labels[t.topologyKey], t.weight);
        }
        for (const t of pi.preferredAntiAffinityTerms) {
          if (t.topologyKey in labels && this.matches(t, ex.pod)) add(t.topologyKey, labels[t.topologyKey], -t.weight);
        }
        if (this.hardPodAffinityWeight > 0) {
          for (const t of ex.requiredAffinityTerms) {
            if (t.topologyKey in labels && this.matches(t, pod)) add(t.topologyKey, labels[t.topologyKey], this.hardPodAffinityWeight);
          }
        }
        for (const t of ex.preferredAffinityTerms) {
          if (t.topologyKey in labels && this.matches(t, pod)) add(t.topologyKey, labels[t.topologyKey], t.weight);
        }
        for (const t of ex.preferredAntiAffinityTerms) {
          if (t.topologyKey in labels && this.matches(t, pod)) add(t.topologyKey, labels[t.topologyKey], -t.weight);
        }
      }
    }
    if (s.topologyScore.size === 0) return Status.skip();
    state.write(PRE_SCORE_KEY, s);
    return null;
  }

  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s) return 0;
    const labels = nodeInfo.node?.metadata?.labels ?? {};
    let score = 0;
    for (const [key, values] of s.topologyScore) {
      if (key in labels) score += values.get(labels[key]) ?? 0;
    }
    return score;
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s || s.topologyScore.size === 0) return null;
    let min = Infinity;
    let max = -Infinity;
    for (const x of scores) {
      min = Math.min(min, x.score);
      max = Math.max(max, x.score);
    }
    const diff = max - min;
    for (const x of scores) x.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((x.score - min) / diff)) : 0;
    return null;
  }
}
