// Per-kind behaviour plugged into the generic store, named after upstream's RESTCreateStrategy & co.
import type { KubeObject } from '@k8ts/api';
import type { RequestContext } from './context.ts';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

/** Upstream's rest.GarbageCollectionPolicy: what a delete without a propagation policy does to dependents. */
export type GarbageCollectionPolicy = 'DeleteDependents' | 'OrphanDependents' | 'Unsupported';

export interface Strategy {
  /** The status subresource exists: status is ignored on the main resource and spec on /status. */
  statusSubresource: boolean;
  /** Whether a create keeps a client-supplied status (Node, Event, Lease ... do). */
  keepStatusOnCreate?: boolean;
  /** PUT of a missing object creates it (Endpoints, Events, Leases). */
  allowCreateOnUpdate?: boolean;
  /** Extra resets/derivations on create, after defaulting and before validation. */
  prepareForCreate?(obj: KubeObject, ctx: RequestContext): void;
  /** Extra resets/derivations on update of the main resource. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  /**
   * Kind-specific resets on a write through /status, after the generic ones (spec and the system
   * metadata kept as stored); the other metadata (labels, annotations, finalizers ...) is the client's,
   * unless reset here (upstream's <kind>StatusStrategy.PrepareForUpdate).
   */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  /**
   * Upstream's DefaultGarbageCollectionPolicy for the group/version served (e.g. "batch/v1"); undefined
   * means DeleteDependents (background).
   */
  defaultGarbageCollectionPolicy?(groupVersion: string): GarbageCollectionPolicy;
  /** Allocations that must succeed before the object is stored (may throw a StatusError). */
  beforeCreate?(obj: KubeObject, ctx: RequestContext): Promise<void> | void;
  /** Undo beforeCreate when the store refused the object. */
  createFailed?(obj: KubeObject): void;
  beforeUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): Promise<void> | void;
  updateFailed?(obj: KubeObject, old: KubeObject): void;
  /** After a successful update of the main resource (release what the old object held). */
  afterUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Called once an object is gone for good. */
  afterDelete?(obj: KubeObject): void;
  /**
   * Graceful deletion: the grace period to wait before the object may be removed, or 0 to remove now.
   * Undefined = not a graceful kind.
   */
  gracePeriod?(obj: KubeObject, options: DeleteOptions): number | undefined;
  /** Delete starts termination (e.g. Namespace phase Terminating) instead of removing. */
  beginDelete?(obj: KubeObject): boolean;
  /** Whether a terminating object with no finalizers left may be removed (Namespaces wait for spec.finalizers). */
  canRemove?(obj: KubeObject): boolean;
}

export const defaultStrategy: Strategy = { statusSubresource: false };
