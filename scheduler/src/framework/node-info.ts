import type { Node, Pod, Taint } from 'kubernetes-types/core/v1';
import { Resource } from './resource.ts';
import { HostPortInfo, podHostPorts } from './host-ports.ts';
import { PodInfo, hasAffinity, hasRequiredAntiAffinity, podKey } from './pod-info.ts';

/** Size of an image and on how many nodes it is present (upstream ImageStateSummary). */
export interface ImageStateSummary {
  size: number;
  numNodes: number;
}

let generationCounter = 0;
export function nextGeneration(): number {
  return ++generationCounter;
}

/** How a scoring resource is read from a NodeInfo: cpu and memory from its fields, the rest by name. */
export type ResourceField = 'cpu' | 'memory' | 'other';

export function resourceField(name: string): ResourceField {
  return name === 'cpu' || name === 'memory' ? name : 'other';
}

export function allocatableOf(ni: NodeInfo, f: ResourceField, name: string): number {
  return f === 'cpu' ? ni.allocMilliCPU : f === 'memory' ? ni.allocMemory : ni.allocatable.get(name);
}

export function requestedOf(ni: NodeInfo, f: ResourceField, name: string): number {
  return f === 'cpu' ? ni.reqMilliCPU : f === 'memory' ? ni.reqMemory : ni.requested.get(name);
}

export function nonZeroRequestedOf(ni: NodeInfo, f: ResourceField, name: string): number {
  return f === 'cpu' ? ni.nonZeroMilliCPU : f === 'memory' ? ni.nonZeroMemory : ni.nonZeroRequested.get(name);
}

/** Node-level aggregated information (upstream framework.NodeInfo). */
export class NodeInfo {
  /** The node; set through setNode/removeNode, which keep `name`, `unschedulable` and `taints` in step. */
  private _node: Node | null = null;
  /** The node's name ('' without a node), kept as a field: it is read for every node of every cycle. */
  name = '';
  /** node.spec.unschedulable and node.spec.taints, as fields for the same reason. */
  unschedulable = false;
  taints: Taint[] | undefined = undefined;
  /**
   * The numbers every Filter and Score cycle reads for every node, as fields of this object, kept in step with
   * allocatable, requested, nonZeroRequested and pods. Read through those, they are several objects apart in
   * memory; across 5,000 nodes each hop is a cache miss that costs more than the arithmetic.
   */
  allocMilliCPU = 0;
  allocMemory = 0;
  allocEphemeral = 0;
  allowedPods = 0;
  reqMilliCPU = 0;
  reqMemory = 0;
  reqEphemeral = 0;
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  numPods = 0;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts = new HostPortInfo();
  /** Sum of the requests of all pods on the node (incl. assumed ones). */
  requested = new Resource();
  /** Same with 100m/200Mi counted for containers without cpu/memory requests (for scoring). */
  nonZeroRequested = new Resource();
  allocatable = new Resource();
  imageStates = new Map<string, ImageStateSummary>();
  generation = nextGeneration();

  constructor(node?: Node | null, ...pods: Pod[]) {
    if (node) this.setNode(node);
    for (const p of pods) this.addPod(p);
  }

  get node(): Node | null {
    return this._node;
  }

  set node(n: Node | null) {
    this._node = n;
    this.name = n?.metadata?.name ?? '';
    this.unschedulable = !!n?.spec?.unschedulable;
    const t = n?.spec?.taints;
    this.taints = t && t.length > 0 ? t : undefined;
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = Resource.fromList(node.status?.allocatable as Record<string, string>);
    this.syncAmounts();
    this.generation = nextGeneration();
  }

  private syncAmounts(): void {
    this.allocMilliCPU = this.allocatable.milliCPU;
    this.allocMemory = this.allocatable.memory;
    this.allocEphemeral = this.allocatable.ephemeralStorage;
    this.allowedPods = this.allocatable.allowedPodNumber;
    this.reqMilliCPU = this.requested.milliCPU;
    this.reqMemory = this.requested.memory;
    this.reqEphemeral = this.requested.ephemeralStorage;
    this.nonZeroMilliCPU = this.nonZeroRequested.milliCPU;
    this.nonZeroMemory = this.nonZeroRequested.memory;
    this.numPods = this.pods.length;
  }

  removeNode(): void {
    this.node = null;
    this.generation = nextGeneration();
  }

  addPod(pod: Pod): void {
    this.addPodInfo(new PodInfo(pod));
  }

  addPodInfo(pi: PodInfo): void {
    this.pods.push(pi);
    if (hasAffinity(pi.pod)) this.podsWithAffinity.push(pi);
    if (hasRequiredAntiAffinity(pi.pod)) this.podsWithRequiredAntiAffinity.push(pi);
    this.update(pi, 1);
  }

  /** Removes the pod with the same key; returns false if it was not on this node. */
  removePod(pod: Pod): boolean {
    const key = podKey(pod);
    const i = this.pods.findIndex((p) => podKey(p.pod) === key);
    if (i < 0) return false;
    const [pi] = this.pods.splice(i, 1);
    const drop = (arr: PodInfo[]) => {
      const j = arr.findIndex((p) => podKey(p.pod) === key);
      if (j >= 0) arr.splice(j, 1);
    };
    drop(this.podsWithAffinity);
    drop(this.podsWithRequiredAntiAffinity);
    this.update(pi, -1);
    return true;
  }

  private update(pi: PodInfo, sign: 1 | -1): void {
    this.requested.add(pi.requests, sign);
    this.nonZeroRequested.add(pi.nonZeroRequests, sign);
    for (const hp of podHostPorts(pi.pod)) {
      if (sign > 0) this.usedPorts.add(hp);
      else this.usedPorts.remove(hp);
    }
    this.syncAmounts();
    this.generation = nextGeneration();
  }

  /** A copy that can be changed without affecting this one (PodInfos are shared, they are immutable). */
  clone(): NodeInfo {
    const c = new NodeInfo();
    c.node = this.node;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.usedPorts = this.usedPorts.clone();
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    c.allocatable = this.allocatable.clone();
    c.syncAmounts();
    c.imageStates = new Map(this.imageStates);
    c.generation = this.generation;
    return c;
  }
}
