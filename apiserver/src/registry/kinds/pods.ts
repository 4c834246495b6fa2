// Pods: status reset on create (phase Pending, QoS class), graceful deletion of pods bound to a node.
import type { Pod, Container, ResourceRequirements } from 'kubernetes-types/core/v1';
import type { KubeObject } from '@k8ts/api';
import { parseQuantity } from '@k8ts/api/quantity.ts';
import type { Strategy, DeleteOptions } from '../strategy.ts';

const COMPUTE = ['cpu', 'memory'];

function same(a: string | number | undefined, b: string | number | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try { return parseQuantity(a) === parseQuantity(b); } catch { return String(a) === String(b); }
}

/** Upstream's GetPodQOS: Guaranteed, Burstable or BestEffort from the containers' requests and limits. */
export function podQOSClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: Container[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const r: ResourceRequirements = c.resources ?? {};
    for (const name of COMPUTE) {
      const req = r.requests?.[name];
      const lim = r.limits?.[name];
      const nonZero = (q: string | number | undefined) => q !== undefined && (() => { try { return parseQuantity(q) !== 0; } catch { return true; } })();
      if (nonZero(req) || nonZero(lim)) anySet = true;
      if (lim === undefined || !same(req ?? lim, lim)) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export const podStrategy: Strategy = {
  statusSubresource: true,
  prepareForCreate(obj: KubeObject) {
    obj.status = { phase: 'Pending', qosClass: podQOSClass(obj as Pod) };
  },
  /**
   * /status keeps the stored owner references (old kubelets corrupted them) and backfills the QoS class
   * when the client left it out, as upstream's podStatusStrategy; labels and annotations are the client's.
   */
  prepareForStatusUpdate(obj: KubeObject, old: KubeObject) {
    if (old.metadata.ownerReferences === undefined) delete obj.metadata.ownerReferences;
    else obj.metadata.ownerReferences = structuredClone(old.metadata.ownerReferences);
    const status = (obj as Pod).status;
    const oldQOS = (old as Pod).status?.qosClass;
    if (status && !status.qosClass && oldQOS) status.qosClass = oldQOS;
  },
  gracePeriod(obj: KubeObject, options: DeleteOptions): number {
    const pod = obj as Pod;
    // Unscheduled or finished pods go at once, as upstream's podStrategy.CheckGracefulDelete decides.
    if (!pod.spec?.nodeName) return 0;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
    const g = options.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, g);
  },
};
