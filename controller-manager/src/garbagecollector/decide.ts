// The garbage collector's decisions, as functions of an object, what is known of its owners and its
// dependents (upstream pkg/controller/garbagecollector: attemptToDeleteItem, processDeletingDependentsItem,
// attemptToOrphanWorker). No I/O here: the controller gathers the inputs and carries out the actions.
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1';

/** metav1.FinalizerOrphanDependents: set by the API server for propagationPolicy=Orphan. */
export const FINALIZER_ORPHAN = 'orphan';
/** metav1.FinalizerDeleteDependents: set by the API server for propagationPolicy=Foreground. */
export const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** Which object: enough to GET, PATCH or DELETE it (upstream objectReference). */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
}

type Meta = Pick<ObjectMeta, 'deletionTimestamp' | 'finalizers' | 'ownerReferences' | 'uid'>;

export function hasFinalizer(m: Meta | undefined, f: string): boolean {
  return !!m?.finalizers?.includes(f);
}

/** Being deleted (deletionTimestamp set). */
export function isBeingDeleted(m: Meta | undefined): boolean {
  return !!m?.deletionTimestamp;
}

/** Being deleted in the foreground: waits for its blocking dependents to go. */
export function isDeletingDependents(m: Meta | undefined): boolean {
  return isBeingDeleted(m) && hasFinalizer(m, FINALIZER_DELETE_DEPENDENTS);
}

/** Being deleted with the orphan policy: its dependents lose their reference to it. */
export function isOrphaning(m: Meta | undefined): boolean {
  return isBeingDeleted(m) && hasFinalizer(m, FINALIZER_ORPHAN);
}

/** The owner reference to `ownerUID` in `m`, if any. */
export function ownerReferenceTo(m: Meta | undefined, ownerUID: string): OwnerReference | undefined {
  return m?.ownerReferences?.find((r) => r.uid === ownerUID);
}

// ---- attemptToDelete ----

/** What to do first with an object taken from the attemptToDelete queue (its latest state from the API). */
export type Triage =
  /** It is gone, or a new object took its name: nothing to do. */
  | 'gone'
  /** Foreground deletion in progress: look at its dependents (processDeletingDependents). */
  | 'deletingDependents'
  /** Being deleted otherwise: a one-way trip; its dependents are looked at once it is gone. */
  | 'beingDeleted'
  /** No owners: never garbage. */
  | 'noOwners'
  /** Look up its owners (classifyReferences), then decideAttemptToDelete. */
  | 'classifyOwners';

export function triage(uid: string, latest: { metadata?: Meta } | undefined): Triage {
  const m = latest?.metadata;
  if (!m || m.uid !== uid) return 'gone';
  if (isDeletingDependents(m)) return 'deletingDependents';
  if (isBeingDeleted(m)) return 'beingDeleted';
  if (!m.ownerReferences?.length) return 'noOwners';
  return 'classifyOwners';
}

/**
 * What an owner reference points at:
 * - solid: the owner exists and is not waiting for its dependents;
 * - dangling: no object of that name, or one with another uid (the owner is gone or never existed);
 * - waitingForDependentsDeletion: the owner is being deleted in the foreground;
 * - invalid: a cluster-scoped object naming a namespaced owner; upstream neither deletes nor retries.
 */
export type OwnerState = 'solid' | 'dangling' | 'waitingForDependentsDeletion' | 'invalid';

export interface ClassifiedOwner {
  ref: OwnerReference;
  state: OwnerState;
}

/** The state of an owner reference, from the owner found under the reference's name (undefined: 404). */
export function classifyOwner(ref: OwnerReference, owner: { metadata?: Meta } | undefined): OwnerState {
  if (!owner?.metadata || owner.metadata.uid !== ref.uid) return 'dangling';
  return isDeletingDependents(owner.metadata) ? 'waitingForDependentsDeletion' : 'solid';
}

export type DeleteItemAction =
  | { action: 'none'; reason: string }
  /** Other owners remain: drop the references to owners that are gone or deleting in the foreground. */
  | { action: 'removeOwnerReferences'; ownerUIDs: string[] }
  /**
   * Delete the item with this policy (preconditions: its uid and resourceVersion). With
   * `unblockOwnerReferences`, first set blockOwnerDeletion=false on its owner references (breaks
   * foreground cycles).
   */
  | { action: 'delete'; policy: PropagationPolicy; unblockOwnerReferences?: boolean };

export interface DependentSummary {
  /** The dependent is itself being deleted in the foreground. */
  deletingDependents: boolean;
}

/**
 * The decision for an object with owner references, once every reference is classified; `dependents`
 * are the item's own dependents as the graph knows them.
 */
export function decideAttemptToDelete(item: { metadata?: Meta }, owners: ClassifiedOwner[], dependents: DependentSummary[]): DeleteItemAction {
  if (owners.some((o) => o.state === 'invalid')) return { action: 'none', reason: 'a cluster-scoped object cannot have a namespaced owner' };
  const uids = (s: OwnerState) => owners.filter((o) => o.state === s).map((o) => o.ref.uid);
  const solid = uids('solid');
  const dangling = uids('dangling');
  const waiting = uids('waitingForDependentsDeletion');
  if (solid.length) {
    if (!dangling.length && !waiting.length) return { action: 'none', reason: 'has an owner that exists' };
    return { action: 'removeOwnerReferences', ownerUIDs: [...dangling, ...waiting] };
  }
  if (waiting.length && dependents.length) {
    return { action: 'delete', policy: 'Foreground', ...(dependents.some((d) => d.deletingDependents) ? { unblockOwnerReferences: true } : {}) };
  }
  // Garbage: keep the policy a previous delete of the item recorded in its finalizers.
  const m = item.metadata;
  const policy: PropagationPolicy = hasFinalizer(m, FINALIZER_ORPHAN) ? 'Orphan' : hasFinalizer(m, FINALIZER_DELETE_DEPENDENTS) ? 'Foreground' : 'Background';
  return { action: 'delete', policy };
}

// ---- foreground deletion of an owner ----

export interface DependentRef<I = ObjectIdentity> {
  identity: I;
  metadata: Meta;
}

export type DeletingDependentsAction<I = ObjectIdentity> =
  /** No dependent blocks the owner any more: remove the foregroundDeletion finalizer. */
  | { action: 'removeFinalizer'; finalizer: typeof FINALIZER_DELETE_DEPENDENTS }
  /** Blocking dependents remain: look at these (attemptToDelete) and wait for them to go. */
  | { action: 'waitForDependents'; blocking: number; attemptToDelete: I[] };

/** processDeletingDependentsItem: the owner waits only for dependents whose reference to it has blockOwnerDeletion=true. */
export function decideDeletingDependents<I>(ownerUID: string, dependents: DependentRef<I>[]): DeletingDependentsAction<I> {
  const blocking = dependents.filter((d) => ownerReferenceTo(d.metadata, ownerUID)?.blockOwnerDeletion === true);
  if (!blocking.length) return { action: 'removeFinalizer', finalizer: FINALIZER_DELETE_DEPENDENTS };
  return { action: 'waitForDependents', blocking: blocking.length, attemptToDelete: blocking.filter((d) => !isDeletingDependents(d.metadata)).map((d) => d.identity) };
}

// ---- orphaning ----

export type OrphanAction<I = ObjectIdentity> =
  | { action: 'none'; reason: string }
  /** Remove the owner's reference from each dependent, then the orphan finalizer from the owner. */
  | { action: 'orphanDependents'; dependents: I[]; finalizer: typeof FINALIZER_ORPHAN };

export function decideOrphan<I>(owner: { metadata?: Meta } | undefined, ownerUID: string, dependents: DependentRef<I>[]): OrphanAction<I> {
  const m = owner?.metadata;
  if (!m || m.uid !== ownerUID) return { action: 'none', reason: 'owner is gone' };
  if (!isOrphaning(m)) return { action: 'none', reason: 'owner is not being deleted with the orphan finalizer' };
  return { action: 'orphanDependents', dependents: dependents.filter((d) => ownerReferenceTo(d.metadata, ownerUID)).map((d) => d.identity), finalizer: FINALIZER_ORPHAN };
}

// ---- object edits ----

/** The owner references without those to `uids`; undefined when none is left (the field goes). */
export function withoutOwnerReferences(refs: OwnerReference[] | undefined, uids: string[]): OwnerReference[] | undefined {
  const left = (refs ?? []).filter((r) => !uids.includes(r.uid));
  return left.length ? left : undefined;
}

/** The owner references with blockOwnerDeletion turned off (upstream unblockOwnerReferences). */
export function unblockedOwnerReferences(refs: OwnerReference[] | undefined): OwnerReference[] | undefined {
  return refs?.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
}

export function withoutFinalizer(finalizers: string[] | undefined, f: string): string[] {
  return (finalizers ?? []).filter((x) => x !== f);
}

// ---- what an observed change means (upstream GraphBuilder.processGraphChanges / processTransitions) ----

export interface GraphNode {
  identity: ObjectIdentity;
  metadata: Meta & Pick<ObjectMeta, 'name'>;
}

/** What the graph (the informer caches) knows: objects by uid, and the dependents of a uid. */
export interface GraphView {
  byUID(uid: string): GraphNode | undefined;
  dependents(ownerUID: string): GraphNode[];
}

export interface Enqueues {
  attemptToDelete: ObjectIdentity[];
  attemptToOrphan: ObjectIdentity[];
}

/**
 * The graph's object for a reference of `dependent`: same uid, kind and name, and (when namespaced) in the
 * dependent's namespace. Anything else must be verified with the API server.
 */
function observedOwner(ref: OwnerReference, dependent: ObjectIdentity, g: GraphView): GraphNode | undefined {
  const n = g.byUID(ref.uid);
  if (!n) return undefined;
  const id = n.identity;
  if (id.kind !== ref.kind || id.name !== ref.name) return undefined;
  if (id.namespace && id.namespace !== dependent.namespace) return undefined;
  return n;
}

/**
 * An object was added or updated (`old` undefined for an add). Enqueues:
 * - the object for orphaning / foreground processing when its deletion says so, plus its dependents
 *   when it deletes them in the foreground;
 * - the object itself when an owner it names is not in the graph (maybe absent: verified with the API)
 *   or is being deleted in the foreground;
 * - former owners deleting in the foreground when the object stopped blocking them.
 */
export function onObjectChange(old: GraphNode | undefined, cur: GraphNode, g: GraphView): Enqueues {
  const out: Enqueues = { attemptToDelete: [], attemptToOrphan: [] };
  const m = cur.metadata;
  if (isOrphaning(m)) out.attemptToOrphan.push(cur.identity);
  if (isDeletingDependents(m)) {
    out.attemptToDelete.push(cur.identity);
    for (const d of g.dependents(m.uid ?? '')) out.attemptToDelete.push(d.identity);
  }
  if (!isBeingDeleted(m)) {
    for (const ref of m.ownerReferences ?? []) {
      const owner = observedOwner(ref, cur.identity, g);
      if (!owner || isDeletingDependents(owner.metadata)) { out.attemptToDelete.push(cur.identity); break; }
    }
  }
  for (const ref of old?.metadata.ownerReferences ?? []) {
    if (!ref.blockOwnerDeletion) continue;
    if (ownerReferenceTo(m, ref.uid)?.blockOwnerDeletion === true) continue;
    const owner = g.byUID(ref.uid);
    if (owner && isDeletingDependents(owner.metadata)) out.attemptToDelete.push(owner.identity);
  }
  return out;
}

/** An object is gone: its dependents may be garbage now; owners deleting in the foreground may be done. */
export function onObjectDelete(obj: GraphNode, g: GraphView): Enqueues {
  const out: Enqueues = { attemptToDelete: [], attemptToOrphan: [] };
  for (const d of g.dependents(obj.metadata.uid ?? '')) out.attemptToDelete.push(d.identity);
  for (const ref of obj.metadata.ownerReferences ?? []) {
    const owner = g.byUID(ref.uid);
    if (owner && isDeletingDependents(owner.metadata)) out.attemptToDelete.push(owner.identity);
  }
  return out;
}

// ---- invalid references (upstream reportInvalidNamespaceOwnerRef) ----

/**
 * References of a namespaced `cur` to an owner the graph holds in another namespace: an owner must be
 * cluster-scoped or in the dependent's namespace, so such a reference counts as absent.
 */
export function invalidNamespaceOwnerReferences(cur: GraphNode, g: GraphView): OwnerReference[] {
  return (cur.metadata.ownerReferences ?? []).filter((ref) => {
    const owner = g.byUID(ref.uid);
    return !!owner?.identity.namespace && owner.identity.namespace !== cur.identity.namespace;
  });
}

/** The OwnerRefInvalidNamespace Warning event's message for a dependent in `namespace` ('' if cluster-scoped). */
export function ownerRefInvalidNamespaceMessage(ref: OwnerReference, namespace: string): string {
  return `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${namespace}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace "${namespace}"`;
}

/** Whether an update changed the owner references (what makes references worth checking again). */
export function ownerReferencesChanged(old: GraphNode | undefined, cur: GraphNode): boolean {
  return !old || JSON.stringify(old.metadata.ownerReferences ?? []) !== JSON.stringify(cur.metadata.ownerReferences ?? []);
}
