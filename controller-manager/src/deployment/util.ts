// Deployment helpers (pkg/controller/deployment/util/deployment_util.go): revisions and annotations,
// the new/old ReplicaSet split, maxSurge/maxUnavailable, replica counts and conditions. Pure.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';

type IntOrString = number | string;

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const rollbackToAnnotation = 'deprecated.deployment.rollback.to';
export const lastAppliedConfigAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
export const defaultDeploymentUniqueLabelKey = 'pod-template-hash';
/** Longest revision-history annotation kept (maxRevHistoryLengthInChars). */
export const maxRevHistoryLengthInChars = 2000;

// Condition reasons (deployment_util.go).
export const FoundNewRSReason = 'FoundNewReplicaSet';
export const NewReplicaSetReason = 'NewReplicaSetCreated';
export const FailedRSCreateReason = 'ReplicaSetCreateError';
export const RSUpdatedReason = 'ReplicaSetUpdated';
export const NewRSAvailableReason = 'NewReplicaSetAvailable';
export const TimedOutReason = 'ProgressDeadlineExceeded';
export const PausedDeployReason = 'DeploymentPaused';
export const ResumedDeployReason = 'DeploymentResumed';
export const MinimumReplicasAvailable = 'MinimumReplicasAvailable';
export const MinimumReplicasUnavailable = 'MinimumReplicasUnavailable';

const annotationsNotCopied = new Set([lastAppliedConfigAnnotation, revisionAnnotation, revisionHistoryAnnotation, desiredReplicasAnnotation, maxReplicasAnnotation, rollbackToAnnotation]);

const replicasOf = (x: { spec?: { replicas?: number } } | undefined) => x?.spec?.replicas ?? 0;
export const deploymentReplicas = (d: Deployment) => d.spec?.replicas ?? 1;

export function timestamp(t: number): string { return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'); }

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    if (/^\d+$/.test(v)) return Number(v);
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** ResolveFenceposts: surge rounds up, unavailability down; both 0 means 1 unavailable. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function isRollingUpdate(d: Deployment): boolean { return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate'; }

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, deploymentReplicas(d)).surge;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(replicas, resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).unavailable);
}

// ---- revisions ----

export function revisionOf(o: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  const v = o?.metadata?.annotations?.[revisionAnnotation];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export function maxRevision(rss: ReplicaSet[]): number {
  let m = 0;
  for (const rs of rss) m = Math.max(m, revisionOf(rs));
  return m;
}

/** The revision before the newest (what `rollout undo` goes back to): 0 when there is none. */
export function lastRevision(rss: ReplicaSet[]): number {
  let max = 0, second = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v >= max) { second = max; max = v; } else if (v > second) second = v;
  }
  return second;
}

// ---- sorting and selection ----

function created(rs: ReplicaSet): number { return rs.metadata?.creationTimestamp ? Date.parse(rs.metadata.creationTimestamp) : 0; }

/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** ReplicaSetsBySizeNewer: bigger first, then newer first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  if (replicasOf(a) !== replicasOf(b)) return replicasOf(b) - replicasOf(a);
  return -byCreationTimestamp(a, b);
}

/** ReplicaSetsBySizeOlder: bigger first, then older first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  if (replicasOf(a) !== replicasOf(b)) return replicasOf(b) - replicasOf(a);
  return byCreationTimestamp(a, b);
}

/** ReplicaSetsByRevision: lower revision first, then older first. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const d = revisionOf(a) - revisionOf(b);
  return d !== 0 ? d : byCreationTimestamp(a, b);
}

function withoutHashLabel(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const c = structuredClone(t ?? {});
  if (c.metadata?.labels) {
    delete c.metadata.labels[defaultDeploymentUniqueLabelKey];
    if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
  }
  return c;
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = normalize((v as Record<string, unknown>)[k]);
      if (x === undefined || x === null) continue;
      if (typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0) continue;
      out[k] = x;
    }
    return out;
  }
  return v;
}

/** EqualIgnoreHash: the templates are equal but for the pod-template-hash label (empty maps count as absent). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return JSON.stringify(normalize(withoutHashLabel(a))) === JSON.stringify(normalize(withoutHashLabel(b)));
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the deployment's. */
export function findNewReplicaSet<T extends ReplicaSet>(d: Deployment, rsList: T[]): T | undefined {
  return rsList.slice().sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** FindOldReplicaSets: every other ReplicaSet (allOld), and those of them with pods (old). */
export function findOldReplicaSets<T extends ReplicaSet>(d: Deployment, rsList: T[], newRS = findNewReplicaSet(d, rsList)): { old: T[]; allOld: T[] } {
  const allOld = rsList.filter((rs) => rs !== newRS && rs.metadata?.uid !== newRS?.metadata?.uid);
  return { old: allOld.filter((rs) => replicasOf(rs) > 0), allOld };
}

export function filterActive<T extends ReplicaSet>(rss: (T | undefined)[]): T[] {
  return rss.filter((rs): rs is T => !!rs && replicasOf(rs) > 0);
}

/** FindActiveOrLatest: the one ReplicaSet with pods, or (if none has) the new or newest one; undefined when several have pods. */
export function findActiveOrLatest<T extends ReplicaSet>(newRS: T | undefined, oldRSs: T[]): T | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = oldRSs.slice().sort(byCreationTimestamp).reverse();
  const active = filterActive([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

// ---- counts ----

const sum = (rss: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number | undefined) => rss.reduce((n, rs) => n + (rs ? f(rs) ?? 0 : 0), 0);
export const replicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.spec?.replicas);
export const actualReplicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.replicas);
export const readyReplicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas);
export const availableReplicaCount = (rss: (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas);

// ---- annotations ----

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}
export const desiredReplicasOf = (rs: ReplicaSet) => intAnnotation(rs, desiredReplicasAnnotation);
export const maxReplicasOf = (rs: ReplicaSet) => intAnnotation(rs, maxReplicasAnnotation);

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when changed. Mutates rs. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata!.annotations ??= {});
  let changed = false;
  if (a[desiredReplicasAnnotation] !== String(desired)) { a[desiredReplicasAnnotation] = String(desired); changed = true; }
  if (a[maxReplicasAnnotation] !== String(max)) { a[maxReplicasAnnotation] = String(max); changed = true; }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max);
}

/** The deployment's own annotations a ReplicaSet carries (all but the controller's and kubectl's). */
function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const a = (rs.metadata!.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (annotationsNotCopied.has(k)) continue;
    if (a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * SetNewReplicaSetAnnotations: copy the deployment's annotations, raise the revision (keeping the old
 * one in revision-history), and on a ReplicaSet being created set the replicas annotations. Mutates rs.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, historyLimit = maxRevHistoryLengthInChars): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const a = rs.metadata!.annotations!;
  const oldRevision = a[revisionAnnotation];
  const oldInt = oldRevision === undefined || oldRevision === '' ? 0 : Number(oldRevision);
  if (!Number.isInteger(oldInt)) return false;
  if (oldInt < newRevision) {
    a[revisionAnnotation] = String(newRevision);
    changed = true;
    if (oldRevision) {
      const history = a[revisionHistoryAnnotation] ? a[revisionHistoryAnnotation].split(',') : [];
      history.push(oldRevision);
      while (history.join(',').length > historyLimit && history.length > 1) history.shift();
      a[revisionHistoryAnnotation] = history.join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, deploymentReplicas(d), deploymentReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentRevision: mutates d; true when changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const a = (d.metadata!.annotations ??= {});
  if (a[revisionAnnotation] === revision) return false;
  a[revisionAnnotation] = revision;
  return true;
}

/** IsSaturated: the new ReplicaSet alone runs all the deployment's replicas, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  return desiredReplicasOf(rs) === deploymentReplicas(d) && replicasOf(rs) === deploymentReplicas(d) && (rs.status?.availableReplicas ?? 0) === deploymentReplicas(d);
}

// ---- conditions ----

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: number): DeploymentCondition {
  const t = timestamp(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition: no-op for the same status and reason; keeps lastTransitionTime when only the reason changes. */
export function setCondition(status: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c = { ...c, lastTransitionTime: cur.lastTransitionTime };
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== 2147483647;
}

/** DeploymentComplete: all replicas updated and available, and this generation observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const r = deploymentReplicas(d);
  return (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas than before. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

/** DeploymentTimedOut: no progress for progressDeadlineSeconds since the Progressing condition's last update. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === NewRSAvailableReason) return false;
  if (c.reason === TimedOutReason) return true;
  const from = c.lastUpdateTime ? Date.parse(c.lastUpdateTime) : 0;
  return from + d.spec!.progressDeadlineSeconds! * 1000 < now;
}
