import type { Pod } from 'kubernetes-types/core/v1';
import { StateReader, type CycleState, type StateData } from '../framework/cycle-state.ts';
import { MAX_NODE_SCORE, type ClusterEvent, type PreScorePlugin, type ScorePlugin } from '../framework/interface.ts';
import { allocatableOf, requestedOf, resourceField, type NodeInfo, type ResourceField } from '../framework/node-info.ts';
import { podRequests, type Resource } from '../framework/resource.ts';
import type { MaybeStatus } from '../framework/status.ts';
import { DEFAULT_SCORING_RESOURCES, type ResourceSpec } from './node-resources-fit.ts';

const KEY = 'PreScoreNodeResourcesBalancedAllocation';

class ReqState implements StateData {
  readonly req: Resource;
  constructor(r: Resource) {
    this.req = r;
  }
  clone(): StateData {
    return this;
  }
}

/** Favors nodes whose requested fractions of cpu and memory stay close to each other (1 - standard deviation). */
export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = 'NodeResourcesBalancedAllocation';
  readonly resources: ResourceSpec[];
  private readonly fields: ResourceField[];
  private readonly preScoreState = new StateReader<ReqState>(KEY);

  constructor(resources: ResourceSpec[] = DEFAULT_SCORING_RESOURCES) {
    this.resources = resources;
    this.fields = resources.map((r) => resourceField(r.name));
  }

  eventsToRegister(): ClusterEvent[] {
    return [];
  }

  preScore(state: CycleState, pod: Pod): MaybeStatus {
    // 1.32 scores best-effort pods too (the Skip for them came in a later release).
    state.write(KEY, new ReqState(podRequests(pod)));
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const req = this.preScoreState.read(state)?.req ?? podRequests(pod);
    const resources = this.resources;
    let std = 0;
    if (resources.length <= 2) {
      // The usual cpu and memory: no array of fractions.
      let count = 0;
      let f0 = 0;
      let f1 = 0;
      for (let i = 0; i < resources.length; i++) {
        const name = resources[i].name;
        const field = this.fields[i];
        const alloc = allocatableOf(nodeInfo, field, name);
        if (alloc === 0) continue;
        const f = Math.min(1, (requestedOf(nodeInfo, field, name) + req.get(name)) / alloc);
        if (count === 0) f0 = f;
        else f1 = f;
        count++;
      }
      if (count === 2) std = Math.abs((f0 - f1) / 2);
      return Math.trunc((1 - std) * MAX_NODE_SCORE);
    }
    const fractions: number[] = [];
    for (const r of resources) {
      const alloc = nodeInfo.allocatable.get(r.name);
      if (alloc === 0) continue;
      fractions.push(Math.min(1, (nodeInfo.requested.get(r.name) + req.get(r.name)) / alloc));
    }
    if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
    else if (fractions.length > 2) {
      const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
      const variance = fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length;
      std = Math.sqrt(variance);
    }
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
}
