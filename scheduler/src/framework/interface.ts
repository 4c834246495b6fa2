import type { Pod } from 'kubernetes-types/core/v1';
import type { CycleState } from './cycle-state.ts';
import type { NodeInfo } from './node-info.ts';
import type { PodInfo } from './pod-info.ts';
import { Code, Status, type MaybeStatus } from './status.ts';

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface NodeScore {
  name: string;
  score: number;
}

/** Which nodes a PreFilter narrowed the cycle to; null nodeNames = all nodes. */
export interface PreFilterResult {
  nodeNames: Set<string> | null;
}

/** Cluster events that may make a pod schedulable (for the queue's requeueing). */
export type EventResource = 'Pod' | 'AssignedPod' | 'Node' | '*';
export type ActionType = 'Add' | 'Update' | 'Delete' | '*';
export interface ClusterEvent {
  resource: EventResource;
  action: ActionType;
  label?: string;
}

export interface Plugin {
  readonly name: string;
  /** Events whose occurrence may make a pod rejected by this plugin schedulable. */
  eventsToRegister?(): ClusterEvent[];
}

export interface PreFilterExtensions {
  addPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
  removePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: Pod): { result?: PreFilterResult | null; status?: MaybeStatus };
  preFilterExtensions?(): PreFilterExtensions | null;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus;
}

/** Result of PostFilter (preemption): the node the pod is nominated to, if any. */
export interface PostFilterResult {
  nominatedNodeName: string;
  victims?: Pod[];
  /** Lower-priority pods nominated to that node whose nomination must be cleared. */
  nominatedPodsToClear?: Pod[];
}

export interface NodeToStatusReader {
  get(nodeName: string): Status;
  absentStatus(): Status;
  entries(): IterableIterator<[string, Status]>;
  size(): number;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: Pod, statuses: NodeToStatusReader): { result: PostFilterResult | null; status: Status };
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): MaybeStatus;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number;
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): MaybeStatus;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): MaybeStatus;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus>;
}

/** Scales scores to [0, maxPriority] by the highest score; reverse flips them (upstream helper.DefaultNormalizeScore). */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: NodeScore[]): MaybeStatus {
  let max = 0;
  for (const s of scores) if (s.score > max) max = s.score;
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = maxPriority;
    return null;
  }
  for (const s of scores) {
    let v = Math.trunc((maxPriority * s.score) / max);
    if (reverse) v = maxPriority - v;
    s.score = v;
  }
  return null;
}

/** Statuses of nodes that failed filtering, with a status for nodes not recorded explicitly (upstream NodeToStatus). */
export class NodeToStatus implements NodeToStatusReader {
  private readonly map = new Map<string, Status>();
  private absent: Status;

  constructor(absent: Status = new Status(Code.UnschedulableAndUnresolvable)) {
    this.absent = absent;
  }
  set(nodeName: string, s: Status): void {
    this.map.set(nodeName, s);
  }
  get(nodeName: string): Status {
    return this.map.get(nodeName) ?? this.absent;
  }
  has(nodeName: string): boolean {
    return this.map.has(nodeName);
  }
  setAbsentStatus(s: Status): void {
    this.absent = s;
  }
  absentStatus(): Status {
    return this.absent;
  }
  entries(): IterableIterator<[string, Status]> {
    return this.map.entries();
  }
  size(): number {
    return this.map.size;
  }
}
