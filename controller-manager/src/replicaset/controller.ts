// ReplicaSetController: keeps spec.replicas pods of each ReplicaSet running, adopting matching orphans
// and releasing pods that stopped matching; writes the ReplicaSet's status.
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet, ReplicaSetStatus } from 'kubernetes-types/apps/v1';
import type { ObjectReference } from 'kubernetes-types/core/v1';
import { objectKey, splitKey, type KubeObject } from '@k8ts/api/object.ts';
import { labelSelectorMatches } from '@k8ts/api/labels.ts';
import { isNotFound, isConflict } from '@k8ts/api/status.ts';
import { EventRecorder, newRateLimitingQueue, runWorkers, DeletedFinalStateUnknown, type Clientset, type SharedInformerFactory, type Typed, type Logger } from '@k8ts/client';
import { ControllerExpectations } from './expectations.ts';
import { adoptPatch, claimDecision, getControllerOf, newControllerRef, releasePatch } from './controllerref.ts';
import { isPodActive, isPodReady, podFromTemplate } from './pods.ts';
import { calculateStatus, manageReplicas, requeueForAvailabilityMs, slowStartBatch, statusNeedsUpdate } from './decide.ts';

type RS = Typed<ReplicaSet>;
type P = Typed<Pod>;

export const replicaSetKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' } as const;

export function replicaSetRef(rs: ReplicaSet): ObjectReference {
  return { ...replicaSetKind, name: rs.metadata?.name, namespace: rs.metadata?.namespace, uid: rs.metadata?.uid, resourceVersion: rs.metadata?.resourceVersion };
}

/** Go's omitempty on ReplicaSetStatus: replicas is always written, the other counts only when non-zero. */
function omitEmpty(s: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { ...s, replicas: s.replicas ?? 0 };
  for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) if (!out[k]) delete out[k];
  return out;
}

export interface ReplicaSetControllerOptions {
  recorder?: EventRecorder;
  now?: () => number;
}

export class ReplicaSetController {
  readonly queue = newRateLimitingQueue<string>('replicaset');
  readonly expectations = new ControllerExpectations();
  readonly recorder: EventRecorder;
  private readonly clientset: Clientset;
  private readonly informers: SharedInformerFactory;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(clientset: Clientset, informers: SharedInformerFactory, log: Logger, o: ReplicaSetControllerOptions = {}) {
    this.clientset = clientset;
    this.informers = informers;
    this.log = log;
    this.now = o.now ?? (() => Date.now());
    this.recorder = o.recorder ?? new EventRecorder(clientset.events(), { component: 'replicaset-controller', logger: log });
    informers.replicaSets().addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (_old, rs) => this.enqueue(rs),
      onDelete: (o) => {
        const rs = o instanceof DeletedFinalStateUnknown ? o.obj : o;
        this.expectations.deleteExpectations(objectKey(rs));
        this.enqueue(rs);
      },
    });
    informers.pods().addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (o) => this.deletePod(o instanceof DeletedFinalStateUnknown ? o.obj : o),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    await runWorkers(this.queue, workers, (key) => this.sync(key), { logger: this.log });
  }

  private enqueue(rs: KubeObject): void { this.queue.add(objectKey(rs)); }

  private rsLister() { return this.informers.replicaSets().lister(); }
  private podLister() { return this.informers.pods().lister(); }

  /** The ReplicaSet a controllerRef names, if it still is that object. */
  private resolveControllerRef(ns: string, ref: ReturnType<typeof getControllerOf>): RS | undefined {
    if (!ref || ref.kind !== replicaSetKind.kind || !ref.apiVersion?.startsWith('apps/')) return undefined;
    const rs = this.rsLister().namespace(ns).get(ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod's labels. */
  private matchingReplicaSets(pod: P): RS[] {
    return this.rsLister().namespace(pod.metadata.namespace ?? '').list().filter((rs) => labelSelectorMatches(rs.spec?.selector, pod.metadata.labels));
  }

  private addPod(pod: P): void {
    if (pod.metadata.deletionTimestamp) { this.deletePod(pod); return; }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace ?? '', ref);
      if (!rs) return;
      this.expectations.creationObserved(objectKey(rs));
      this.enqueue(rs);
      return;
    }
    for (const rs of this.matchingReplicaSets(pod)) this.enqueue(rs);
  }

  private updatePod(old: P, cur: P): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur), oldRef = getControllerOf(old);
    const refChanged = curRef?.uid !== oldRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata.namespace ?? '', oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace ?? '', curRef);
      if (!rs) return;
      this.enqueue(rs);
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(objectKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.matchingReplicaSets(cur)) this.enqueue(rs);
  }

  private deletePod(pod: P): void {
    const rs = this.resolveControllerRef(pod.metadata.namespace ?? '', getControllerOf(pod));
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  /** syncReplicaSet: claim pods, create or delete to match spec.replicas, write status. */
  async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const { namespace = '', name } = splitKey(key);
    const cached = this.rsLister().namespace(namespace).get(name);
    if (!cached) { this.expectations.deleteExpectations(key); return; }
    const rs = structuredClone(cached);
    const needsSync = this.expectations.satisfiedExpectations(key);
    const all = this.podLister().namespace(namespace).list().filter(isPodActive);
    const filtered = await this.claimPods(rs, all);

    let manageError: { message: string; diff: number } | undefined;
    let thrown: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(rs, filtered, all);
      } catch (e) {
        thrown = e;
        manageError = { message: (e as Error).message, diff: (e as { diff?: number }).diff ?? -1 };
      }
    }
    const status = calculateStatus(rs, filtered, manageError, this.now());
    let written = rs;
    if (statusNeedsUpdate(rs, status)) {
      try {
        written = await this.clientset.replicaSets(namespace).updateStatus({ ...rs, status: omitEmpty({ ...status, observedGeneration: rs.metadata.generation }) });
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e)) throw e;
        return { requeueAfterMs: 0 };
      }
    }
    if (thrown) throw thrown;
    const after = requeueForAvailabilityMs(written, status);
    if (after !== undefined) return { requeueAfterMs: after };
  }

  /** ClaimPods: the active pods this ReplicaSet owns after adopting matching orphans and releasing non-matching ones. */
  private async claimPods(rs: RS, pods: P[]): Promise<P[]> {
    const uid = rs.metadata.uid!;
    const ns = rs.metadata.namespace ?? '';
    const out: P[] = [];
    let canAdopt: boolean | undefined;
    for (const pod of pods) {
      const action = claimDecision(pod, uid, rs.spec?.selector, !!rs.metadata.deletionTimestamp);
      if (action === 'keep') { out.push(pod); continue; }
      if (action === 'ignore') continue;
      if (canAdopt === undefined) canAdopt = await this.recheckDeletionTimestamp(rs);
      if (!canAdopt) continue;
      try {
        if (action === 'adopt') {
          const adopted = await this.clientset.pods(ns).patch(pod.metadata.name!, adoptPatch(pod, newControllerRef(rs, replicaSetKind.apiVersion, replicaSetKind.kind)), 'merge');
          this.log.info({ replicaset: objectKey(rs), pod: pod.metadata.name }, 'adopted pod');
          out.push(adopted);
        } else {
          await this.clientset.pods(ns).patch(pod.metadata.name!, releasePatch(pod, uid), 'merge');
          this.log.info({ replicaset: objectKey(rs), pod: pod.metadata.name }, 'released pod');
        }
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return out;
  }

  /** Adoption only by a ReplicaSet that is still this object and not being deleted (read uncached). */
  private async recheckDeletionTimestamp(rs: RS): Promise<boolean> {
    try {
      const fresh = await this.clientset.replicaSets(rs.metadata.namespace).get(rs.metadata.name!);
      return fresh.metadata.uid === rs.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  private async manageReplicas(rs: RS, filtered: P[], active: P[]): Promise<void> {
    const key = objectKey(rs);
    const ns = rs.metadata.namespace ?? '';
    const related = this.relatedPods(rs, active);
    const d = manageReplicas(rs, filtered, related, this.now());
    if (d.action === 'create') {
      this.expectations.expectCreations(key, d.count);
      const ref = newControllerRef(rs, replicaSetKind.apiVersion, replicaSetKind.kind);
      const { successes, error } = await slowStartBatch(d.count, async () => {
        try {
          const pod = await this.clientset.pods(ns).create(podFromTemplate(rs.spec!.template!, rs.metadata.name!, ns, ref) as P);
          this.recorder.event(replicaSetRef(rs), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (e) {
          this.recorder.event(replicaSetRef(rs), 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          // The create may still have been stored (timeouts); only a refusal is known not to be seen.
          throw e;
        }
      });
      const skipped = d.count - successes;
      if (skipped > 0) {
        this.log.debug({ replicaset: key, skipped }, 'slow-start failure; skipping creation of pods');
        this.expectations.lowerExpectations(key, skipped, 0);
      }
      if (error) throw Object.assign(error as Error, { diff: d.diff });
      return;
    }
    if (d.action === 'delete') {
      this.expectations.expectDeletions(key, d.pods.map((p) => objectKey(p)));
      const results = await Promise.allSettled(d.pods.map(async (pod) => {
        try {
          await this.clientset.pods(ns).delete(pod.metadata!.name!);
          this.recorder.event(replicaSetRef(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata!.name}`);
        } catch (e) {
          if (isNotFound(e)) { this.expectations.deletionObserved(key, objectKey(pod)); return; }
          this.expectations.deletionObserved(key, objectKey(pod));
          this.recorder.event(replicaSetRef(rs), 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
          throw e;
        }
      }));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw Object.assign(failed.reason as Error, { diff: d.diff });
    }
  }

  /** Active pods owned by any ReplicaSet with the same controller as this one (its rollout family). */
  private relatedPods(rs: RS, active: P[]): P[] {
    const owner = getControllerOf(rs);
    if (!owner) return active.filter((p) => getControllerOf(p)?.uid === rs.metadata.uid);
    const family = new Set(this.rsLister().namespace(rs.metadata.namespace ?? '').list().filter((r) => getControllerOf(r)?.uid === owner.uid).map((r) => r.metadata.uid));
    family.add(rs.metadata.uid);
    return active.filter((p) => family.has(getControllerOf(p)?.uid));
  }
}
