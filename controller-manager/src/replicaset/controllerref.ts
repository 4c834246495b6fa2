// Controller references (pkg/controller/controller_ref_manager.go): which objects a controller owns,
// adopts (orphans matching its selector) and releases (owned objects that no longer match). Pure.
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import type { LabelSelector } from '@k8ts/api/labels.ts';
import { labelSelectorMatches } from '@k8ts/api/labels.ts';

interface Meta {
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string; ownerReferences?: OwnerReference[] };
}

export function getControllerOf(o: Meta): OwnerReference | undefined {
  return o.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** The ownerReference a controller puts on what it creates or adopts. */
export function newControllerRef(owner: Meta, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

export type ClaimAction = 'keep' | 'adopt' | 'release' | 'ignore';

/**
 * ClaimObject's decision for one object. `controllerDeleting`: the controller has a deletionTimestamp
 * (it then neither adopts nor releases).
 */
export function claimDecision(obj: Meta, controllerUid: string, selector: LabelSelector | undefined, controllerDeleting: boolean): ClaimAction {
  const ref = getControllerOf(obj);
  const matches = !!selector && labelSelectorMatches(selector, obj.metadata?.labels);
  if (ref) {
    if (ref.uid !== controllerUid) return 'ignore';
    if (matches) return 'keep';
    return controllerDeleting ? 'ignore' : 'release';
  }
  if (controllerDeleting || !matches) return 'ignore';
  if (obj.metadata?.deletionTimestamp) return 'ignore';
  return 'adopt';
}

/** Merge patch adding a controllerRef (the uid makes it apply only to the object we saw). */
export function adoptPatch(obj: Meta, ref: OwnerReference): unknown {
  const refs = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
  return { metadata: { ownerReferences: [...refs, ref], uid: obj.metadata?.uid } };
}

/** Merge patch removing the controller's ownerReference. */
export function releasePatch(obj: Meta, controllerUid: string): unknown {
  const refs = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== controllerUid);
  return { metadata: { ownerReferences: refs.length ? refs : null, uid: obj.metadata?.uid } };
}
