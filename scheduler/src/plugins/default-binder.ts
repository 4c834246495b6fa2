import type { Pod } from 'kubernetes-types/core/v1';
import type { CycleState } from '../framework/cycle-state.ts';
import type { BindPlugin } from '../framework/interface.ts';
import { Status, type MaybeStatus } from '../framework/status.ts';

export type BindFunc = (pod: Pod, nodeName: string) => Promise<void>;

/** Binds through an injected function (the API adapter POSTs a Binding to pods/<name>/binding). */
export class DefaultBinder implements BindPlugin {
  readonly name = 'DefaultBinder';
  private readonly bindFn: BindFunc;

  constructor(bind: BindFunc) {
    this.bindFn = bind;
  }

  async bind(_state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus> {
    try {
      await this.bindFn(pod, nodeName);
      return null;
    } catch (e) {
      return Status.asStatus(e);
    }
  }
}
