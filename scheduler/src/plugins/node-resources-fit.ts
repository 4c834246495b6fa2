import type { Pod } from 'kubernetes-types/core/v1';
import { StateReader, type CycleState, type StateData } from '../framework/cycle-state.ts';
import {
  MAX_NODE_SCORE,
  type ClusterEvent,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/interface.ts';
import { allocatableOf, nonZeroRequestedOf, resourceField, type NodeInfo, type ResourceField } from '../framework/node-info.ts';
import { podRequests, type Resource } from '../framework/resource.ts';
import { Status, type MaybeStatus } from '../framework/status.ts';

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  /** The request exceeds the node's allocatable even when empty: preemption cannot help. */
  unresolvable: boolean;
}

/** Whether the node has room for the request: fitsRequest(...).length === 0 without building the reasons. */
export function fitsRequestFast(req: Resource, scalarNames: readonly string[], nodeInfo: NodeInfo): boolean {
  const n = nodeInfo;
  if (n.numPods + 1 > n.allowedPods) return false;
  if (req.milliCPU > 0 && req.milliCPU > n.allocMilliCPU - n.reqMilliCPU) return false;
  if (req.memory > 0 && req.memory > n.allocMemory - n.reqMemory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > n.allocEphemeral - n.reqEphemeral) return false;
  if (scalarNames.length === 0) return true;
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  for (let i = 0; i < scalarNames.length; i++) {
    const name = scalarNames[i];
    const want = req.scalar.get(name)!;
    if (want > 0 && want > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) return false;
  }
  return true;
}

/** fitsRequest: which resources the node lacks for the pod's request (reasons in upstream order). */
export function fitsRequest(req: Resource, nodeInfo: NodeInfo): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) {
    out.push({
      resourceName: 'pods',
      reason: 'Too many pods',
      requested: 1,
      used: nodeInfo.pods.length,
      capacity: alloc.allowedPodNumber,
      unresolvable: false,
    });
  }
  if (req.isZero()) return out;
  const check = (name: string, want: number, have: number, usedAmt: number) => {
    if (want > 0 && want > have - usedAmt) {
      out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used: usedAmt, capacity: have, unresolvable: want > have });
    }
  };
  check('cpu', req.milliCPU, alloc.milliCPU, used.milliCPU);
  check('memory', req.memory, alloc.memory, used.memory);
  check('ephemeral-storage', req.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
  for (const name of [...req.scalar.keys()].sort()) {
    check(name, req.scalar.get(name)!, alloc.scalar.get(name) ?? 0, used.scalar.get(name) ?? 0);
  }
  return out;
}

const PRE_FILTER_KEY = 'PreFilterNodeResourcesFit';
const PRE_SCORE_KEY = 'PreScoreNodeResourcesFit';

class RequestState implements StateData {
  readonly req: Resource;
  /** The request's extended resources, sorted (the order of the reasons). */
  readonly scalarNames: string[];
  constructor(r: Resource) {
    this.req = r;
    this.scalarNames = [...r.scalar.keys()].sort();
  }
  clone(): StateData {
    return this;
  }
}

export interface ResourceSpec {
  name: string;
  weight: number;
}

export const DEFAULT_SCORING_RESOURCES: ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

/**
 * Requested amount of `resource` on the node after adding the pod, and the allocatable amount.
 * Scoring with nonZero uses the 100m/200Mi defaults for cpu/memory (NonZeroRequested).
 */
export function allocatableAndRequested(nodeInfo: NodeInfo, podReq: Resource, resource: string, nonZero: boolean): [number, number] {
  const nodeReq = nonZero ? nodeInfo.nonZeroRequested : nodeInfo.requested;
  return [nodeInfo.allocatable.get(resource), nodeReq.get(resource) + podReq.get(resource)];
}

function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** Checks cpu, memory, ephemeral-storage, pod count and extended resources; scores by LeastAllocated. */
export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'NodeResourcesFit';
  readonly resources: ResourceSpec[];
  private readonly fields: ResourceField[];
  private readonly preFilterState = new StateReader<RequestState>(PRE_FILTER_KEY);
  private readonly preScoreState = new StateReader<RequestState>(PRE_SCORE_KEY);

  constructor(resources: ResourceSpec[] = DEFAULT_SCORING_RESOURCES) {
    this.resources = resources;
    this.fields = resources.map((r) => resourceField(r.name));
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      { resource: 'AssignedPod', action: 'Delete' },
      { resource: 'Pod', action: 'Update' },
      { resource: 'Node', action: 'Add' },
      { resource: 'Node', action: 'Update' },
    ];
  }

  preFilter(state: CycleState, pod: Pod): { result?: PreFilterResult | null; status?: MaybeStatus } {
    state.write(PRE_FILTER_KEY, new RequestState(podRequests(pod)));
    return {};
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const st = this.preFilterState.read(state) ?? new RequestState(podRequests(pod));
    const req = st.req;
    if (fitsRequestFast(req, st.scalarNames, nodeInfo)) return null;
    const insufficient = fitsRequest(req, nodeInfo);
    if (insufficient.length === 0) return null;
    const reasons = insufficient.map((r) => r.reason);
    return insufficient.some((r) => r.unresolvable) ? Status.unresolvable(...reasons) : Status.unschedulable(...reasons);
  }

  preScore(state: CycleState, pod: Pod): MaybeStatus {
    state.write(PRE_SCORE_KEY, new RequestState(podRequests(pod, true)));
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const req = this.preScoreState.read(state)?.req ?? podRequests(pod, true);
    let score = 0;
    let weightSum = 0;
    const resources = this.resources;
    for (let i = 0; i < resources.length; i++) {
      const r = resources[i];
      const f = this.fields[i];
      const alloc = allocatableOf(nodeInfo, f, r.name);
      if (alloc === 0) continue;
      const requested = nonZeroRequestedOf(nodeInfo, f, r.name) + req.get(r.name);
      score += leastRequestedScore(requested, alloc) * r.weight;
      weightSum += r.weight;
    }
    return weightSum === 0 ? 0 : Math.trunc(score / weightSum);
  }
}
