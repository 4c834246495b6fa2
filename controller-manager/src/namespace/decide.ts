// The namespace controller's decision, as a function of the namespace and what is left in it.
import type { Namespace } from 'kubernetes-types/core/v1';

export const FINALIZER_KUBERNETES = 'kubernetes';

export type NamespaceAction =
  | { action: 'none' }
  /** Delete every object of these resources in the namespace, then look again. */
  | { action: 'deleteContent'; resources: string[] }
  /** Content is still terminating (pods with grace periods, finalizers): look again later. */
  | { action: 'wait'; remaining: number; afterMs: number }
  /** Nothing is left: remove the `kubernetes` finalizer so the namespace goes. */
  | { action: 'finalize'; finalizers: string[] };

/** remaining: resource → how many objects are still in the namespace; deleting: those already terminating. */
export function syncNamespace(ns: Namespace | undefined, remaining: Map<string, { total: number; terminating: number }>): NamespaceAction {
  if (!ns?.metadata?.deletionTimestamp) return { action: 'none' };
  if (!ns.spec?.finalizers?.includes(FINALIZER_KUBERNETES)) return { action: 'none' };
  const toDelete = [...remaining].filter(([, c]) => c.total > c.terminating).map(([r]) => r);
  if (toDelete.length) return { action: 'deleteContent', resources: toDelete };
  const left = [...remaining.values()].reduce((n, c) => n + c.total, 0);
  if (left > 0) return { action: 'wait', remaining: left, afterMs: 1000 };
  return { action: 'finalize', finalizers: ns.spec.finalizers.filter((f) => f !== FINALIZER_KUBERNETES) };
}
