// Namespaces: phase Active on create; delete marks them Terminating until their content is gone and the
// `kubernetes` finalizer is removed (through /finalize) by the namespace controller.
import type { Namespace } from 'kubernetes-types/core/v1';
import type { KubeObject } from '@k8ts/api';
import type { Strategy } from '../strategy.ts';

export const namespaceStrategy: Strategy = {
  statusSubresource: true,
  prepareForCreate(obj: KubeObject) {
    const ns = obj as Namespace;
    ns.status = { phase: 'Active' };
    ns.spec = { ...ns.spec, finalizers: ns.spec?.finalizers?.length ? ns.spec.finalizers : ['kubernetes'] };
    ns.metadata!.labels = { ...ns.metadata!.labels, 'kubernetes.io/metadata.name': ns.metadata!.name! };
  },
  prepareForUpdate(obj: KubeObject, old: KubeObject) {
    const ns = obj as Namespace;
    // spec.finalizers change only through /finalize; the name label is kept as upstream does.
    ns.spec = structuredClone((old as Namespace).spec);
    ns.metadata!.labels = { ...ns.metadata!.labels, 'kubernetes.io/metadata.name': ns.metadata!.name! };
  },
  /** /status: the name label stays (upstream's Canonicalize applies to every write). */
  prepareForStatusUpdate(obj: KubeObject) {
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name! };
  },
  canRemove(obj: KubeObject): boolean {
    return !(obj as Namespace).spec?.finalizers?.length;
  },
  beginDelete(obj: KubeObject): boolean {
    const ns = obj as Namespace;
    if (!ns.spec?.finalizers?.length && !ns.metadata?.finalizers?.length) return false;
    ns.status = { ...ns.status, phase: 'Terminating' };
    return true;
  },
};

/** /finalize: replaces spec.finalizers; the namespace is removed once nothing holds it. */
export function finalizeNamespace(cur: Namespace, body: Namespace): Namespace {
  const next = structuredClone(cur);
  next.spec = { ...next.spec, finalizers: body.spec?.finalizers ?? [] };
  return next;
}
