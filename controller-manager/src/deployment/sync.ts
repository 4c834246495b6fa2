// Scaling and cleanup (pkg/controller/deployment/sync.go): proportional scaling of a deployment's
// ReplicaSets when its replicas change mid-rollout, scaling events, and revision history cleanup. Pure.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { ScaleStep } from './rolling.ts';
import {
  byRevision, bySizeNewer, bySizeOlder, deploymentReplicas, desiredReplicasOf, filterActive, findActiveOrLatest, isRollingUpdate,
  isSaturated, maxReplicasOf, maxSurge, replicaCount,
} from './util.ts';

const specReplicas = (rs: ReplicaSet | undefined) => rs?.spec?.replicas ?? 0;

/** isScalingEvent: some active ReplicaSet was sized for a different number of replicas than the deployment now has. */
export function isScalingEvent(d: Deployment, allRSs: (ReplicaSet | undefined)[]): boolean {
  for (const rs of filterActive(allRSs)) {
    const desired = desiredReplicasOf(rs);
    if (desired === undefined) continue;
    if (desired !== deploymentReplicas(d)) return true;
  }
  return false;
}

/** Go's math.Round: halves away from zero. */
function roundHalfAway(x: number): number { return x < 0 ? -Math.round(-x) : Math.round(x); }

/** getReplicaSetFraction: this ReplicaSet's share of the change, by the max-replicas it was sized for. */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (deploymentReplicas(d) === 0) return -specReplicas(rs);
  const deploymentMax = deploymentReplicas(d) + maxSurge(d);
  const annotated = maxReplicasOf(rs) ?? d.status?.replicas ?? 0;
  if (!annotated) return 0;
  return roundHalfAway((specReplicas(rs) * deploymentMax) / annotated) - specReplicas(rs);
}

/** GetProportion: the fraction, bounded by what is left to add (or remove). */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const f = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(f, allowed) : Math.max(f, allowed);
}

/**
 * scale: the ReplicaSet sizes for the deployment's replica count. One active (or the latest)
 * ReplicaSet takes it all; a saturated new ReplicaSet ends the old ones; otherwise during a rolling
 * update the change is spread proportionally, biggest first, leftovers to the first. Every active
 * ReplicaSet gets a step (so its replicas annotations are refreshed even when its size stays).
 */
export function scalePlan<T extends ReplicaSet>(d: Deployment, newRS: T | undefined, oldRSs: T[]): ScaleStep<T>[] {
  const desired = deploymentReplicas(d);
  const single = findActiveOrLatest(newRS, oldRSs);
  if (single) return specReplicas(single) === desired ? [] : [{ rs: single, replicas: desired }];
  if (isSaturated(d, newRS)) return filterActive(oldRSs).map((rs) => ({ rs, replicas: 0 }));
  if (!isRollingUpdate(d)) return [];
  const all = filterActive([...oldRSs, newRS]);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - replicaCount(all);
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  const sizes = new Map<T, number>();
  let added = 0;
  for (const rs of all) {
    if (toAdd !== 0) {
      const p = getProportion(rs, d, toAdd, added);
      sizes.set(rs, specReplicas(rs) + p);
      added += p;
    } else sizes.set(rs, specReplicas(rs));
  }
  if (toAdd !== 0 && all.length) {
    const leftover = toAdd - added;
    sizes.set(all[0], Math.max(0, sizes.get(all[0])! + leftover));
  }
  return all.map((rs) => ({ rs, replicas: sizes.get(rs)! }));
}

/**
 * cleanupDeployment: the oldest old ReplicaSets beyond revisionHistoryLimit that are fully scaled
 * down and whose status is current.
 */
export function replicaSetsToCleanUp<T extends ReplicaSet>(d: Deployment, oldRSs: T[]): T[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  return alive.slice().sort(byRevision).slice(0, diff).filter((rs) =>
    (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}
