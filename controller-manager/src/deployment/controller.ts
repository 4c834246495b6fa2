// DeploymentController: rolls a Deployment's pod template out through ReplicaSets (RollingUpdate or
// Recreate), scales them proportionally, keeps revisionHistoryLimit old ones, and writes the status.
// The arithmetic lives in rolling.ts / sync.ts / progress.ts; this file reads caches and makes the calls.
import type { Pod, ObjectReference } from 'kubernetes-types/core/v1';
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1';
import { objectKey, splitKey, type KubeObject } from '@k8ts/api/object.ts';
import { labelSelectorMatches } from '@k8ts/api/labels.ts';
import { isAlreadyExists, isNotFound } from '@k8ts/api/status.ts';
import { EventRecorder, newRateLimitingQueue, runWorkers, DeletedFinalStateUnknown, type Clientset, type SharedInformerFactory, type Typed, type Logger } from '@k8ts/client';
import { adoptPatch, claimDecision, getControllerOf, newControllerRef, releasePatch } from '../replicaset/controllerref.ts';
import { computeHash } from './hash.ts';
import { newRSNewReplicas, reconcileNewReplicaSet, reconcileOldReplicaSets } from './rolling.ts';
import { isScalingEvent, replicaSetsToCleanUp, scalePlan } from './sync.ts';
import { calculateStatus, pausedConditionStatus, requeueStuckDeploymentMs, rolloutStatus } from './progress.ts';
import {
  defaultDeploymentUniqueLabelKey, deploymentComplete, deploymentReplicas, FailedRSCreateReason, filterActive, findNewReplicaSet, findOldReplicaSets,
  FoundNewRSReason, getCondition, hasProgressDeadline, maxRevision, maxSurge, newCondition, NewReplicaSetReason, replicasAnnotationsNeedUpdate,
  revisionAnnotation, setCondition, setDeploymentRevision, setNewReplicaSetAnnotations, setReplicasAnnotations, actualReplicaCount, equalIgnoreHash,
} from './util.ts';

type D = Typed<Deployment>;
type RS = Typed<ReplicaSet>;
type P = Typed<Pod>;
type SyncResult = { requeueAfterMs?: number } | void;

export const deploymentKind = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;

function deploymentRef(d: Deployment): ObjectReference {
  return { ...deploymentKind, name: d.metadata?.name, namespace: d.metadata?.namespace, uid: d.metadata?.uid, resourceVersion: d.metadata?.resourceVersion };
}

const countFields = ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration', 'collisionCount'] as const;

/** Go's omitempty on DeploymentStatus: zero counts are not written. */
function omitEmpty(s: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = { ...s };
  for (const k of countFields) if (!out[k]) delete out[k];
  if (!out.conditions?.length) delete out.conditions;
  return out;
}

function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  for (const k of countFields) if ((a?.[k] ?? 0) !== (b[k] ?? 0)) return false;
  // Field by field, so the order of keys in what the server returned does not matter.
  const conds = (x: DeploymentStatus | undefined) => JSON.stringify((x?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.lastUpdateTime, c.lastTransitionTime]));
  return conds(a) === conds(b);
}

export interface DeploymentControllerOptions {
  recorder?: EventRecorder;
  now?: () => number;
}

export class DeploymentController {
  readonly queue = newRateLimitingQueue<string>('deployment');
  readonly recorder: EventRecorder;
  readonly clientset: Clientset;
  readonly informers: SharedInformerFactory;
  readonly log: Logger;
  readonly now: () => number;

  constructor(clientset: Clientset, informers: SharedInformerFactory, log: Logger, o: DeploymentControllerOptions = {}) {
    this.clientset = clientset;
    this.informers = informers;
    this.log = log;
    this.now = o.now ?? (() => Date.now());
    this.recorder = o.recorder ?? new EventRecorder(clientset.events(), { component: 'deployment-controller', logger: log });
    informers.deployments().addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_o, d) => this.enqueue(d),
      onDelete: (o) => this.enqueue(o instanceof DeletedFinalStateUnknown ? o.obj : o),
    });
    informers.replicaSets().addEventHandler({
      onAdd: (rs) => this.addReplicaSet(rs),
      onUpdate: (old, cur) => this.updateReplicaSet(old, cur),
      onDelete: (o) => {
        const d = this.resolveControllerRef(o instanceof DeletedFinalStateUnknown ? o.obj : o);
        if (d) this.enqueue(d);
      },
    });
    informers.pods().addEventHandler({ onDelete: (o) => this.deletePod(o instanceof DeletedFinalStateUnknown ? o.obj : o) });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await runWorkers(this.queue, workers, (key) => this.sync(key), { logger: this.log });
  }

  private enqueue(d: KubeObject): void { this.queue.add(objectKey(d)); }
  private dLister() { return this.informers.deployments().lister(); }
  private rsLister() { return this.informers.replicaSets().lister(); }

  private resolveControllerRef(rs: RS): D | undefined {
    const ref = getControllerOf(rs);
    if (!ref || ref.kind !== deploymentKind.kind || !ref.apiVersion?.startsWith('apps/')) return undefined;
    const d = this.dLister().namespace(rs.metadata.namespace ?? '').get(ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private deploymentsForOrphan(rs: RS): D[] {
    return this.dLister().namespace(rs.metadata.namespace ?? '').list().filter((d) => labelSelectorMatches(d.spec?.selector, rs.metadata.labels));
  }

  private addReplicaSet(rs: RS): void {
    if (getControllerOf(rs)) {
      const d = this.resolveControllerRef(rs);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsForOrphan(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: RS, cur: RS): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = getControllerOf(old), curRef = getControllerOf(cur);
    if (oldRef?.uid !== curRef?.uid && oldRef) {
      const d = this.resolveControllerRef(old);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolveControllerRef(cur);
      if (d) this.enqueue(d);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || oldRef) for (const d of this.deploymentsForOrphan(cur)) this.enqueue(d);
  }

  /** Recreate waits for the old pods to be gone: their deletion is worth a look. */
  private deletePod(pod: P): void {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsLister().namespace(pod.metadata.namespace ?? '').get(ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolveControllerRef(rs);
    if (d && d.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  /** syncDeployment. */
  async sync(key: string): Promise<SyncResult> {
    const { namespace = '', name } = splitKey(key);
    const cached = this.dLister().namespace(namespace).get(name);
    if (!cached) return;
    return new DeploymentSync(this, structuredClone(cached)).run();
  }

  // ---- API calls shared with DeploymentSync ----

  event(d: Deployment, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event(deploymentRef(d), type, reason, message);
  }
}

/** One sync of one deployment: the deployment copy and its ReplicaSets as they are after each write. */
class DeploymentSync {
  private readonly c: DeploymentController;
  private d: D;
  private rsList: RS[] = [];
  private requeueAfterMs: number | undefined;

  constructor(c: DeploymentController, d: D) {
    this.c = c;
    this.d = d;
  }

  private get ns(): string { return this.d.metadata.namespace ?? ''; }
  private get log(): Logger { return this.c.log; }

  async run(): Promise<SyncResult> {
    const d = this.d;
    const sel = d.spec?.selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
      this.c.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        await this.writeStatus({ ...d.status, observedGeneration: d.metadata.generation });
      }
      return;
    }
    this.rsList = await this.getReplicaSetsForDeployment();
    if (d.metadata.deletionTimestamp) { await this.syncStatusOnly(); return this.result(); }

    const paused = pausedConditionStatus(d, this.c.now());
    if (paused) await this.writeStatus(paused);

    if (d.spec?.paused) { await this.syncScale(); return this.result(); }
    {
      const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
      if (isScalingEvent(this.d, [...oldRSs, newRS])) { await this.syncScale(); return this.result(); }
    }
    if (d.spec?.strategy?.type === 'Recreate') await this.rolloutRecreate();
    else await this.rolloutRolling();
    return this.result();
  }

  private result(): SyncResult {
    return this.requeueAfterMs === undefined ? undefined : { requeueAfterMs: this.requeueAfterMs };
  }

  // ---- ReplicaSets ----

  /** getReplicaSetsForDeployment: claim ReplicaSets (adopt matching orphans, release non-matching). */
  private async getReplicaSetsForDeployment(): Promise<RS[]> {
    const d = this.d;
    const uid = d.metadata.uid!;
    const out: RS[] = [];
    let canAdopt: boolean | undefined;
    for (const rs of this.c.informers.replicaSets().lister().namespace(this.ns).list()) {
      const action = claimDecision(rs, uid, d.spec?.selector, !!d.metadata.deletionTimestamp);
      if (action === 'keep') { out.push(structuredClone(rs)); continue; }
      if (action === 'ignore') continue;
      if (canAdopt === undefined) {
        try {
          const fresh = await this.c.clientset.deployments(this.ns).get(d.metadata.name!);
          canAdopt = fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp;
        } catch (e) {
          if (!isNotFound(e)) throw e;
          canAdopt = false;
        }
      }
      if (!canAdopt) continue;
      try {
        if (action === 'adopt') {
          out.push(await this.c.clientset.replicaSets(this.ns).patch(rs.metadata.name!, adoptPatch(rs, newControllerRef(d, deploymentKind.apiVersion, deploymentKind.kind)), 'merge'));
        } else {
          await this.c.clientset.replicaSets(this.ns).patch(rs.metadata.name!, releasePatch(rs, uid), 'merge');
        }
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return out;
  }

  private replace(rs: RS): RS {
    const i = this.rsList.findIndex((x) => x.metadata.uid === rs.metadata.uid);
    if (i >= 0) this.rsList[i] = rs;
    else this.rsList.push(rs);
    return rs;
  }

  private current(rs: RS): RS { return this.rsList.find((x) => x.metadata.uid === rs.metadata.uid) ?? rs; }

  /** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked and missing) and all old ones. */
  private async getAllReplicaSetsAndSyncRevision(create: boolean): Promise<{ newRS: RS | undefined; oldRSs: RS[] }> {
    const { allOld } = findOldReplicaSets(this.d, this.rsList);
    const newRS = await this.getNewReplicaSet(allOld, create);
    return { newRS, oldRSs: findOldReplicaSets(this.d, this.rsList, newRS).allOld };
  }

  private async getNewReplicaSet(oldRSs: RS[], create: boolean): Promise<RS | undefined> {
    const d = this.d;
    const existing = findNewReplicaSet(d, this.rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    const now = this.c.now();
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      let rs = existing;
      if (annotationsUpdated || minReadyChanged) {
        copy.spec!.minReadySeconds = d.spec?.minReadySeconds;
        rs = this.replace(await this.c.clientset.replicaSets(this.ns).update(copy));
      }
      const revisionChanged = setDeploymentRevision(d, rs.metadata.annotations?.[revisionAnnotation] ?? '');
      const status: DeploymentStatus = structuredClone(d.status ?? {});
      let statusChanged = false;
      if (hasProgressDeadline(d) && !getCondition(status, 'Progressing')) {
        setCondition(status, newCondition('Progressing', 'True', FoundNewRSReason, `Found new replica set "${rs.metadata.name}"`, now));
        statusChanged = true;
      }
      if (revisionChanged) await this.writeRevision();
      if (statusChanged) await this.writeStatus(status);
      return rs;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec!.template!);
    const hash = computeHash(d.spec!.template, d.status?.collisionCount);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [defaultDeploymentUniqueLabelKey]: hash } };
    const selector = structuredClone(d.spec!.selector!);
    selector.matchLabels = { ...selector.matchLabels, [defaultDeploymentUniqueLabelKey]: hash };
    const rs: RS = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: this.ns, ownerReferences: [newControllerRef(d, deploymentKind.apiVersion, deploymentKind.kind)], labels: { ...template.metadata.labels } },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds, selector, template },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let created: RS;
    let alreadyExists = false;
    try {
      created = await this.c.clientset.replicaSets(this.ns).create(rs);
    } catch (e) {
      if (isAlreadyExists(e)) {
        let found: RS | undefined;
        try { found = await this.c.clientset.replicaSets(this.ns).get(rs.metadata.name!); } catch (e2) { if (!isNotFound(e2)) throw e2; }
        const ref = found && getControllerOf(found);
        if (found && ref?.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
          created = found;
          alreadyExists = true;
        } else {
          // A hash collision: a different ReplicaSet has the name. Count it so the next hash differs.
          const status: DeploymentStatus = { ...structuredClone(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
          this.log.info({ deployment: objectKey(d), collisionCount: status.collisionCount }, 'hash collision; bumping collisionCount');
          await this.writeStatus(status);
          throw e;
        }
      } else {
        if (hasProgressDeadline(d)) {
          const status: DeploymentStatus = structuredClone(d.status ?? {});
          setCondition(status, newCondition('Progressing', 'False', FailedRSCreateReason, `Failed to create new replica set "${rs.metadata.name}": ${(e as Error).message}`, now));
          await this.writeStatus(status);
        }
        this.c.event(d, 'Warning', 'FailedCreate', `Failed to create new replica set "${rs.metadata.name}": ${(e as Error).message}`);
        throw e;
      }
    }
    this.replace(created);
    if (!alreadyExists && replicas > 0) this.c.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
    const revisionChanged = setDeploymentRevision(d, String(newRevision));
    if (revisionChanged) await this.writeRevision();
    if (!alreadyExists && hasProgressDeadline(d)) {
      const status: DeploymentStatus = structuredClone(d.status ?? {});
      setCondition(status, newCondition('Progressing', 'True', NewReplicaSetReason, `Created new replica set "${created.metadata.name}"`, now));
      await this.writeStatus(status);
    }
    return created;
  }

  /** scaleReplicaSet: size and replicas annotations in one update, and the ScalingReplicaSet event. */
  private async scaleReplicaSet(rs0: RS, newScale: number): Promise<{ rs: RS; scaled: boolean }> {
    const rs = this.current(rs0);
    const d = this.d;
    const oldScale = rs.spec?.replicas ?? 0;
    const sizeChanged = oldScale !== newScale;
    const desired = deploymentReplicas(d), max = desired + maxSurge(d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { rs, scaled: false };
    const copy = structuredClone(rs);
    copy.spec!.replicas = newScale;
    setReplicasAnnotations(copy, desired, max);
    const updated = this.replace(await this.c.clientset.replicaSets(this.ns).update(copy));
    if (sizeChanged) {
      this.c.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${newScale > oldScale ? 'up' : 'down'} replica set ${rs.metadata.name} from ${oldScale} to ${newScale}`);
    }
    return { rs: updated, scaled: sizeChanged };
  }

  // ---- deployment writes ----

  /** The revision annotation (upstream writes it along with the status; our /status keeps metadata as is). */
  private async writeRevision(): Promise<void> {
    const rev = this.d.metadata.annotations?.[revisionAnnotation];
    const out = await this.c.clientset.deployments(this.ns).patch(this.d.metadata.name!, { metadata: { annotations: { [revisionAnnotation]: rev } } }, 'merge');
    Object.assign(this.d.metadata, { resourceVersion: out.metadata.resourceVersion });
  }

  private async writeStatus(status: DeploymentStatus): Promise<void> {
    const out = await this.c.clientset.deployments(this.ns).updateStatus({ ...this.d, status: omitEmpty(status) });
    Object.assign(this.d.metadata, { resourceVersion: out.metadata.resourceVersion });
    this.d.status = out.status;
  }

  private async syncDeploymentStatus(allRSs: (RS | undefined)[], newRS: RS | undefined): Promise<void> {
    const s = calculateStatus(this.d, allRSs.map((r) => r && this.current(r)), newRS && this.current(newRS), this.c.now());
    if (sameStatus(this.d.status, s)) return;
    await this.writeStatus(s);
  }

  /** syncRolloutStatus: status with the Progressing condition; a requeue to check the progress deadline. */
  private async syncRolloutStatus(allRSs: (RS | undefined)[], newRS: RS | undefined): Promise<void> {
    const now = this.c.now();
    const s = rolloutStatus(this.d, allRSs.map((r) => r && this.current(r)), newRS && this.current(newRS), now);
    if (sameStatus(this.d.status, s)) {
      this.requeueAfterMs = requeueStuckDeploymentMs(this.d, s, now);
      return;
    }
    await this.writeStatus(s);
  }

  // ---- strategies ----

  private async syncStatusOnly(): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** sync: scaling (and cleanup for paused deployments) without rolling anything out. */
  private async syncScale(): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    for (const step of scalePlan(this.d, newRS, oldRSs)) await this.scaleReplicaSet(step.rs, step.replicas);
    if (this.d.spec?.paused) await this.cleanupDeployment(oldRSs);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  private async rolloutRolling(): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(true);
    const all = () => [...oldRSs, newRS].map((r) => r && this.current(r));
    const target = reconcileNewReplicaSet(this.d, all(), newRS!);
    if (target !== undefined) {
      await this.scaleReplicaSet(newRS!, target);
      await this.syncRolloutStatus(all(), newRS);
      return;
    }
    const steps = reconcileOldReplicaSets(this.d, all(), filterActive(oldRSs.map((r) => this.current(r))), this.current(newRS!));
    if (steps.length) {
      for (const s of steps) await this.scaleReplicaSet(s.rs, s.replicas);
      await this.syncRolloutStatus(all(), newRS);
      return;
    }
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanupDeployment(oldRSs);
    await this.syncRolloutStatus(all(), newRS);
  }

  private async rolloutRecreate(): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    const all = () => [...oldRSs, newRS].map((r) => r && this.current(r));
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) {
      if ((await this.scaleReplicaSet(rs, 0)).scaled) scaledDown = true;
    }
    if (scaledDown) { await this.syncRolloutStatus(all(), newRS); return; }
    if (this.oldPodsRunning(newRS, oldRSs.map((r) => this.current(r)))) { await this.syncRolloutStatus(all(), newRS); return; }
    if (!newRS) ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(true));
    await this.scaleReplicaSet(newRS!, deploymentReplicas(this.d));
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanupDeployment(oldRSs);
    await this.syncRolloutStatus(all(), newRS);
  }

  /** oldPodsRunning: old ReplicaSets still report pods, or pods of theirs are not terminated. */
  private oldPodsRunning(newRS: RS | undefined, oldRSs: RS[]): boolean {
    if (actualReplicaCount(oldRSs) > 0) return true;
    const uids = new Set(this.rsList.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid).map((rs) => rs.metadata.uid));
    const pods = this.c.informers.pods().lister().namespace(this.ns).list();
    return pods.some((p) => uids.has(getControllerOf(p)?.uid) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
  }

  /** cleanupDeployment: delete old ReplicaSets beyond revisionHistoryLimit. */
  private async cleanupDeployment(oldRSs: RS[]): Promise<void> {
    for (const rs of replicaSetsToCleanUp(this.d, oldRSs.map((r) => this.current(r)))) {
      this.log.debug({ deployment: objectKey(this.d), replicaset: rs.metadata.name }, 'cleaning up old replica set');
      try {
        await this.c.clientset.replicaSets(this.ns).delete(rs.metadata.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.rsList = this.rsList.filter((x) => x.metadata.uid !== rs.metadata.uid);
    }
  }
}
