import type { Pod } from 'kubernetes-types/core/v1';
import type { CycleState, StateData } from '../framework/cycle-state.ts';
import type { ClusterEvent, FilterPlugin, PreFilterPlugin, PreFilterResult } from '../framework/interface.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { podHostPorts, type HostPort } from '../framework/host-ports.ts';
import { Status, type MaybeStatus } from '../framework/status.ts';

export const ErrReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";
const KEY = 'PreFilterNodePorts';

class PortsState implements StateData {
  readonly ports: HostPort[];
  constructor(p: HostPort[]) {
    this.ports = p;
  }
  clone(): StateData {
    return this;
  }
}

/** Rejects nodes where a requested host port (ip/protocol/port) is already used. */
export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = 'NodePorts';

  eventsToRegister(): ClusterEvent[] {
    return [{ resource: 'AssignedPod', action: 'Delete' }, { resource: 'Node', action: 'Add' }];
  }

  preFilter(state: CycleState, pod: Pod): { result?: PreFilterResult | null; status?: MaybeStatus } {
    const ports = podHostPorts(pod);
    if (ports.length === 0) return { status: Status.skip() };
    state.write(KEY, new PortsState(ports));
    return {};
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const ports = state.read<PortsState>(KEY)?.ports ?? podHostPorts(pod);
    for (const p of ports) if (nodeInfo.usedPorts.conflicts(p)) return Status.unschedulable(ErrReasonNodePorts);
    return null;
  }
}
