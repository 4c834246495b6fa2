import type { Pod } from 'kubernetes-types/core/v1';
import type { CycleState } from '../framework/cycle-state.ts';
import type { NodeToStatusReader, PostFilterPlugin, PostFilterResult } from '../framework/interface.ts';
import type { Framework } from '../framework/runtime.ts';
import { Status } from '../framework/status.ts';
import { preempt, type PreemptionOptions } from '../preemption.ts';

/** PostFilter that nominates a node after choosing lower-priority victims (see preemption.ts). */
export class DefaultPreemption implements PostFilterPlugin {
  readonly name = 'DefaultPreemption';
  private fw: Framework | null = null;
  private readonly opts: PreemptionOptions;

  constructor(opts: PreemptionOptions = {}) {
    this.opts = opts;
  }

  /** Called by the Framework that owns this plugin. */
  setFramework(fw: Framework): void {
    this.fw = fw;
  }

  postFilter(state: CycleState, pod: Pod, statuses: NodeToStatusReader): { result: PostFilterResult | null; status: Status } {
    if (!this.fw) return { result: null, status: Status.asStatus(new Error('DefaultPreemption has no framework')) };
    const opts: PreemptionOptions = { nominatedPodsForNode: this.fw.nominatedPodsForNode, ...this.opts };
    const { result, status } = preempt(this.fw, state, pod, statuses, opts);
    const msg = status.message();
    if (msg) return { result, status: new Status(status.code, [`preemption: ${msg}`]) };
    return { result, status };
  }
}
