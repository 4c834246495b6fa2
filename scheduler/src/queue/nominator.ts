import type { Pod } from 'kubernetes-types/core/v1';
import { podKey } from '../framework/pod-info.ts';

/** Pods nominated to nodes by preemption, so later cycles keep room for them (upstream nominator). */
export class Nominator {
  private readonly byNode = new Map<string, Map<string, Pod>>();
  private readonly nodeOf = new Map<string, string>();

  /** Nominates the pod to nodeName, or to its status.nominatedNodeName when nodeName is not given. */
  addNominatedPod(pod: Pod, nodeName?: string): void {
    this.deleteNominatedPodIfExists(pod);
    const node = nodeName ?? pod.status?.nominatedNodeName;
    if (!node) return;
    const key = podKey(pod);
    this.nodeOf.set(key, node);
    let m = this.byNode.get(node);
    if (!m) this.byNode.set(node, (m = new Map()));
    m.set(key, pod);
  }

  deleteNominatedPodIfExists(pod: Pod): void {
    const key = podKey(pod);
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const m = this.byNode.get(node);
    m?.delete(key);
    if (m && m.size === 0) this.byNode.delete(node);
  }

  /** Keeps the nomination of an updated pod unless the update carries a different nominated node. */
  updateNominatedPod(oldPod: Pod, newPod: Pod): void {
    const key = podKey(oldPod);
    const prev = this.nodeOf.get(key);
    const nominated = newPod.status?.nominatedNodeName || prev;
    if (newPod.spec?.nodeName) {
      this.deleteNominatedPodIfExists(oldPod);
      return;
    }
    if (nominated) this.addNominatedPod(newPod, nominated);
    else this.deleteNominatedPodIfExists(oldPod);
  }

  /** Whether any pod is nominated to any node. */
  hasNominatedPods(): boolean {
    return this.byNode.size > 0;
  }

  nominatedPodsForNode(nodeName: string): Pod[] {
    if (this.byNode.size === 0) return [];
    const m = this.byNode.get(nodeName);
    return m ? [...m.values()] : [];
  }

  nominatedNodeOf(pod: Pod): string | undefined {
    return this.nodeOf.get(podKey(pod));
  }
}
