import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1';
import { StateReader, type CycleState } from '../framework/cycle-state.ts';
import {
  MAX_NODE_SCORE,
  defaultNormalizeScore,
  type ClusterEvent,
  type FilterPlugin,
  type NodeScore,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { Status, type MaybeStatus } from '../framework/status.ts';
import { findUntoleratedTaint, tolerationsTolerateTaint } from './taints.ts';

const PRE_SCORE_KEY = 'PreScoreTaintToleration';

class PreScoreState {
  readonly tolerationsPreferNoSchedule: Toleration[];
  constructor(t: Toleration[]) {
    this.tolerationsPreferNoSchedule = t;
  }
  clone(): PreScoreState {
    return this;
  }
}

const isNoScheduleOrNoExecute = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

/** Filters on NoSchedule/NoExecute taints; scores down nodes with untolerated PreferNoSchedule taints. */
export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'TaintToleration';
  private readonly preScoreState = new StateReader<PreScoreState>(PRE_SCORE_KEY);

  eventsToRegister(): ClusterEvent[] {
    return [{ resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'Update' }, { resource: 'Pod', action: 'Update' }];
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const taints = nodeInfo.taints;
    if (!taints) return null;
    const taint = findUntoleratedTaint(taints, pod.spec?.tolerations, isNoScheduleOrNoExecute);
    if (!taint) return null;
    return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  preScore(state: CycleState, pod: Pod): MaybeStatus {
    const tols = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(PRE_SCORE_KEY, new PreScoreState(tols));
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const taints = nodeInfo.taints;
    if (!taints) return 0;
    const s = this.preScoreState.read(state);
    const tols = s ? s.tolerationsPreferNoSchedule : (pod.spec?.tolerations ?? []);
    let n = 0;
    for (const taint of taints) {
      if (taint.effect !== 'PreferNoSchedule') continue;
      if (!tolerationsTolerateTaint(tols, taint)) n++;
    }
    return n;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    return defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  }
}
