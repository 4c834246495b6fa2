import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { CycleState } from '../framework/cycle-state.ts';
import {
  MAX_NODE_SCORE,
  defaultNormalizeScore,
  type ClusterEvent,
  type FilterPlugin,
  type NodeScore,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { nodeSelectorMatches, nodeSelectorTermMatches } from '../framework/labels.ts';
import { Status, type MaybeStatus } from '../framework/status.ts';

export const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";
export const errReasonConflict = 'pod affinity terms conflict';

/** nodeSelector and required node affinity (component-helpers' RequiredNodeAffinity.Match). */
export function requiredNodeAffinityMatches(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) return false;
  }
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!req) return true;
  return nodeSelectorMatches(req, node);
}

/** Node names a pod is limited to by `metadata.name In [...]` matchFields in every required term, or null. */
function nodeNamesFromAffinity(pod: Pod): Set<string> | null {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms?.length) return null;
  const union = new Set<string>();
  for (const t of terms) {
    const lists = (t.matchFields ?? []).filter((f) => f.key === 'metadata.name' && f.operator === 'In').map((f) => f.values ?? []);
    if (lists.length === 0) return null; // this term can match any node
    for (const n of lists[0]) if (lists.every((l) => l.includes(n))) union.add(n);
  }
  return union;
}

const PRE_SCORE_KEY = 'PreScoreNodeAffinity';

/** Filters on nodeSelector + required node affinity; scores preferred terms by weight. */
export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'NodeAffinity';

  eventsToRegister(): ClusterEvent[] {
    return [{ resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'Update' }];
  }

  preFilter(_state: CycleState, pod: Pod): { result?: PreFilterResult | null; status?: MaybeStatus } {
    const hasRequired = !!pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!hasRequired && !Object.keys(pod.spec?.nodeSelector ?? {}).length) return { status: Status.skip() };
    const names = nodeNamesFromAffinity(pod);
    if (names && names.size === 0) return { status: Status.unresolvable(errReasonConflict) };
    return { result: names ? { nodeNames: names } : null };
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    if (!nodeInfo.node) return Status.unresolvable('node not found');
    return requiredNodeAffinityMatches(pod, nodeInfo.node) ? null : Status.unresolvable(ErrReasonPod);
  }

  preScore(state: CycleState, pod: Pod): MaybeStatus {
    const pref = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    if (pref.length === 0) return Status.skip();
    state.write(PRE_SCORE_KEY, { clone() { return this; } });
    return null;
  }

  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const node = nodeInfo.node;
    if (!node) return 0;
    let count = 0;
    for (const p of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (p.weight !== 0 && nodeSelectorTermMatches(p.preference, node)) count += p.weight;
    }
    return count;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    return defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  }
}
