// One scheduling cycle as a pure function of (pod, snapshot, framework): PreFilter, Filter over an adaptive
// share of the nodes from a rotating start index, Score, weighted sum, host selection; on failure the FitError
// with upstream's message and, through PostFilter (preemption), a nominated node.
import type { Pod } from 'kubernetes-types/core/v1';
import { CycleState } from './framework/cycle-state.ts';
import { NodeToStatus, type PostFilterResult } from './framework/interface.ts';
import type { NodeInfo } from './framework/node-info.ts';
import type { Framework, NodePluginScores } from './framework/runtime.ts';
import type { Snapshot } from './framework/snapshot.ts';
import { Code, Status } from './framework/status.ts';
import { FitError, type Diagnosis } from './fit-error.ts';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

export const ErrNoNodesAvailable = 'no nodes available to schedule pods';

/** How many feasible nodes to look for: all below 100 nodes, else 50% - nodes/125 (at least 5%), at least 100. */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number | undefined, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentageOfNodesToScore ?? 0;
  if (pct === 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

/** One of the nodes with the highest total score, chosen uniformly at random (reservoir sampling). */
export function selectHost(scores: NodePluginScores[], random: () => number = Math.random): string {
  if (scores.length === 0) throw new Error('empty priorityList');
  let best = scores[0];
  let ties = 1;
  for (let i = 1; i < scores.length; i++) {
    const s = scores[i];
    if (s.totalScore > best.totalScore) {
      best = s;
      ties = 1;
    } else if (s.totalScore === best.totalScore) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = s;
    }
  }
  return best.name;
}

export interface ScheduleOptions {
  /** Round-robin start index into the node list (carried between cycles by the scheduler). */
  nextStartNodeIndex?: number;
  random?: () => number;
}

export interface ScheduleResult {
  suggestedHost: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

export type ScheduleOutcome =
  | { kind: 'scheduled'; result: ScheduleResult; state: CycleState; nextStartNodeIndex: number }
  | { kind: 'unschedulable'; error: FitError; postFilterResult: PostFilterResult | null; state: CycleState; nextStartNodeIndex: number }
  | { kind: 'error'; error: Error; state: CycleState; nextStartNodeIndex: number };

interface FindResult {
  feasible: NodeInfo[];
  diagnosis: Diagnosis;
  nextStartNodeIndex: number;
}

function findNodesThatFitPod(fw: Framework, state: CycleState, pod: Pod, start: number): FindResult {
  const snap = state.snapshot;
  const nodeToStatus = new NodeToStatus();
  const diagnosis: Diagnosis = { nodeToStatus, preFilterMsg: '', postFilterMsg: '', unschedulablePlugins: new Set() };
  const allNodes = snap.nodeInfoList;
  const pre = fw.runPreFilterPlugins(state, pod);
  for (const p of pre.unschedulablePlugins) diagnosis.unschedulablePlugins!.add(p);
  if (!pre.status.isSuccess()) {
    if (!pre.status.isRejected()) throw pre.status.error ?? new Error(pre.status.message());
    nodeToStatus.setAbsentStatus(pre.status);
    diagnosis.preFilterMsg = pre.status.message();
    return { feasible: [], diagnosis, nextStartNodeIndex: start };
  }

  // A pod nominated by an earlier preemption tries its nominated node first.
  const nominated = pod.status?.nominatedNodeName;
  if (nominated) {
    const ni = snap.get(nominated);
    if (ni && (!pre.result?.nodeNames || pre.result.nodeNames.has(nominated))) {
      const s = fw.runFilterPluginsWithNominatedPods(state, pod, ni, fw.nominatedPodsForNode(ni.name));
      if (!s) return { feasible: [ni], diagnosis, nextStartNodeIndex: start };
      if (s.code === Code.Error) throw s.error ?? new Error(s.message());
    }
  }

  // The Filter plugins left after PreFilter's Skips, once per cycle rather than once per node.
  const filters = fw.filterPluginsToRun(state);
  const anyNominated = fw.hasNominatedPods();
  let nodes = allNodes;
  if (pre.result?.nodeNames) {
    const names = pre.result.nodeNames;
    nodes = [];
    for (const n of names) {
      const ni = snap.get(n);
      if (ni) nodes.push(ni);
    }
    // Keep the snapshot's order so the round-robin start index means the same thing.
    const order = new Map(allNodes.map((n, i) => [n.name, i]));
    nodes.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
    nodeToStatus.setAbsentStatus(Status.unresolvable(`node(s) didn't satisfy plugin(s) [${[...pre.narrowing].sort().join(' ')}]`));
    for (const p of pre.narrowing) diagnosis.unschedulablePlugins!.add(p);
  }

  const numAll = nodes.length;
  const toFind = numFeasibleNodesToFind(fw.profile.percentageOfNodesToScore, numAll);
  const feasible: NodeInfo[] = [];
  let processed = 0;
  const begin = numAll > 0 ? start % numAll : 0;
  for (let i = 0; i < numAll && feasible.length < toFind; i++) {
    let j = begin + i;
    if (j >= numAll) j -= numAll;
    const ni = nodes[j];
    processed++;
    const s = anyNominated
      ? fw.runFilterPluginsWithNominatedPods(state, pod, ni, fw.nominatedPodsForNode(ni.name), filters)
      : fw.runFilterPluginList(state, pod, ni, filters);
    if (!s) {
      feasible.push(ni);
      continue;
    }
    if (s.code === Code.Error) throw s.error ?? new Error(s.message());
    nodeToStatus.set(ni.name, s);
    if (s.plugin) diagnosis.unschedulablePlugins!.add(s.plugin);
  }
  const next = numAll > 0 ? (begin + processed) % numAll : 0;
  return { feasible, diagnosis, nextStartNodeIndex: next };
}

/**
 * schedulePod: finds the host for the pod or throws a FitError (no node fits) / Error.
 * Returns the index to start from next time.
 */
export function schedulePod(fw: Framework, state: CycleState, pod: Pod, opts: ScheduleOptions = {}): { result: ScheduleResult; nextStartNodeIndex: number } {
  const snap = state.snapshot;
  if (snap.numNodes() === 0) throw new Error(ErrNoNodesAvailable);
  const start = opts.nextStartNodeIndex ?? 0;
  const { feasible, diagnosis, nextStartNodeIndex } = findNodesThatFitPod(fw, state, pod, start);
  if (feasible.length === 0) throw new FitError(pod, snap.numNodes(), diagnosis);
  const evaluated = feasible.length + diagnosis.nodeToStatus.size();
  if (feasible.length === 1) {
    return { result: { suggestedHost: feasible[0].name, evaluatedNodes: evaluated, feasibleNodes: 1 }, nextStartNodeIndex };
  }
  const pre = fw.runPreScorePlugins(state, pod, feasible);
  if (pre) throw pre.error ?? new Error(pre.message());
  let scores: NodePluginScores[];
  if (fw.scorePlugins.length === 0) scores = feasible.map((n) => ({ name: n.name, scores: [], totalScore: 1 }));
  else scores = fw.runScorePlugins(state, pod, feasible);
  const host = selectHost(scores, opts.random);
  return { result: { suggestedHost: host, evaluatedNodes: evaluated, feasibleNodes: feasible.length }, nextStartNodeIndex };
}

/** A full scheduling decision for one pod: schedulePod, then PostFilter (preemption) when nothing fits. */
export function scheduleOne(fw: Framework, pod: Pod, snapshot: Snapshot, opts: ScheduleOptions = {}): ScheduleOutcome {
  const state = new CycleState(snapshot);
  const start = opts.nextStartNodeIndex ?? 0;
  try {
    const { result, nextStartNodeIndex } = schedulePod(fw, state, pod, opts);
    return { kind: 'scheduled', result, state, nextStartNodeIndex };
  } catch (e) {
    if (!(e instanceof FitError)) return { kind: 'error', error: e as Error, state, nextStartNodeIndex: start };
    let postFilterResult: PostFilterResult | null = null;
    if (fw.postFilterPlugins.length > 0) {
      const { result, status } = fw.runPostFilterPlugins(state, pod, e.diagnosis.nodeToStatus);
      if (status.code === Code.Error) return { kind: 'error', error: status.error ?? new Error(status.message()), state, nextStartNodeIndex: start };
      e.diagnosis.postFilterMsg = status.message();
      e.refresh();
      postFilterResult = result;
    }
    return { kind: 'unschedulable', error: e, postFilterResult, state, nextStartNodeIndex: start };
  }
}
