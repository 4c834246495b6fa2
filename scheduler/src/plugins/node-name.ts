import type { Pod } from 'kubernetes-types/core/v1';
import type { CycleState } from '../framework/cycle-state.ts';
import type { ClusterEvent, FilterPlugin } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { Status, type MaybeStatus } from '../framework/status.ts';

export const ErrReasonNodeName = "node(s) didn't match the requested node name";

/** A pod with spec.nodeName fits only that node. */
export class NodeName implements FilterPlugin {
  readonly name = 'NodeName';

  eventsToRegister(): ClusterEvent[] {
    return [{ resource: 'Node', action: 'Add' }];
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const want = pod.spec?.nodeName;
    if (!want || want === nodeInfo.name) return null;
    return Status.unresolvable(ErrReasonNodeName);
  }
}
