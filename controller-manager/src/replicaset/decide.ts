// The ReplicaSet controller's decisions (pkg/controller/replicaset/replica_set.go), as pure functions
// of the ReplicaSet and the pods it owns.
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1';
import { getPodsToDelete, isPodAvailable, isPodReady } from './pods.ts';

/** At most this many creations or deletions per sync (--replicaset burst, upstream BurstReplicas). */
export const burstReplicas = 500;
/** The first batch of a slow start (controller.SlowStartInitialBatchSize). */
export const slowStartInitialBatchSize = 1;

export type ManageReplicasAction =
  | { action: 'none' }
  | { action: 'create'; count: number; diff: number }
  | { action: 'delete'; pods: Pod[]; diff: number };

/** manageReplicas: create the missing pods (at most a burst) or choose which surplus pods to delete. */
export function manageReplicas(rs: ReplicaSet, filteredPods: Pod[], relatedPods: Pod[], now = Date.now()): ManageReplicasAction {
  const want = rs.spec?.replicas ?? 1;
  const diff = filteredPods.length - want;
  if (diff < 0) return { action: 'create', count: Math.min(-diff, burstReplicas), diff };
  if (diff > 0) return { action: 'delete', pods: getPodsToDelete(filteredPods, relatedPods, Math.min(diff, burstReplicas), now), diff };
  return { action: 'none' };
}

/** slowStartBatch's batch sizes: 1, 2, 4, ... until count is reached. */
export function slowStartBatches(count: number, initial = slowStartInitialBatchSize): number[] {
  const out: number[] = [];
  let remaining = count;
  let size = Math.min(remaining, initial);
  while (size > 0) {
    out.push(size);
    remaining -= size;
    size = Math.min(2 * size, remaining);
  }
  return out;
}

/**
 * Runs fn count times in slow-start batches, each batch in parallel; stops after the first batch with a
 * failure. Returns the successes and the first error.
 */
export async function slowStartBatch(count: number, fn: () => Promise<void>, initial = slowStartInitialBatchSize): Promise<{ successes: number; error?: unknown }> {
  let successes = 0;
  for (const size of slowStartBatches(count, initial)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
  }
  return { successes };
}

function labelsMatchTemplate(pod: Pod, templateLabels: Record<string, string>): boolean {
  const l = pod.metadata?.labels ?? {};
  return Object.entries(templateLabels).every(([k, v]) => l[k] === v);
}

export const replicaFailure = 'ReplicaFailure';

/**
 * calculateStatus: counts over the active owned pods, and the ReplicaFailure condition (set with
 * FailedCreate / FailedDelete while manageReplicas fails, removed once it succeeds).
 */
export function calculateStatus(rs: ReplicaSet, filteredPods: Pod[], manageReplicasError: { message: string; diff: number } | undefined, now = Date.now()): ReplicaSetStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0, ready = 0, available = 0;
  for (const p of filteredPods) {
    if (labelsMatchTemplate(p, templateLabels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const status: ReplicaSetStatus = {
    ...(rs.status ?? { replicas: 0 }),
    replicas: filteredPods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
  };
  const conditions = (rs.status?.conditions ?? []).slice();
  const i = conditions.findIndex((c) => c.type === replicaFailure);
  if (manageReplicasError && i < 0) {
    const cond: ReplicaSetCondition = {
      type: replicaFailure, status: 'True',
      reason: manageReplicasError.diff < 0 ? 'FailedCreate' : 'FailedDelete',
      message: manageReplicasError.message,
      lastTransitionTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    conditions.push(cond);
  } else if (!manageReplicasError && i >= 0) {
    conditions.splice(i, 1);
  }
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
  return status;
}

const conditionsKey = (s: ReplicaSetStatus) => JSON.stringify((s.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.lastTransitionTime]));

/** Whether the status must be written (upstream skips equal statuses at the current generation). */
export function statusNeedsUpdate(rs: ReplicaSet, status: ReplicaSetStatus): boolean {
  const cur = rs.status ?? { replicas: 0 };
  const same = (cur.replicas ?? 0) === status.replicas &&
    (cur.fullyLabeledReplicas ?? 0) === (status.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (status.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (status.availableReplicas ?? 0) &&
    conditionsKey(cur) === conditionsKey(status) &&
    cur.observedGeneration === rs.metadata?.generation;
  return !same;
}

/**
 * After a good sync with minReadySeconds, pods that are ready but not yet available must be looked at
 * again once they may have become available.
 */
export function requeueForAvailabilityMs(rs: ReplicaSet, status: ReplicaSetStatus): number | undefined {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  if (minReady > 0 && status.readyReplicas === (rs.spec?.replicas ?? 1) && status.availableReplicas !== (rs.spec?.replicas ?? 1)) return minReady * 1000;
  return undefined;
}
