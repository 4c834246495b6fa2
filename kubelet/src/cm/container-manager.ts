// The kubelet's cgroup side (upstream pkg/kubelet/cm containerManager with --cgroups-per-qos):
// at start the node's QoS cgroups (<root>/kubepods with its cpu shares and memory limit from the
// node's capacity, burstable, besteffort with minimal shares); per pod a pod<uid> cgroup under its
// QoS class with the pod's limits, which becomes the sandbox's cgroup parent; removal of pod
// cgroups once their pods are gone; on stop, removal of the node's cgroups that are empty.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Logger } from '@k8ts/client';
import type { CgroupDriver } from './cgroupfs.ts';
import { podCgroupName, podUidOfCgroup, qosCgroupNames, type QOSCgroupNames } from './cgroup-name.ts';
import { milliCpuToShares, minShares, podCpuRequestMilli, resourceConfigForPod, type ResourceConfig } from './pod-resources.ts';
import { getPodQOS } from './qos.ts';

export interface ContainerManagerOptions {
  driver: CgroupDriver;
  /** --cgroup-root: the node's cgroups go below it. */
  cgroupRoot: string;
  nodeCpuMilli: number;
  nodeMemoryBytes: number;
  log: Logger;
}

export class ContainerManager {
  readonly names: QOSCgroupNames;
  private readonly o: ContainerManagerOptions;
  /** uid → [cgroup name, resources last written, cpu request of a Burstable pod]. */
  private readonly pods = new Map<string, { name: string; config: string; burstableMilli: number }>();
  private burstableShares = -1;

  constructor(o: ContainerManagerOptions) {
    this.o = o;
    this.names = qosCgroupNames(o.cgroupRoot);
  }

  /** Creates the node's QoS cgroups (upstream setupNode + qosContainerManager.Start). */
  start(): void {
    const { driver } = this.o;
    for (const n of [this.names.root, this.names.kubepods, this.names.burstable, this.names.besteffort]) driver.create(n);
    driver.update(this.names.kubepods, { cpuShares: milliCpuToShares(this.o.nodeCpuMilli), memory: this.o.nodeMemoryBytes });
    driver.update(this.names.besteffort, { cpuShares: minShares });
    this.updateBurstable();
    this.o.log.info({ cgroupRoot: this.names.root, driver: `cgroupfs (${driver.version})` }, 'QoS cgroups ready');
  }

  /** The pod's cgroup name (the sandbox's cgroup parent). */
  podCgroup(pod: Pod): string {
    return podCgroupName(this.names, getPodQOS(pod), pod.metadata?.uid ?? '');
  }

  /** Creates the pod's cgroup and applies its limits (upstream podContainerManager.EnsureExists); returns its name. */
  ensurePod(pod: Pod): string {
    const uid = pod.metadata?.uid ?? '';
    const name = this.podCgroup(pod);
    const r: ResourceConfig = resourceConfigForPod(pod);
    const config = JSON.stringify(r);
    const known = this.pods.get(uid);
    if (known?.name === name && known.config === config && this.o.driver.exists(name)) return name;
    this.o.driver.create(name);
    this.o.driver.update(name, r);
    this.pods.set(uid, { name, config, burstableMilli: getPodQOS(pod) === 'Burstable' ? podCpuRequestMilli(pod) : 0 });
    this.updateBurstable();
    return name;
  }

  /** Removes the pod's cgroup (its containers must be gone); whether it is gone. */
  removePod(uid: string): boolean {
    const known = this.pods.get(uid);
    const candidates = known ? [known.name] : this.podCgroupsOnNode().filter((c) => c.uid === uid).map((c) => c.name);
    let gone = true;
    for (const n of candidates) if (!this.o.driver.remove(n)) gone = false;
    if (gone) { this.pods.delete(uid); this.updateBurstable(); }
    return gone;
  }

  /** Pod cgroups found under the QoS cgroups. */
  podCgroupsOnNode(): { uid: string; name: string }[] {
    const out: { uid: string; name: string }[] = [];
    for (const parent of [this.names.kubepods, this.names.burstable, this.names.besteffort]) {
      for (const base of this.o.driver.children(parent)) {
        const uid = podUidOfCgroup(base);
        if (uid) out.push({ uid, name: `${parent}/${base}` });
      }
    }
    return out;
  }

  /** Removes the cgroups of pods for which keep() is false (upstream cleanupOrphanedPodCgroups). */
  cleanupOrphans(keep: (uid: string) => boolean): void {
    for (const { uid } of this.podCgroupsOnNode()) {
      if (keep(uid)) continue;
      if (this.removePod(uid)) this.o.log.info({ uid }, 'removed the cgroup of a pod that is gone');
    }
  }

  /** Burstable's cpu shares follow the sum of its pods' cpu requests (upstream qosContainerManager.UpdateCgroups). */
  private updateBurstable(): void {
    let milli = 0;
    for (const p of this.pods.values()) milli += p.burstableMilli;
    const shares = milliCpuToShares(milli);
    if (shares === this.burstableShares) return;
    this.o.driver.update(this.names.burstable, { cpuShares: shares });
    this.burstableShares = shares;
  }

  /**
   * Removes the node's QoS cgroups and its cgroup root (owned by this kubelet: --cgroup-root), innermost
   * first, where empty. Cgroups still holding pods stay: those keep running across kubelet restarts.
   */
  stop(): void {
    for (const n of [this.names.besteffort, this.names.burstable, this.names.kubepods, this.names.root]) {
      if (n !== '/') this.o.driver.remove(n);
    }
  }
}
