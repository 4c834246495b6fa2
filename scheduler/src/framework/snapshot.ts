import type { Node, Pod } from 'kubernetes-types/core/v1';
import { NodeInfo } from './node-info.ts';

/** The node infos of one scheduling cycle, taken once at its start (upstream internal/cache.Snapshot). */
export class Snapshot {
  nodeInfoList: NodeInfo[] = [];
  nodeInfoMap = new Map<string, NodeInfo>();
  havePodsWithAffinityList: NodeInfo[] = [];
  havePodsWithRequiredAntiAffinityList: NodeInfo[] = [];
  generation = 0;
  /**
   * Whether any node of the snapshot has the image (set by the cache from its image index); absent when
   * unknown, e.g. for snapshots built from objects.
   */
  hasImage?: (name: string) => boolean;

  /** Builds a snapshot from nodes and the pods bound or assumed to them (image states included), for tests and tools. */
  static fromObjects(nodes: Node[], pods: Pod[] = []): Snapshot {
    const infos = new Map<string, NodeInfo>();
    for (const n of nodes) infos.set(n.metadata!.name!, new NodeInfo(n));
    for (const p of pods) {
      const ni = p.spec?.nodeName ? infos.get(p.spec.nodeName) : undefined;
      if (ni) ni.addPod(p);
    }
    const images = new Map<string, { size: number; nodes: Set<string> }>();
    for (const n of nodes) {
      for (const img of n.status?.images ?? []) {
        for (const name of img.names ?? []) {
          const s = images.get(name) ?? { size: img.sizeBytes ?? 0, nodes: new Set<string>() };
          s.nodes.add(n.metadata!.name!);
          images.set(name, s);
        }
      }
    }
    for (const n of nodes) {
      const ni = infos.get(n.metadata!.name!)!;
      for (const img of n.status?.images ?? []) {
        for (const name of img.names ?? []) {
          const s = images.get(name)!;
          ni.imageStates.set(name, { size: img.sizeBytes ?? 0, numNodes: s.nodes.size });
        }
      }
    }
    return Snapshot.fromNodeInfos([...infos.values()]);
  }

  static fromNodeInfos(infos: NodeInfo[]): Snapshot {
    const s = new Snapshot();
    s.setNodeInfos(infos);
    return s;
  }

  private indexOf = new Map<string, number>();

  setNodeInfos(infos: NodeInfo[]): void {
    this.nodeInfoList = infos.filter((n) => n.node);
    this.nodeInfoMap = new Map(this.nodeInfoList.map((n) => [n.name, n]));
    this.indexOf = new Map(this.nodeInfoList.map((n, i) => [n.name, i]));
    this.rebuildAffinityLists();
  }

  rebuildAffinityLists(): void {
    this.havePodsWithAffinityList = this.nodeInfoList.filter((n) => n.podsWithAffinity.length > 0);
    this.havePodsWithRequiredAntiAffinityList = this.nodeInfoList.filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
  }

  /** Replaces the info of an existing node in place; false if the node is not in the snapshot. */
  replaceNodeInfo(ni: NodeInfo): boolean {
    const i = this.indexOf.get(ni.name);
    if (i === undefined) return false;
    const old = this.nodeInfoList[i];
    this.nodeInfoList[i] = ni;
    this.nodeInfoMap.set(ni.name, ni);
    const affinityChanged =
      old.podsWithAffinity.length > 0 || ni.podsWithAffinity.length > 0 || old.podsWithRequiredAntiAffinity.length > 0 || ni.podsWithRequiredAntiAffinity.length > 0;
    if (affinityChanged) this.rebuildAffinityLists();
    return true;
  }

  get(name: string): NodeInfo | undefined {
    return this.nodeInfoMap.get(name);
  }

  numNodes(): number {
    return this.nodeInfoList.length;
  }
}
