// Pod helpers the workload controllers share (pkg/api/v1/pod, pkg/controller/controller_utils.go). Pure.
import type { Pod, PodCondition, PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

export function getPodReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return getPodReadyCondition(pod)?.status === 'True';
}

/** Ready for at least minReadySeconds (by the Ready condition's lastTransitionTime). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const t = getPodReadyCondition(pod)?.lastTransitionTime;
  return !!t && Date.parse(t) + minReadySeconds * 1000 < now;
}

/** Not terminated and not being deleted (controller.FilterActivePods). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** The pod a controller creates from its template (controller.GetPodFromTemplate). */
export function podFromTemplate(template: PodTemplateSpec, namePrefix: string, namespace: string, ref: OwnerReference): Pod {
  const t = structuredClone(template);
  const metadata: Pod['metadata'] = { generateName: `${namePrefix}-`, namespace, ownerReferences: [ref] };
  if (t.metadata?.labels) metadata.labels = t.metadata.labels;
  if (t.metadata?.annotations) metadata.annotations = t.metadata.annotations;
  if (t.metadata?.finalizers) metadata.finalizers = t.metadata.finalizers;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: t.spec };
}

function phaseRank(phase: string | undefined): number {
  return phase === 'Pending' ? 0 : phase === 'Unknown' ? 1 : phase === 'Running' ? 2 : 3;
}

function deletionCost(pod: Pod): number {
  const v = Number(pod.metadata?.annotations?.[podDeletionCostAnnotation]);
  return Number.isInteger(v) ? v : 0;
}

function restarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) max = Math.max(max, s.restartCount ?? 0);
  return max;
}

/** log2 buckets of how long a pod has been ready (LogarithmicScaleDown), so similar ages compare equal. */
function readyBucket(pod: Pod, now: number): number | undefined {
  const t = getPodReadyCondition(pod)?.lastTransitionTime;
  if (!isPodReady(pod) || !t) return undefined;
  const secs = Math.max(0, (now - Date.parse(t)) / 1000);
  return secs < 1 ? 0 : Math.floor(Math.log2(secs)) + 1;
}

function createdBucket(pod: Pod, now: number): number | undefined {
  const t = pod.metadata?.creationTimestamp;
  if (!t) return undefined;
  const secs = Math.max(0, (now - Date.parse(t)) / 1000);
  return secs < 1 ? 0 : Math.floor(Math.log2(secs)) + 1;
}

export interface RankedPod { pod: Pod; rank: number }

/**
 * ActivePodsWithRanks.Less: negative when a should be deleted before b. In order: unassigned before
 * assigned; Pending < Unknown < Running; not ready before ready; lower pod-deletion-cost first; more pods
 * of the same owner family on its node (higher rank) first; ready for less time first; more container
 * restarts first; newer first.
 */
export function compareForDeletion(a: RankedPod, b: RankedPod, now: number): number {
  const pa = a.pod, pb = b.pod;
  const assignedA = !!pa.spec?.nodeName, assignedB = !!pb.spec?.nodeName;
  if (assignedA !== assignedB) return assignedA ? 1 : -1;
  const ra = phaseRank(pa.status?.phase), rb = phaseRank(pb.status?.phase);
  if (ra !== rb) return ra - rb;
  const readyA = isPodReady(pa), readyB = isPodReady(pb);
  if (readyA !== readyB) return readyA ? 1 : -1;
  const ca = deletionCost(pa), cb = deletionCost(pb);
  if (ca !== cb) return ca - cb;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (readyA && readyB) {
    const ta = readyBucket(pa, now), tb = readyBucket(pb, now);
    if (ta !== tb) {
      if (ta === undefined) return -1;
      if (tb === undefined) return 1;
      return ta - tb;
    }
  }
  const xa = restarts(pa), xb = restarts(pb);
  if (xa !== xb) return xb - xa;
  const ka = createdBucket(pa, now), kb = createdBucket(pb, now);
  if (ka !== kb) {
    if (ka === undefined) return -1;
    if (kb === undefined) return 1;
    return ka - kb;
  }
  return 0;
}

/**
 * getPodsToDelete: the `diff` pods to remove. Each pod's rank is how many active pods of the same
 * owner family (`related`) share its node, so pods doubled up on a node go first.
 */
export function getPodsToDelete(filtered: Pod[], related: Pod[], diff: number, now = Date.now()): Pod[] {
  if (diff >= filtered.length) return filtered.slice();
  const onNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n && isPodActive(p)) onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked: RankedPod[] = filtered.map((pod) => ({ pod, rank: pod.spec?.nodeName ? onNode.get(pod.spec.nodeName) ?? 0 : 0 }));
  ranked.sort((a, b) => compareForDeletion(a, b, now));
  return ranked.slice(0, diff).map((r) => r.pod);
}
