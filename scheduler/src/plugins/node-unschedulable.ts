import type { Pod } from 'kubernetes-types/core/v1';
import type { CycleState } from '../framework/cycle-state.ts';
import type { ClusterEvent, FilterPlugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { Status, type MaybeStatus } from '../framework/status.ts';
import { tolerationsTolerateTaint } from './taints.ts';

export const ErrReasonUnschedulable = 'node(s) were unschedulable';
export const ErrReasonUnknownCondition = 'node(s) had unknown conditions';
export const TaintNodeUnschedulable = 'node.kubernetes.io/unschedulable';

/** Rejects nodes with spec.unschedulable unless the pod tolerates the unschedulable NoSchedule taint. */
export class NodeUnschedulable implements FilterPlugin {
  readonly name = 'NodeUnschedulable';

  eventsToRegister(): ClusterEvent[] {
    return [{ resource: 'Node', action: 'Add' }, { resource: 'Node', action: 'Update' }];
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    if (!nodeInfo.unschedulable) return nodeInfo.node ? null : Status.unresolvable(ErrReasonUnknownCondition);
    const tolerated = tolerationsTolerateTaint(pod.spec?.tolerations, { key: TaintNodeUnschedulable, effect: 'NoSchedule' });
    return tolerated ? null : Status.unresolvable(ErrReasonUnschedulable);
  }
}
