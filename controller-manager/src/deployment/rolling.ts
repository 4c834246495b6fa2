// Rolling update arithmetic (pkg/controller/deployment/rolling.go): how far the new ReplicaSet may grow
// and which old ReplicaSets may shrink. Pure: plans are lists of ReplicaSet → new size.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { availableReplicaCount, byCreationTimestamp, deploymentReplicas, isRollingUpdate, maxSurge, maxUnavailable, replicaCount } from './util.ts';

export interface ScaleStep<T extends ReplicaSet = ReplicaSet> { rs: T; replicas: number }

const specReplicas = (rs: ReplicaSet | undefined) => rs?.spec?.replicas ?? 0;

/** NewRSNewReplicas: the new ReplicaSet's next size (Recreate: all at once; RollingUpdate: within the surge). */
export function newRSNewReplicas(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): number {
  const desired = deploymentReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const current = replicaCount(allRSs);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, desired - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** reconcileNewReplicaSet: the new ReplicaSet's target this step, or undefined when it stays. */
export function reconcileNewReplicaSet(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet): number | undefined {
  const desired = deploymentReplicas(d);
  const cur = specReplicas(newRS);
  if (cur === desired) return undefined;
  if (cur > desired) return desired;
  const next = newRSNewReplicas(d, allRSs, newRS);
  return next === cur ? undefined : next;
}

/**
 * reconcileOldReplicaSets: first scale down unhealthy old replicas (they do not count towards
 * availability), then healthy ones as far as minAvailable = replicas - maxUnavailable allows.
 */
export function reconcileOldReplicaSets<T extends ReplicaSet>(d: Deployment, allRSs: (T | undefined)[], oldRSs: T[], newRS: T | undefined): ScaleStep<T>[] {
  const oldPods = replicaCount(oldRSs);
  if (oldPods === 0) return [];
  const allPods = replicaCount(allRSs);
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS?.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];

  const steps = new Map<T, number>();
  const size = (rs: T) => steps.get(rs) ?? specReplicas(rs);
  // cleanupUnhealthyReplicas
  const sorted = oldRSs.slice().sort(byCreationTimestamp);
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    if (size(rs) === 0) continue;
    const unhealthy = size(rs) - (rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - cleaned, unhealthy);
    steps.set(rs, size(rs) - n);
    cleaned += n;
  }
  // scaleDownOldReplicaSetsForRollingUpdate
  const available = availableReplicaCount([...oldRSs, newRS]);
  if (available > minAvailable) {
    const total = available - minAvailable;
    let scaled = 0;
    for (const rs of sorted) {
      if (scaled >= total) break;
      if (size(rs) === 0) continue;
      const n = Math.min(size(rs), total - scaled);
      steps.set(rs, size(rs) - n);
      scaled += n;
    }
  }
  return sorted.filter((rs) => steps.has(rs) && steps.get(rs) !== specReplicas(rs)).map((rs) => ({ rs, replicas: steps.get(rs)! }));
}
