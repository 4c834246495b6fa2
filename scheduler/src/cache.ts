// The scheduler cache (upstream internal/cache): nodes and the pods on them, including pods "assumed" to be on
// the node chosen for them before the binding is confirmed by the API, so the next cycle already counts them.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { NodeInfo } from './framework/node-info.ts';
import { podKey } from './framework/pod-info.ts';
import { Snapshot } from './framework/snapshot.ts';
import { realClock, type Clock } from './queue/clock.ts';

interface PodState {
  pod: Pod;
  /** When an assumed pod whose binding finished expires (ms), if a TTL is set. */
  deadline: number | null;
  bindingFinished: boolean;
}

interface ImageState {
  size: number;
  nodes: Set<string>;
}

export interface CacheOptions {
  clock?: Clock;
  /** How long an assumed pod may wait for its Add event after binding; 0 = forever (upstream's default). */
  assumedPodTTLMs?: number;
}

/** "region:\x00:zone" as upstream utilnode.GetZoneKey; "" for nodes without zone labels. */
function zoneOf(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\x00:${zone}` : '';
}

const podName = (p: Pod) => `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name}`;

export class Cache {
  private readonly clock: Clock;
  private readonly ttl: number;
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private readonly assumedPods = new Set<string>();
  private readonly imageStates = new Map<string, ImageState>();
  /** Nodes changed since the last incremental snapshot update, and whether nodes were added or removed. */
  private readonly dirty = new Set<string>();
  private structureChanged = true;
  private lastSnapshot: Snapshot | null = null;

  constructor(opts: CacheOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.ttl = opts.assumedPodTTLMs ?? 0;
  }

  private nodeInfo(name: string): NodeInfo {
    let ni = this.nodes.get(name);
    if (!ni) this.nodes.set(name, (ni = new NodeInfo()));
    return ni;
  }

  private addPodToNode(pod: Pod): void {
    const name = pod.spec!.nodeName!;
    this.nodeInfo(name).addPod(pod);
    this.dirty.add(name);
  }

  private removePodFromNode(pod: Pod): void {
    const name = pod.spec?.nodeName ?? '';
    const ni = this.nodes.get(name);
    if (!ni) return;
    ni.removePod(pod);
    this.dirty.add(name);
    if (!ni.node && ni.pods.length === 0) this.nodes.delete(name);
  }

  /** Counts the pod on pod.spec.nodeName (set by the caller to the chosen node) until confirmed or forgotten. */
  assumePod(pod: Pod): void {
    const key = podKey(pod);
    if (!pod.spec?.nodeName) throw new Error(`pod ${podName(pod)} has no node to be assumed on`);
    if (this.podStates.has(key)) throw new Error(`pod ${podName(pod)}(${key}) is in the cache, so can't be assumed`);
    this.addPodToNode(pod);
    this.podStates.set(key, { pod, deadline: null, bindingFinished: false });
    this.assumedPods.add(key);
  }

  /** The binding call returned: an assumed pod may now expire after the TTL if its Add event never comes. */
  finishBinding(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (st && this.assumedPods.has(key)) {
      st.bindingFinished = true;
      st.deadline = this.ttl > 0 ? this.clock.now() + this.ttl : null;
    }
  }

  /** Undoes assumePod (binding failed). */
  forgetPod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (!st) return;
    if (st.pod.spec?.nodeName !== pod.spec?.nodeName) {
      throw new Error(`pod ${podName(pod)} was assumed on ${st.pod.spec?.nodeName} but assigned to ${pod.spec?.nodeName}`);
    }
    if (!this.assumedPods.has(key)) throw new Error(`pod ${podName(pod)} wasn't assumed so cannot be forgotten`);
    this.removePodFromNode(st.pod);
    this.podStates.delete(key);
    this.assumedPods.delete(key);
  }

  isAssumedPod(pod: Pod): boolean {
    return this.assumedPods.has(podKey(pod));
  }

  getPod(pod: Pod): Pod | undefined {
    return this.podStates.get(podKey(pod))?.pod;
  }

  /** A bound pod was observed (informer Add): confirms an assumed pod, or adds it. */
  addPod(pod: Pod): void {
    if (!pod.spec?.nodeName) return;
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (st && this.assumedPods.has(key)) {
      this.removePodFromNode(st.pod);
      this.addPodToNode(pod);
      this.podStates.set(key, { pod, deadline: null, bindingFinished: false });
      this.assumedPods.delete(key);
      return;
    }
    if (st) {
      this.updatePod(st.pod, pod);
      return;
    }
    this.addPodToNode(pod);
    this.podStates.set(key, { pod, deadline: null, bindingFinished: false });
  }

  updatePod(oldPod: Pod, newPod: Pod): void {
    const key = podKey(oldPod);
    const st = this.podStates.get(key);
    if (!st || this.assumedPods.has(key)) {
      this.addPod(newPod);
      return;
    }
    this.removePodFromNode(st.pod);
    this.addPodToNode(newPod);
    st.pod = newPod;
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const st = this.podStates.get(key);
    if (!st) return;
    this.removePodFromNode(st.pod);
    this.podStates.delete(key);
    this.assumedPods.delete(key);
  }

  /** Removes assumed pods whose binding finished more than the TTL ago without an Add event. */
  cleanupAssumedPods(now = this.clock.now()): Pod[] {
    const expired: Pod[] = [];
    for (const key of [...this.assumedPods]) {
      const st = this.podStates.get(key)!;
      if (!st.bindingFinished || st.deadline === null || now < st.deadline) continue;
      this.removePodFromNode(st.pod);
      this.podStates.delete(key);
      this.assumedPods.delete(key);
      expired.push(st.pod);
    }
    return expired;
  }

  private addNodeImageStates(node: Node, ni: NodeInfo): void {
    const name = node.metadata!.name!;
    ni.imageStates = new Map();
    for (const img of node.status?.images ?? []) {
      for (const imageName of img.names ?? []) {
        let st = this.imageStates.get(imageName);
        if (!st) this.imageStates.set(imageName, (st = { size: img.sizeBytes ?? 0, nodes: new Set() }));
        st.nodes.add(name);
        ni.imageStates.set(imageName, { size: img.sizeBytes ?? 0, numNodes: st.nodes.size });
      }
    }
  }

  private removeNodeImageStates(node: Node | null): void {
    if (!node) return;
    const name = node.metadata!.name!;
    for (const img of node.status?.images ?? []) {
      for (const imageName of img.names ?? []) {
        const st = this.imageStates.get(imageName);
        if (!st) continue;
        st.nodes.delete(name);
        if (st.nodes.size === 0) this.imageStates.delete(imageName);
      }
    }
  }

  addNode(node: Node): void {
    const ni = this.nodeInfo(node.metadata!.name!);
    if (!ni.node) this.structureChanged = true;
    this.dirty.add(node.metadata!.name!);
    this.removeNodeImageStates(ni.node);
    ni.setNode(node);
    this.addNodeImageStates(node, ni);
  }

  updateNode(_oldNode: Node | null, newNode: Node): void {
    this.addNode(newNode);
  }

  /** Pods stay accounted until their own delete events; the NodeInfo disappears with its last pod. */
  removeNode(node: Node): void {
    const name = node.metadata!.name!;
    const ni = this.nodes.get(name);
    if (!ni) return;
    this.removeNodeImageStates(ni.node);
    ni.removeNode();
    this.structureChanged = true;
    if (ni.pods.length === 0) this.nodes.delete(name);
  }

  nodeCount(): number {
    let n = 0;
    for (const ni of this.nodes.values()) if (ni.node) n++;
    return n;
  }

  podCount(): number {
    let n = 0;
    for (const ni of this.nodes.values()) n += ni.pods.length;
    return n;
  }

  private readonly hasImage = (name: string): boolean => this.imageStates.has(name);

  private cloneForSnapshot(ni: NodeInfo): NodeInfo {
    const s = ni.clone();
    for (const [img, st] of s.imageStates) {
      const global = this.imageStates.get(img);
      s.imageStates.set(img, { size: st.size, numNodes: global ? global.nodes.size : st.numNodes });
    }
    return s;
  }

  /**
   * Brings the snapshot up to date. The snapshot last updated from this cache is updated incrementally (only
   * changed nodes are cloned, in place); any other snapshot, or a change of the node set, rebuilds it.
   */
  updateSnapshot(snapshot: Snapshot): void {
    if (snapshot === this.lastSnapshot && !this.structureChanged) {
      for (const name of this.dirty) {
        const ni = this.nodes.get(name);
        if (!ni?.node) continue;
        const cur = snapshot.nodeInfoMap.get(name);
        if (cur && cur.generation === ni.generation) continue;
        if (!snapshot.replaceNodeInfo(this.cloneForSnapshot(ni))) this.structureChanged = true;
      }
    }
    if (snapshot !== this.lastSnapshot || this.structureChanged) {
      // Nodes are listed zone by zone in turn (upstream nodeTree), so the round-robin start index and the
      // share of nodes evaluated per cycle spread over zones.
      const byZone = new Map<string, NodeInfo[]>();
      for (const [name, ni] of this.nodes) {
        if (!ni.node) continue;
        const cur = snapshot.nodeInfoMap.get(name);
        const info = cur && cur.generation === ni.generation ? cur : this.cloneForSnapshot(ni);
        const z = zoneOf(ni.node);
        let list = byZone.get(z);
        if (!list) byZone.set(z, (list = []));
        list.push(info);
      }
      const zones = [...byZone.values()];
      const infos: NodeInfo[] = [];
      const total = zones.reduce((a, z) => a + z.length, 0);
      for (let i = 0; infos.length < total; i++) {
        for (const z of zones) if (i < z.length) infos.push(z[i]);
      }
      snapshot.setNodeInfos(infos);
    }
    this.dirty.clear();
    this.structureChanged = false;
    this.lastSnapshot = snapshot;
    snapshot.hasImage = this.hasImage;
    snapshot.generation++;
  }

  /** A fresh snapshot of the cache. */
  snapshot(): Snapshot {
    const s = new Snapshot();
    this.updateSnapshot(s);
    return s;
  }

  dump(): { nodes: string[]; assumedPods: string[] } {
    return {
      nodes: [...this.nodes.values()].filter((n) => n.node).map((n) => n.name),
      assumedPods: [...this.assumedPods].map((k) => podName(this.podStates.get(k)!.pod)),
    };
  }
}
