// Deployment status and the Available / Progressing conditions (pkg/controller/deployment/sync.go
// calculateStatus, progress.go syncRolloutStatus and requeueStuckDeployment). Pure.
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1';
import {
  actualReplicaCount, availableReplicaCount, deploymentComplete, deploymentProgressing, deploymentReplicas, deploymentTimedOut, getCondition,
  hasProgressDeadline, maxUnavailable, MinimumReplicasAvailable, MinimumReplicasUnavailable, newCondition, NewRSAvailableReason,
  PausedDeployReason, readyReplicaCount, removeCondition, replicaCount, ResumedDeployReason, RSUpdatedReason, setCondition, TimedOutReason,
} from './util.ts';

/** calculateStatus: counts over the ReplicaSets and the Available condition. */
export function calculateStatus(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = replicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = structuredClone(d.status.conditions);
  if (available >= deploymentReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** syncRolloutStatus's new status: calculateStatus plus the Progressing and ReplicaFailure conditions. */
export function rolloutStatus(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const s = calculateStatus(d, allRSs, newRS, now);
  if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
  const cur = getCondition(s, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && cur?.reason === NewRSAvailableReason;
  if (hasProgressDeadline(d) && !complete) {
    if (deploymentComplete(d, s)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" has successfully progressed.` : 'Deployment has successfully progressed.';
      setCondition(s, newCondition('Progressing', 'True', NewRSAvailableReason, msg, now));
    } else if (deploymentProgressing(d, s)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" is progressing.` : `Deployment "${d.metadata?.name}" is progressing.`;
      const c = newCondition('Progressing', 'True', RSUpdatedReason, msg, now);
      // A new update: the condition's lastUpdateTime moves (that is what the deadline counts from).
      if (cur?.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
      removeCondition(s, 'Progressing');
      setCondition(s, c);
    } else if (deploymentTimedOut(d, s, now)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" has timed out progressing.` : `Deployment "${d.metadata?.name}" has timed out progressing.`;
      setCondition(s, newCondition('Progressing', 'False', TimedOutReason, msg, now));
    }
  }
  // getReplicaFailures: the new ReplicaSet's failure first, else any other's.
  const failures = (rs: ReplicaSet | undefined) => (rs?.status?.conditions ?? []).filter((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  const failure = [...failures(newRS), ...allRSs.filter((rs) => rs !== newRS).flatMap(failures)];
  if (failure.length) {
    const f = failure[0];
    setCondition(s, { type: 'ReplicaFailure', status: f.status, reason: f.reason, message: f.message, lastUpdateTime: f.lastTransitionTime, lastTransitionTime: f.lastTransitionTime });
  } else removeCondition(s, 'ReplicaFailure');
  return s;
}

/**
 * requeueStuckDeployment: when the rollout is still running under a deadline, how long until the
 * deadline may have passed (0: now); undefined when no check is needed.
 */
export function requeueStuckDeploymentMs(d: Deployment, s: DeploymentStatus, now: number): number | undefined {
  const c = getCondition(s, 'Progressing');
  if (!hasProgressDeadline(d) || !c || deploymentComplete(d, s) || c.reason === TimedOutReason) return undefined;
  if (deploymentTimedOut(d, s, now)) return 0;
  const after = (c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : now) + d.spec!.progressDeadlineSeconds! * 1000 - now;
  return after < 1000 ? 0 : after + 1000;
}

/** checkPausedConditions: Progressing Unknown DeploymentPaused / DeploymentResumed; undefined when unchanged. */
export function pausedConditionStatus(d: Deployment, now: number): DeploymentStatus | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const cur = getCondition(d.status, 'Progressing');
  if (cur?.reason === TimedOutReason) return undefined;
  const paused = !!d.spec?.paused;
  const pausedCond = cur?.reason === PausedDeployReason;
  const s: DeploymentStatus = structuredClone(d.status ?? {});
  if (paused && !pausedCond) setCondition(s, newCondition('Progressing', 'Unknown', PausedDeployReason, 'Deployment is paused', now));
  else if (!paused && pausedCond) setCondition(s, newCondition('Progressing', 'Unknown', ResumedDeployReason, 'Deployment is resumed', now));
  else return undefined;
  return s;
}
