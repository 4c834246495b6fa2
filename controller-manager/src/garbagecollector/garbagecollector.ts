// GarbageCollector: deletes objects whose owners are gone (background cascading deletion), deletes the
// dependents of owners being deleted in the foreground and then removes their foregroundDeletion
// finalizer, and strips the owner references of owners deleted with the orphan policy before removing
// their orphan finalizer (upstream pkg/controller/garbagecollector). Decisions are in decide.ts; this
// file reads the latest state from the API server and carries them out.
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import type { ResourceInfo } from '@k8ts/api/resources.ts';
import type { KubeObject } from '@k8ts/api/object.ts';
import { isConflict, isNotFound } from '@k8ts/api/status.ts';
import { EventRecorder, newRateLimitingQueue, runWorkers, type Clientset, type Logger, type ResourceClient, type SharedInformerFactory } from '@k8ts/client';
import {
  FINALIZER_DELETE_DEPENDENTS, classifyOwner, ownerRefInvalidNamespaceMessage, decideAttemptToDelete, decideDeletingDependents, decideOrphan, isDeletingDependents,
  triage, unblockedOwnerReferences, withoutFinalizer, withoutOwnerReferences,
  type ClassifiedOwner, type Enqueues, type ObjectIdentity,
} from './decide.ts';
import { DependencyGraph, identityKey, parseIdentityKey, resourceForKind } from './graph.ts';

/** Attempts of a read-modify-write before handing the item back to the queue. */
const MAX_CONFLICT_RETRIES = 5;
/** Dependents patched at once when orphaning. */
const ORPHAN_PARALLELISM = 20;
/** Owners known to be absent (uids are never reused), as upstream's absentOwnerCache. */
const ABSENT_OWNER_CACHE_SIZE = 500;

export interface GarbageCollectorOptions {
  recorder?: EventRecorder;
}

export class GarbageCollector {
  readonly graph: DependencyGraph;
  readonly recorder: EventRecorder;
  private readonly attemptToDelete = newRateLimitingQueue<string>('garbage_collector_attempt_to_delete');
  private readonly attemptToOrphan = newRateLimitingQueue<string>('garbage_collector_attempt_to_orphan');
  private readonly absentOwners = new Map<string, true>();
  private readonly clientset: Clientset;
  private readonly log: Logger;

  /** Create it before informers.start(): it asks the factory for an informer per deletable kind. */
  constructor(clientset: Clientset, informers: SharedInformerFactory, log: Logger, o: GarbageCollectorOptions = {}) {
    this.clientset = clientset;
    this.log = log;
    this.recorder = o.recorder ?? new EventRecorder(clientset.events(), { component: 'garbage-collector-controller', logger: log });
    this.graph = new DependencyGraph(informers, {
      enqueue: (e) => this.enqueue(e),
      invalidOwnerReference: (dep, ref) => this.reportInvalidNamespaceOwnerRef(dep.identity, ref),
    });
  }

  /** Warning OwnerRefInvalidNamespace on the dependent (upstream reportInvalidNamespaceOwnerRef). */
  private reportInvalidNamespaceOwnerRef(dependent: ObjectIdentity, ref: OwnerReference): void {
    this.log.info({ item: dependent, owner: ref }, 'item references an owner but does not match namespaces');
    const { namespace, ...rest } = dependent;
    this.recorder.event({ ...rest, ...(namespace ? { namespace } : {}) }, 'Warning', 'OwnerRefInvalidNamespace', ownerRefInvalidNamespaceMessage(ref, namespace ?? ''));
  }

  /** Waits for the graph's caches (the informers must be started by the caller), then runs `workers` workers per queue. */
  async run(workers: number, signal: AbortSignal): Promise<void> {
    const stop = () => { this.attemptToDelete.shutDown(); this.attemptToOrphan.shutDown(); };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    if (!(await this.graph.waitForCacheSync(signal))) return stop();
    this.graph.markSynced();
    this.log.info({ resources: this.graph.informers.length }, 'garbage collector: all resource monitors have synced');
    await Promise.all([
      runWorkers(this.attemptToDelete, workers, (key) => this.attemptToDeleteItem(parseIdentityKey(key)), { logger: this.log }),
      runWorkers(this.attemptToOrphan, workers, (key) => this.attemptToOrphanItem(parseIdentityKey(key)), { logger: this.log }),
    ]);
  }

  private enqueue(e: Enqueues): void {
    for (const id of e.attemptToDelete) this.attemptToDelete.add(identityKey(id));
    for (const id of e.attemptToOrphan) this.attemptToOrphan.add(identityKey(id));
  }

  private client(info: ResourceInfo, namespace: string | undefined): ResourceClient<KubeObject> {
    return this.clientset.resource<KubeObject>(info, info.namespaced ? namespace : undefined);
  }

  private clientFor(id: ObjectIdentity): ResourceClient<KubeObject> {
    const info = resourceForKind(id.apiVersion, id.kind);
    if (!info) throw new Error(`unable to map ${id.apiVersion}, Kind=${id.kind} to a resource`);
    return this.client(info, id.namespace);
  }

  private async getOrUndefined(client: ResourceClient<KubeObject>, name: string): Promise<KubeObject | undefined> {
    try {
      return await client.get(name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** attemptToDeleteItem: level-triggered on the item's latest state and its owners' (read from the API server). */
  async attemptToDeleteItem(id: ObjectIdentity): Promise<void> {
    const client = this.clientFor(id);
    const latest = await this.getOrUndefined(client, id.name);
    const t = triage(id.uid, latest);
    if (t === 'deletingDependents') return this.processDeletingDependents(id);
    if (t !== 'classifyOwners' || !latest) return;
    const owners = await Promise.all((latest.metadata.ownerReferences ?? []).map((ref) => this.classifyReference(ref, id)));
    const dependents = this.graph.dependents(id.uid).map((d) => ({ deletingDependents: isDeletingDependents(d.metadata) }));
    for (const o of owners) if (o.state === 'invalid') this.reportInvalidNamespaceOwnerRef(id, o.ref);
    const d = decideAttemptToDelete(latest, owners, dependents);
    switch (d.action) {
      case 'none':
        return;
      case 'removeOwnerReferences':
        this.log.info({ item: id, owners: d.ownerUIDs }, 'removing dangling owner references and those to owners deleting their dependents');
        await this.patchOwnerReferences(id, (refs) => withoutOwnerReferences(refs, d.ownerUIDs));
        return;
      case 'delete': {
        let rv = latest.metadata.resourceVersion;
        if (d.unblockOwnerReferences) {
          const patched = await this.patchOwnerReferences(id, unblockedOwnerReferences);
          if (!patched) return;
          rv = patched.metadata.resourceVersion;
        }
        this.log.info({ item: id, propagationPolicy: d.policy }, 'deleting item');
        try {
          // The resourceVersion precondition: a change since the decision (a new owner) is looked at again.
          await client.delete(id.name, { propagationPolicy: d.policy, preconditions: { uid: id.uid, resourceVersion: rv } });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        return;
      }
    }
  }

  /** isDangling + classifyReferences: looks the owner up under the reference's name. */
  private async classifyReference(ref: OwnerReference, item: ObjectIdentity): Promise<ClassifiedOwner> {
    const info = resourceForKind(ref.apiVersion, ref.kind);
    if (!info) throw new Error(`unable to map owner ${ref.apiVersion}, Kind=${ref.kind} of ${identityKey(item)} to a resource`);
    if (info.namespaced && !item.namespace) return { ref, state: 'invalid' };
    const cacheKey = `${info.namespaced ? item.namespace : ''}|${ref.uid}`;
    if (this.absentOwners.has(cacheKey)) return { ref, state: 'dangling' };
    const owner = await this.getOrUndefined(this.client(info, item.namespace), ref.name);
    const state = classifyOwner(ref, owner);
    if (state === 'dangling') this.rememberAbsent(cacheKey);
    return { ref, state };
  }

  private rememberAbsent(key: string): void {
    this.absentOwners.delete(key);
    this.absentOwners.set(key, true);
    if (this.absentOwners.size > ABSENT_OWNER_CACHE_SIZE) this.absentOwners.delete(this.absentOwners.keys().next().value!);
  }

  /** The owner waits for its blocking dependents; once none is left its foregroundDeletion finalizer goes. */
  private async processDeletingDependents(id: ObjectIdentity): Promise<void> {
    const d = decideDeletingDependents(id.uid, this.graph.dependents(id.uid));
    if (d.action === 'removeFinalizer') {
      this.log.info({ item: id }, 'removing the foregroundDeletion finalizer: no blocking dependents left');
      return this.removeFinalizer(id, FINALIZER_DELETE_DEPENDENTS);
    }
    for (const dep of d.attemptToDelete) this.attemptToDelete.add(identityKey(dep));
  }

  /** attemptToOrphanWorker: strips the owner's references from its dependents, then the orphan finalizer. */
  async attemptToOrphanItem(id: ObjectIdentity): Promise<void> {
    const latest = await this.getOrUndefined(this.clientFor(id), id.name);
    const d = decideOrphan(latest, id.uid, this.graph.dependents(id.uid));
    if (d.action === 'none') return;
    this.log.info({ owner: id, dependents: d.dependents.length }, 'orphaning dependents');
    for (let i = 0; i < d.dependents.length; i += ORPHAN_PARALLELISM) {
      await Promise.all(d.dependents.slice(i, i + ORPHAN_PARALLELISM).map((dep) => this.patchOwnerReferences(dep, (refs) => withoutOwnerReferences(refs, [id.uid]))));
    }
    await this.removeFinalizer(id, d.finalizer);
  }

  /**
   * Read-modify-write of an object's ownerReferences (a merge patch with the resourceVersion read, so a
   * concurrent change is never overwritten). Resolves with the patched object; undefined when the object
   * is gone (or replaced) or nothing changed.
   */
  private async patchOwnerReferences(id: ObjectIdentity, edit: (refs: OwnerReference[] | undefined) => OwnerReference[] | undefined): Promise<KubeObject | undefined> {
    const client = this.clientFor(id);
    return this.readModifyWrite(client, id, (cur) => {
      const refs = cur.metadata.ownerReferences;
      const next = edit(refs);
      if (JSON.stringify(next ?? []) === JSON.stringify(refs ?? [])) return undefined;
      return { ownerReferences: next ?? null };
    });
  }

  private async removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void> {
    await this.readModifyWrite(this.clientFor(id), id, (cur) => {
      if (!cur.metadata.finalizers?.includes(finalizer)) return undefined;
      return { finalizers: withoutFinalizer(cur.metadata.finalizers, finalizer) };
    });
  }

  private async readModifyWrite(client: ResourceClient<KubeObject>, id: ObjectIdentity, metadataPatch: (cur: KubeObject) => Record<string, unknown> | undefined): Promise<KubeObject | undefined> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.getOrUndefined(client, id.name);
      if (!cur || cur.metadata.uid !== id.uid) return undefined;
      const patch = metadataPatch(cur);
      if (!patch) return undefined;
      try {
        return await client.patch(id.name, { metadata: { ...patch, resourceVersion: cur.metadata.resourceVersion } }, 'merge');
      } catch (e) {
        if (isNotFound(e)) return undefined;
        if (!isConflict(e) || attempt + 1 >= MAX_CONFLICT_RETRIES) throw e;
      }
    }
  }
}
