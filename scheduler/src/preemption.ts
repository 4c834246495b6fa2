// DefaultPreemption's evaluator (upstream framework/preemption): find nodes where evicting lower-priority
// pods lets the preemptor fit, choose the minimal victims per node and the best node. Pure: the caller
// deletes the victims and sets status.nominatedNodeName. PodDisruptionBudgets are not considered.
import type { Pod } from 'kubernetes-types/core/v1';
import type { CycleState } from './framework/cycle-state.ts';
import { NodeToStatus, type NodeToStatusReader, type PostFilterResult } from './framework/interface.ts';
import type { NodeInfo } from './framework/node-info.ts';
import { PodInfo, podPriority } from './framework/pod-info.ts';
import type { Framework } from './framework/runtime.ts';
import { Code, Status } from './framework/status.ts';
import { fitErrorMessage } from './fit-error.ts';

export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

export interface Candidate {
  name: string;
  victims: Pod[];
  numPDBViolations: number;
}

export interface PreemptionOptions {
  /** Pods nominated to a node (from the queue's nominator). */
  nominatedPodsForNode?: (nodeName: string) => Pod[];
  /** Random source in [0, 1) for the dry-run offset. */
  random?: () => number;
  minCandidateNodesPercentage?: number;
  minCandidateNodesAbsolute?: number;
}

function startTime(p: Pod): number {
  const t = p.status?.startTime ?? undefined;
  return t ? Date.parse(t) : Number.POSITIVE_INFINITY;
}

/** Higher priority first, then the one that started earlier (upstream util.MoreImportantPod). */
export function moreImportantPod(a: Pod, b: Pod): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return startTime(a) < startTime(b);
}

function terminatingByPreemption(p: Pod): boolean {
  if (!p.metadata?.deletionTimestamp) return false;
  return (p.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler');
}

export function podEligibleToPreemptOthers(pod: Pod, state: CycleState, nominatedNodeStatus: Status): { ok: boolean; msg: string } {
  if (pod.spec?.preemptionPolicy === 'Never') return { ok: false, msg: 'not eligible due to preemptionPolicy=Never.' };
  const nom = pod.status?.nominatedNodeName;
  if (nom) {
    if (nominatedNodeStatus.code === Code.UnschedulableAndUnresolvable) return { ok: true, msg: '' };
    const ni = state.snapshot.get(nom);
    if (ni) {
      const prio = podPriority(pod);
      for (const p of ni.pods) {
        if (podPriority(p.pod) < prio && terminatingByPreemption(p.pod)) {
          return { ok: false, msg: 'not eligible due to a terminating pod on the nominated node.' };
        }
      }
    }
  }
  return { ok: true, msg: '' };
}

/**
 * Removes every lower-priority pod from (copies of) the node and state; if the pod then fits, adds them back
 * one by one from the most important, keeping each that still lets the pod fit. The rest are the victims.
 */
export function selectVictimsOnNode(
  fw: Framework,
  state: CycleState,
  pod: Pod,
  nodeInfo: NodeInfo,
  nominated: Pod[] = [],
): { victims: Pod[]; numViolating: number; status: Status | null } {
  const prio = podPriority(pod);
  const potential: PodInfo[] = [];
  for (const pi of [...nodeInfo.pods]) {
    if (podPriority(pi.pod) < prio) {
      potential.push(pi);
      nodeInfo.removePod(pi.pod);
      const s = fw.runPreFilterExtensionRemovePod(state, pod, pi, nodeInfo);
      if (s && !s.isSuccess()) return { victims: [], numViolating: 0, status: s };
    }
  }
  if (potential.length === 0) {
    return { victims: [], numViolating: 0, status: Status.unresolvable('No preemption victims found for incoming pod') };
  }
  const fits = fw.runFilterPluginsWithNominatedPods(state, pod, nodeInfo, nominated);
  if (fits) return { victims: [], numViolating: 0, status: fits };
  potential.sort((a, b) => (moreImportantPod(a.pod, b.pod) ? -1 : moreImportantPod(b.pod, a.pod) ? 1 : 0));
  const victims: Pod[] = [];
  for (const pi of potential) {
    nodeInfo.addPodInfo(pi);
    const s = fw.runPreFilterExtensionAddPod(state, pod, pi, nodeInfo);
    if (s && !s.isSuccess()) return { victims: [], numViolating: 0, status: s };
    if (fw.runFilterPluginsWithNominatedPods(state, pod, nodeInfo, nominated)) {
      nodeInfo.removePod(pi.pod);
      const r = fw.runPreFilterExtensionRemovePod(state, pod, pi, nodeInfo);
      if (r && !r.isSuccess()) return { victims: [], numViolating: 0, status: r };
      victims.push(pi.pod);
    }
  }
  return { victims, numViolating: 0, status: null };
}

export function calculateNumCandidates(numNodes: number, pct = MIN_CANDIDATE_NODES_PERCENTAGE, abs = MIN_CANDIDATE_NODES_ABSOLUTE): number {
  let n = Math.trunc((numNodes * pct) / 100);
  if (n < abs) n = abs;
  if (n > numNodes) n = numNodes;
  return n;
}

/** Evaluates preemption on potential nodes from a random offset until enough candidates are found. */
export function dryRunPreemption(
  fw: Framework,
  state: CycleState,
  pod: Pod,
  potentialNodes: NodeInfo[],
  offset: number,
  numCandidates: number,
  nominatedPodsForNode: (n: string) => Pod[] = () => [],
): { candidates: Candidate[]; statuses: NodeToStatus } {
  const statuses = new NodeToStatus();
  const nonViolating: Candidate[] = [];
  const violating: Candidate[] = [];
  const n = potentialNodes.length;
  for (let i = 0; i < n; i++) {
    if (nonViolating.length > 0 && nonViolating.length + violating.length >= numCandidates) break;
    const ni = potentialNodes[(offset + i) % n].clone();
    const st = state.clone();
    const r = selectVictimsOnNode(fw, st, pod, ni, nominatedPodsForNode(ni.name));
    if (!r.status) {
      const c = { name: ni.name, victims: r.victims, numPDBViolations: r.numViolating };
      (r.numViolating === 0 ? nonViolating : violating).push(c);
      continue;
    }
    statuses.set(ni.name, r.status);
  }
  return { candidates: [...nonViolating, ...violating], statuses };
}

/**
 * The candidate with, in order: fewest PDB violations, lowest highest-victim priority, lowest sum of victim
 * priorities, fewest victims, latest start among its highest-priority victims; ties go to the first.
 */
export function pickOneNodeForPreemption(candidates: Candidate[]): Candidate | null {
  if (candidates.length === 0) return null;
  const empty = candidates.find((c) => c.victims.length === 0);
  if (empty) return empty;
  const OFFSET = 2 ** 31; // MaxInt32 + 1 keeps every priority positive in sums
  const criteria: ((c: Candidate) => number)[] = [
    (c) => -c.numPDBViolations,
    (c) => -podPriority(c.victims[0]),
    (c) => -c.victims.reduce((a, p) => a + podPriority(p) + OFFSET, 0),
    (c) => -c.victims.length,
    (c) => {
      const top = podPriority(c.victims[0]);
      let earliest = Number.POSITIVE_INFINITY;
      for (const p of c.victims) if (podPriority(p) === top) earliest = Math.min(earliest, startTime(p));
      return earliest;
    },
  ];
  let remaining = candidates;
  for (const score of criteria) {
    let best = Number.NEGATIVE_INFINITY;
    let next: Candidate[] = [];
    for (const c of remaining) {
      const v = score(c);
      if (v > best) {
        best = v;
        next = [c];
      } else if (v === best) next.push(c);
    }
    remaining = next;
    if (remaining.length === 1) break;
  }
  return remaining[0];
}

/** Nodes whose status says preemption might help (code Unschedulable), incl. absent nodes when their status is. */
function nodesForStatusCode(state: CycleState, m: NodeToStatusReader, code: number): NodeInfo[] {
  const out: NodeInfo[] = [];
  for (const ni of state.snapshot.nodeInfoList) if (m.get(ni.name).code === code) out.push(ni);
  return out;
}

/** Evaluator.Preempt: returns the nominated node and victims, or an Unschedulable status explaining why not. */
export function preempt(
  fw: Framework,
  state: CycleState,
  pod: Pod,
  m: NodeToStatusReader,
  opts: PreemptionOptions = {},
): { result: PostFilterResult | null; status: Status } {
  const nomStatus = m.get(pod.status?.nominatedNodeName ?? '');
  const elig = podEligibleToPreemptOthers(pod, state, nomStatus);
  if (!elig.ok) return { result: null, status: Status.unschedulable(elig.msg) };
  const allNodes = state.snapshot.nodeInfoList;
  if (allNodes.length === 0) return { result: null, status: Status.asStatus(new Error('no nodes available')) };
  const potential = nodesForStatusCode(state, m, Code.Unschedulable);
  let candidates: Candidate[] = [];
  let statuses = new NodeToStatus();
  if (potential.length > 0) {
    const rand = opts.random ?? Math.random;
    const offset = Math.floor(rand() * potential.length);
    const num = calculateNumCandidates(potential.length, opts.minCandidateNodesPercentage, opts.minCandidateNodesAbsolute);
    ({ candidates, statuses } = dryRunPreemption(fw, state, pod, potential, offset, num, opts.nominatedPodsForNode));
    for (const [, s] of statuses.entries()) if (s.code === Code.Error) return { result: null, status: s };
  }
  if (candidates.length === 0) {
    statuses.setAbsentStatus(Status.unresolvable('Preemption is not helpful for scheduling'));
    const msg = fitErrorMessage(allNodes.length, { nodeToStatus: statuses, preFilterMsg: '', postFilterMsg: '' });
    return { result: { nominatedNodeName: '' }, status: Status.unschedulable(msg) };
  }
  const best = pickOneNodeForPreemption(candidates);
  if (!best) return { result: null, status: Status.unschedulable('no candidate node for preemption') };
  const prio = podPriority(pod);
  const nominatedPodsToClear = (opts.nominatedPodsForNode?.(best.name) ?? []).filter(
    (p) => podPriority(p) < prio && p.metadata?.uid !== pod.metadata?.uid,
  );
  return { result: { nominatedNodeName: best.name, victims: best.victims, nominatedPodsToClear }, status: Status.success() };
}

