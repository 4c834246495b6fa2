import { describe, it, expect } from 'vitest';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import {
  triage, classifyOwner, decideAttemptToDelete, decideDeletingDependents, decideOrphan, onObjectChange, onObjectDelete,
  withoutOwnerReferences, unblockedOwnerReferences, withoutFinalizer,
  invalidNamespaceOwnerReferences, ownerRefInvalidNamespaceMessage, ownerReferencesChanged,
  type GraphNode, type GraphView, type ObjectIdentity, type ClassifiedOwner,
} from '../src/garbagecollector/decide.ts';
import { deletableResources, resourceForKind, identityKey, parseIdentityKey } from '../src/garbagecollector/graph.ts';

const ref = (uid: string, o: Partial<OwnerReference> = {}): OwnerReference =>
  ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, controller: true, blockOwnerDeletion: true, ...o });
const id = (uid: string, kind = 'Pod', name = `pod-${uid}`): ObjectIdentity =>
  ({ apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1', kind, namespace: 'default', name, uid });
const node = (uid: string, meta: Partial<GraphNode['metadata']> = {}, kind = 'Pod', name?: string): GraphNode =>
  ({ identity: id(uid, kind, name), metadata: { uid, name: name ?? `x-${uid}`, ...meta } });
const deleting = (finalizers: string[]) => ({ deletionTimestamp: '2026-01-01T00:00:00Z', finalizers });
const owners = (...xs: [string, ClassifiedOwner['state']][]): ClassifiedOwner[] => xs.map(([uid, state]) => ({ ref: ref(uid), state }));

function graph(nodes: GraphNode[]): GraphView {
  return {
    byUID: (uid) => nodes.find((n) => n.metadata.uid === uid),
    dependents: (uid) => nodes.filter((n) => n.metadata.ownerReferences?.some((r) => r.uid === uid)),
  };
}

describe('triage', () => {
  it('skips objects that are gone, replaced, being deleted or ownerless', () => {
    expect(triage('a', undefined)).toBe('gone');
    expect(triage('a', { metadata: { uid: 'b', ownerReferences: [ref('o')] } })).toBe('gone');
    expect(triage('a', { metadata: { uid: 'a', ...deleting([]), ownerReferences: [ref('o')] } })).toBe('beingDeleted');
    expect(triage('a', { metadata: { uid: 'a', ...deleting(['orphan']) } })).toBe('beingDeleted');
    expect(triage('a', { metadata: { uid: 'a', ownerReferences: [] } })).toBe('noOwners');
  });
  it('sends foreground deletions to their dependents and others to owner classification', () => {
    expect(triage('a', { metadata: { uid: 'a', ...deleting(['foregroundDeletion']) } })).toBe('deletingDependents');
    expect(triage('a', { metadata: { uid: 'a', ownerReferences: [ref('o')] } })).toBe('classifyOwners');
  });
});

describe('classifyOwner', () => {
  it('is dangling when the owner is missing or has another uid', () => {
    expect(classifyOwner(ref('o'), undefined)).toBe('dangling');
    expect(classifyOwner(ref('o'), { metadata: { uid: 'other' } })).toBe('dangling');
  });
  it('is waiting only for a foreground deletion, solid otherwise', () => {
    expect(classifyOwner(ref('o'), { metadata: { uid: 'o' } })).toBe('solid');
    expect(classifyOwner(ref('o'), { metadata: { uid: 'o', ...deleting(['orphan']) } })).toBe('solid');
    expect(classifyOwner(ref('o'), { metadata: { uid: 'o', ...deleting([]) } })).toBe('solid');
    expect(classifyOwner(ref('o'), { metadata: { uid: 'o', ...deleting(['foregroundDeletion']) } })).toBe('waitingForDependentsDeletion');
  });
});

describe('decideAttemptToDelete', () => {
  const item = { metadata: { uid: 'i' } };
  it('keeps an item with an existing owner and nothing to clean', () => {
    expect(decideAttemptToDelete(item, owners(['a', 'solid']), [])).toMatchObject({ action: 'none' });
  });
  it('only drops dangling and waiting references while another owner remains', () => {
    expect(decideAttemptToDelete(item, owners(['a', 'solid'], ['b', 'dangling'], ['c', 'waitingForDependentsDeletion']), []))
      .toEqual({ action: 'removeOwnerReferences', ownerUIDs: ['b', 'c'] });
  });
  it('deletes in the background when every owner is gone', () => {
    expect(decideAttemptToDelete(item, owners(['a', 'dangling'], ['b', 'dangling']), [{ deletingDependents: false }]))
      .toEqual({ action: 'delete', policy: 'Background' });
  });
  it('honours a policy already recorded in the item finalizers', () => {
    expect(decideAttemptToDelete({ metadata: { uid: 'i', finalizers: ['orphan'] } }, owners(['a', 'dangling']), [])).toEqual({ action: 'delete', policy: 'Orphan' });
    expect(decideAttemptToDelete({ metadata: { uid: 'i', finalizers: ['foregroundDeletion'] } }, owners(['a', 'dangling']), [])).toEqual({ action: 'delete', policy: 'Foreground' });
  });
  it('deletes in the foreground when an owner waits and the item has dependents of its own', () => {
    expect(decideAttemptToDelete(item, owners(['a', 'waitingForDependentsDeletion']), [{ deletingDependents: false }]))
      .toEqual({ action: 'delete', policy: 'Foreground' });
    expect(decideAttemptToDelete(item, owners(['a', 'waitingForDependentsDeletion'], ['b', 'dangling']), [{ deletingDependents: true }]))
      .toEqual({ action: 'delete', policy: 'Foreground', unblockOwnerReferences: true });
  });
  it('deletes a dependent-less item of a waiting owner in the background', () => {
    expect(decideAttemptToDelete(item, owners(['a', 'waitingForDependentsDeletion']), [])).toEqual({ action: 'delete', policy: 'Background' });
  });
  it('never collects an item with an invalid (namespaced owner of a cluster-scoped) reference', () => {
    expect(decideAttemptToDelete(item, owners(['a', 'invalid'], ['b', 'dangling']), [])).toMatchObject({ action: 'none' });
  });
});

describe('decideDeletingDependents', () => {
  it('removes the finalizer when no dependent blocks', () => {
    const deps = [node('d1', { ownerReferences: [ref('o', { blockOwnerDeletion: false })] }), node('d2', { ownerReferences: [ref('o', { blockOwnerDeletion: undefined })] })];
    expect(decideDeletingDependents('o', deps)).toEqual({ action: 'removeFinalizer', finalizer: 'foregroundDeletion' });
    expect(decideDeletingDependents('o', [])).toEqual({ action: 'removeFinalizer', finalizer: 'foregroundDeletion' });
  });
  it('waits for blocking dependents (even terminating ones), and re-examines those not deleting their own dependents', () => {
    const d1 = node('d1', { ownerReferences: [ref('o')] });
    const d2 = node('d2', { ownerReferences: [ref('o')], ...deleting(['foregroundDeletion']) });
    const d3 = node('d3', { ownerReferences: [ref('o')], ...deleting([]) });
    const other = node('d4', { ownerReferences: [ref('x')] });
    expect(decideDeletingDependents('o', [d1, d2, d3, other])).toEqual({ action: 'waitForDependents', blocking: 3, attemptToDelete: [d1.identity, d3.identity] });
  });
});

describe('decideOrphan', () => {
  const dep = node('d', { ownerReferences: [ref('o')] });
  it('orphans the dependents of an owner deleted with the orphan finalizer', () => {
    expect(decideOrphan({ metadata: { uid: 'o', ...deleting(['orphan']) } }, 'o', [dep, node('e', { ownerReferences: [ref('x')] })]))
      .toEqual({ action: 'orphanDependents', dependents: [dep.identity], finalizer: 'orphan' });
  });
  it('does nothing for owners gone, replaced, or not orphaning', () => {
    expect(decideOrphan(undefined, 'o', [dep])).toMatchObject({ action: 'none' });
    expect(decideOrphan({ metadata: { uid: 'o2', ...deleting(['orphan']) } }, 'o', [dep])).toMatchObject({ action: 'none' });
    expect(decideOrphan({ metadata: { uid: 'o', finalizers: ['orphan'] } }, 'o', [dep])).toMatchObject({ action: 'none' });
    expect(decideOrphan({ metadata: { uid: 'o', ...deleting(['foregroundDeletion']) } }, 'o', [dep])).toMatchObject({ action: 'none' });
  });
});

describe('object edits', () => {
  it('removes owner references, dropping the field when none is left', () => {
    expect(withoutOwnerReferences([ref('a'), ref('b')], ['a'])).toEqual([ref('b')]);
    expect(withoutOwnerReferences([ref('a')], ['a'])).toBeUndefined();
  });
  it('unblocks owner references and removes finalizers', () => {
    expect(unblockedOwnerReferences([ref('a'), ref('b', { blockOwnerDeletion: false })])).toEqual([ref('a', { blockOwnerDeletion: false }), ref('b', { blockOwnerDeletion: false })]);
    expect(withoutFinalizer(['orphan', 'example.com/x'], 'orphan')).toEqual(['example.com/x']);
  });
});

describe('graph changes', () => {
  const rs = node('rs', {}, 'ReplicaSet', 'rs-rs');
  it('enqueues a dependent whose owner is not in the graph, and not one whose owner is', () => {
    const pod = node('p', { ownerReferences: [ref('rs')] });
    expect(onObjectChange(undefined, pod, graph([rs, pod]))).toEqual({ attemptToDelete: [], attemptToOrphan: [] });
    expect(onObjectChange(undefined, pod, graph([pod]))).toEqual({ attemptToDelete: [pod.identity], attemptToOrphan: [] });
  });
  it('verifies an owner whose uid is known under another name or kind', () => {
    const pod = node('p', { ownerReferences: [ref('rs', { name: 'someone-else' })] });
    expect(onObjectChange(undefined, pod, graph([rs, pod])).attemptToDelete).toEqual([pod.identity]);
  });
  it('enqueues an owner deleting in the foreground and all its dependents; an orphaning owner for orphaning', () => {
    const fg = node('rs', deleting(['foregroundDeletion']), 'ReplicaSet', 'rs-rs');
    const pod = node('p', { ownerReferences: [ref('rs')] });
    expect(onObjectChange(rs, fg, graph([fg, pod]))).toEqual({ attemptToDelete: [fg.identity, pod.identity], attemptToOrphan: [] });
    const orphaning = node('rs', deleting(['orphan']), 'ReplicaSet', 'rs-rs');
    expect(onObjectChange(rs, orphaning, graph([orphaning, pod]))).toEqual({ attemptToDelete: [], attemptToOrphan: [orphaning.identity] });
  });
  it('enqueues a foreground-deleting owner when a dependent stops blocking it', () => {
    const fg = node('rs', deleting(['foregroundDeletion']), 'ReplicaSet', 'rs-rs');
    const before = node('p', { ownerReferences: [ref('rs')] });
    const after = node('p', { ownerReferences: [ref('rs', { blockOwnerDeletion: false })] });
    expect(onObjectChange(before, after, graph([fg, after])).attemptToDelete).toEqual([after.identity, fg.identity]);
  });
  it('on delete, enqueues the dependents and owners waiting for it', () => {
    const fg = node('rs', deleting(['foregroundDeletion']), 'ReplicaSet', 'rs-rs');
    const pod = node('p', { ownerReferences: [ref('rs')] });
    const child = node('c', { ownerReferences: [ref('p', { kind: 'Pod' })] });
    expect(onObjectDelete(pod, graph([fg, child]))).toEqual({ attemptToDelete: [child.identity, fg.identity], attemptToOrphan: [] });
    expect(onObjectDelete(pod, graph([rs]))).toEqual({ attemptToDelete: [], attemptToOrphan: [] });
  });
});

describe('invalid owner references', () => {
  it('finds references to owners observed in another namespace', () => {
    const elsewhere: GraphNode = { identity: { ...id('o', 'ReplicaSet', 'rs-o'), namespace: 'other' }, metadata: { uid: 'o', name: 'rs-o' } };
    const clusterOwner: GraphNode = { identity: { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'n' }, metadata: { uid: 'n', name: 'n1' } };
    const pod = node('p', { ownerReferences: [ref('o'), ref('n', { apiVersion: 'v1', kind: 'Node', name: 'n1' }), ref('missing')] });
    expect(invalidNamespaceOwnerReferences(pod, graph([elsewhere, clusterOwner, pod]))).toEqual([ref('o')]);
  });
  it('formats the message as upstream and notices changed references', () => {
    expect(ownerRefInvalidNamespaceMessage(ref('u1'), 'ns1')).toBe('ownerRef [apps/v1/ReplicaSet, namespace: ns1, name: rs-u1, uid: u1] does not exist in namespace "ns1"');
    const a = node('p', { ownerReferences: [ref('o')] });
    expect(ownerReferencesChanged(undefined, a)).toBe(true);
    expect(ownerReferencesChanged(a, node('p', { ownerReferences: [ref('o')], labels: { x: 'y' } } as never))).toBe(false);
    expect(ownerReferencesChanged(a, node('p', { ownerReferences: [ref('o', { blockOwnerDeletion: false })] }))).toBe(true);
  });
});

describe('graph helpers', () => {
  it('watches every deletable kind but events', () => {
    const names = deletableResources().map((r) => `${r.group}/${r.resource}`);
    expect(names).toContain('/pods');
    expect(names).toContain('apps/replicasets');
    expect(names).toContain('/namespaces');
    expect(names).not.toContain('/events');
  });
  it('maps owner kinds to resources and keys round-trip', () => {
    expect(resourceForKind('apps/v1', 'ReplicaSet')?.resource).toBe('replicasets');
    expect(resourceForKind('v1', 'ConfigMap')?.resource).toBe('configmaps');
    expect(resourceForKind('example.com/v1', 'Widget')).toBeUndefined();
    const i = id('u1');
    expect(parseIdentityKey(identityKey(i))).toEqual(i);
    const cluster: ObjectIdentity = { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u2' };
    expect(parseIdentityKey(identityKey(cluster))).toEqual(cluster);
  });
});
