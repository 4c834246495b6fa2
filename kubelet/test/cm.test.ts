// QoS classes, pod cgroup resources and names, cgroup mount parsing, and the container manager's
// cgroup lifecycle against an in-memory driver.
import { describe, it, expect } from 'vitest';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { silentLogger } from '@k8ts/client';
import { computePodQOS, getPodQOS } from '../src/cm/qos.ts';
import { cpuSharesToWeight, milliCpuToQuota, milliCpuToShares, resourceConfigForPod, type ResourceConfig } from '../src/cm/pod-resources.ts';
import { podCgroupName, qosCgroupNames } from '../src/cm/cgroup-name.ts';
import { parseCgroupMounts, removeNodeCgroups, type CgroupDriver } from '../src/cm/cgroupfs.ts';
import { ContainerManager } from '../src/cm/container-manager.ts';

const c = (name: string, requests?: Record<string, string>, limits?: Record<string, string>): Container =>
  ({ name, image: 'busybox', resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });
const pod = (containers: Container[], initContainers: Container[] = [], uid = 'u1'): Pod =>
  ({ metadata: { name: 'p', namespace: 'default', uid }, spec: { containers, initContainers } });

describe('QoS class (upstream ComputePodQOS)', () => {
  it('BestEffort without cpu/memory requests or limits (other resources do not count)', () => {
    expect(computePodQOS(pod([c('a'), c('b', { 'ephemeral-storage': '1Gi' })]))).toBe('BestEffort');
    expect(computePodQOS(pod([c('a', { cpu: '0' })]))).toBe('BestEffort');
  });
  it('Guaranteed when every container limits cpu and memory and requests equal limits', () => {
    expect(computePodQOS(pod([c('a', { cpu: '100m', memory: '64Mi' }, { cpu: '0.1', memory: '64Mi' })]))).toBe('Guaranteed');
    // Requests default to limits.
    expect(computePodQOS(pod([c('a', undefined, { cpu: '1', memory: '1Gi' }), c('b', undefined, { cpu: '2', memory: '1G' })]))).toBe('Guaranteed');
    expect(computePodQOS(pod([c('a', undefined, { cpu: '1', memory: '1Gi' })], [c('i', undefined, { cpu: '1', memory: '1Gi' })]))).toBe('Guaranteed');
  });
  it('Burstable otherwise', () => {
    expect(computePodQOS(pod([c('a', { cpu: '100m' })]))).toBe('Burstable');
    expect(computePodQOS(pod([c('a', undefined, { cpu: '1' })]))).toBe('Burstable');
    expect(computePodQOS(pod([c('a', { cpu: '100m', memory: '64Mi' }, { cpu: '200m', memory: '64Mi' })]))).toBe('Burstable');
    expect(computePodQOS(pod([c('a', undefined, { cpu: '1', memory: '1Gi' }), c('b')]))).toBe('Burstable');
    expect(computePodQOS(pod([c('a', undefined, { cpu: '1', memory: '1Gi' })], [c('i', { cpu: '1' })]))).toBe('Burstable');
  });
  it('status.qosClass wins once set', () => {
    expect(getPodQOS({ ...pod([c('a')]), status: { qosClass: 'Burstable' } })).toBe('Burstable');
  });
});

describe('pod cgroup resources (upstream ResourceConfigForPod)', () => {
  it('converts cpu to shares, quota and cgroup v2 weight as upstream', () => {
    expect(milliCpuToShares(0)).toBe(2);
    expect(milliCpuToShares(1)).toBe(2);
    expect(milliCpuToShares(100)).toBe(102);
    expect(milliCpuToShares(1000)).toBe(1024);
    expect(milliCpuToShares(1_000_000)).toBe(262144);
    expect(milliCpuToQuota(0)).toBe(0);
    expect(milliCpuToQuota(5)).toBe(1000);
    expect(milliCpuToQuota(250)).toBe(25000);
    expect(cpuSharesToWeight(2)).toBe(1);
    expect(cpuSharesToWeight(1024)).toBe(39);
    expect(cpuSharesToWeight(262144)).toBe(10000);
  });
  it('Guaranteed: shares, quota and memory from the summed containers (init containers as a max)', () => {
    const p = pod([c('a', undefined, { cpu: '250m', memory: '64Mi' }), c('b', undefined, { cpu: '250m', memory: '64Mi' })], [c('i', undefined, { cpu: '1', memory: '32Mi' })]);
    expect(resourceConfigForPod(p)).toEqual({ cpuShares: 1024, cpuQuota: 100000, cpuPeriod: 100000, memory: 128 * 1024 * 1024 });
  });
  it('Burstable: a limit only when every container declares it', () => {
    expect(resourceConfigForPod(pod([c('a', { cpu: '100m', memory: '32Mi' }, { memory: '64Mi' })]))).toEqual({ cpuShares: 102, memory: 64 * 1024 * 1024 });
    expect(resourceConfigForPod(pod([c('a', { cpu: '100m' }, { cpu: '200m', memory: '64Mi' }), c('b')]))).toEqual({ cpuShares: 102 });
  });
  it('BestEffort: minimal shares', () => {
    expect(resourceConfigForPod(pod([c('a')]))).toEqual({ cpuShares: 2 });
  });
});

describe('cgroup names', () => {
  it('places pods per QoS class below the node root', () => {
    const n = qosCgroupNames('/k8ts-node-a');
    expect(n).toEqual({ root: '/k8ts-node-a', kubepods: '/k8ts-node-a/kubepods', burstable: '/k8ts-node-a/kubepods/burstable', besteffort: '/k8ts-node-a/kubepods/besteffort' });
    expect(podCgroupName(n, 'Guaranteed', 'abc')).toBe('/k8ts-node-a/kubepods/podabc');
    expect(podCgroupName(n, 'Burstable', 'abc')).toBe('/k8ts-node-a/kubepods/burstable/podabc');
    expect(podCgroupName(n, 'BestEffort', 'abc')).toBe('/k8ts-node-a/kubepods/besteffort/podabc');
    expect(podCgroupName(qosCgroupNames('/'), 'Guaranteed', 'x')).toBe('/kubepods/podx');
  });
  it('finds v1 hierarchies and the v2 mount in mountinfo', () => {
    const mi = [
      '25 21 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
      '26 25 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
      '27 25 0:24 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
      '28 25 0:25 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
      '29 25 0:26 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
    ].join('\n');
    expect(parseCgroupMounts(mi)).toEqual([
      { mountPoint: '/sys/fs/cgroup/cpu', fsType: 'cgroup', controllers: ['cpu'] },
      { mountPoint: '/sys/fs/cgroup/memory', fsType: 'cgroup', controllers: ['memory'] },
      { mountPoint: '/sys/fs/cgroup/systemd', fsType: 'cgroup', controllers: ['name=systemd'] },
      { mountPoint: '/sys/fs/cgroup/unified', fsType: 'cgroup2', controllers: [] },
    ]);
  });
});

/** cgroups as a set of paths with limits; a cgroup with children or marked busy cannot be removed. */
class MemoryDriver implements CgroupDriver {
  readonly version = 'v1' as const;
  readonly groups = new Map<string, ResourceConfig>();
  readonly busy = new Set<string>();
  constructor(existing: string[] = []) { for (const e of existing) this.groups.set(e, {}); }
  create(name: string): string[] {
    const out: string[] = [];
    let p = '';
    for (const part of name.split('/').filter(Boolean)) { p += `/${part}`; if (!this.groups.has(p)) { this.groups.set(p, {}); out.push(p); } }
    return out;
  }
  update(name: string, r: ResourceConfig): void { this.groups.set(name, { ...this.groups.get(name), ...r }); }
  remove(name: string): boolean {
    if (this.busy.has(name) || this.children(name).length > 0) return false;
    this.groups.delete(name);
    return true;
  }
  removeTree(name: string): boolean {
    for (const c of this.children(name)) this.removeTree(`${name}/${c}`);
    return this.remove(name);
  }
  exists(name: string): boolean { return this.groups.has(name); }
  children(name: string): string[] { return [...this.groups.keys()].filter((k) => k.startsWith(`${name}/`) && !k.slice(name.length + 1).includes('/')).map((k) => k.slice(name.length + 1)); }
}

describe('container manager', () => {
  const guaranteed = pod([c('a', undefined, { cpu: '500m', memory: '128Mi' })], [], 'g1');
  const burstable = (uid: string, cpu: string) => pod([c('a', { cpu })], [], uid);

  it('creates the QoS cgroups with node limits, pod cgroups per class, and removes only what it created when empty', () => {
    const d = new MemoryDriver();
    const cm = new ContainerManager({ driver: d, cgroupRoot: '/k8ts-n1', nodeCpuMilli: 2000, nodeMemoryBytes: 4 << 30, log: silentLogger() });
    cm.start();
    expect(d.groups.get('/k8ts-n1/kubepods')).toEqual({ cpuShares: 2048, memory: 4 << 30 });
    expect(d.groups.get('/k8ts-n1/kubepods/besteffort')).toEqual({ cpuShares: 2 });
    expect(d.groups.get('/k8ts-n1/kubepods/burstable')).toEqual({ cpuShares: 2 });

    expect(cm.ensurePod(guaranteed)).toBe('/k8ts-n1/kubepods/podg1');
    expect(d.groups.get('/k8ts-n1/kubepods/podg1')).toEqual({ cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000, memory: 128 * 1024 * 1024 });
    expect(cm.ensurePod(burstable('b1', '300m'))).toBe('/k8ts-n1/kubepods/burstable/podb1');
    expect(cm.ensurePod(burstable('b2', '200m'))).toBe('/k8ts-n1/kubepods/burstable/podb2');
    expect(d.groups.get('/k8ts-n1/kubepods/burstable')!.cpuShares).toBe(512);
    expect(cm.ensurePod(pod([c('a')], [], 'e1'))).toBe('/k8ts-n1/kubepods/besteffort/pode1');

    expect(cm.removePod('b1')).toBe(true);
    expect(d.exists('/k8ts-n1/kubepods/burstable/podb1')).toBe(false);
    expect(d.groups.get('/k8ts-n1/kubepods/burstable')!.cpuShares).toBe(204);

    // Orphans: cgroups of pods nobody keeps go (also those found on disk from an earlier run).
    d.create('/k8ts-n1/kubepods/besteffort/podold');
    cm.cleanupOrphans((uid) => uid === 'g1');
    expect(cm.podCgroupsOnNode().map((p) => p.uid)).toEqual(['g1']);

    // Stop with a pod still there: only the empty QoS cgroups go.
    cm.stop();
    expect(d.exists('/k8ts-n1/kubepods/podg1')).toBe(true);
    expect(d.exists('/k8ts-n1/kubepods/burstable')).toBe(false);
    expect(d.exists('/k8ts-n1/kubepods/besteffort')).toBe(false);
    expect(d.exists('/k8ts-n1/kubepods')).toBe(true);
    cm.removePod('g1');
    cm.stop();
    expect(d.groups.size).toBe(0);
  });

  it('removes the whole node tree on stop once empty, never anything outside its root', () => {
    const d = new MemoryDriver(['/other', '/k8ts-n2', '/k8ts-n2/kubepods']);
    const cm = new ContainerManager({ driver: d, cgroupRoot: '/k8ts-n2', nodeCpuMilli: 1000, nodeMemoryBytes: 1 << 30, log: silentLogger() });
    cm.start();
    cm.stop();
    expect([...d.groups.keys()].sort()).toEqual(['/other']);
    const top = new ContainerManager({ driver: d, cgroupRoot: '/', nodeCpuMilli: 1000, nodeMemoryBytes: 1 << 30, log: silentLogger() });
    top.start();
    expect(d.exists('/kubepods/burstable')).toBe(true);
    top.stop();
    expect([...d.groups.keys()].sort()).toEqual(['/other']);
  });

  it('node teardown removes the whole tree except where processes remain', () => {
    const d = new MemoryDriver();
    const cm = new ContainerManager({ driver: d, cgroupRoot: '/k8ts-n3', nodeCpuMilli: 1000, nodeMemoryBytes: 1 << 30, log: silentLogger() });
    cm.start();
    cm.ensurePod(guaranteed);
    cm.ensurePod(burstable('b1', '100m'));
    d.create('/k8ts-n3/kubepods/burstable/podb1/ctr');
    d.busy.add('/k8ts-n3/kubepods/podg1');
    expect(removeNodeCgroups('/k8ts-n3', d)).toBe(false);
    expect([...d.groups.keys()].sort()).toEqual(['/k8ts-n3', '/k8ts-n3/kubepods', '/k8ts-n3/kubepods/podg1']);
    d.busy.clear();
    expect(removeNodeCgroups('/k8ts-n3', d)).toBe(true);
    expect(d.groups.size).toBe(0);
    expect(() => removeNodeCgroups('/', d)).toThrow();
  });

  it('a busy pod cgroup stays until it can go', () => {
    const d = new MemoryDriver();
    const cm = new ContainerManager({ driver: d, cgroupRoot: '/r', nodeCpuMilli: 1000, nodeMemoryBytes: 1 << 30, log: silentLogger() });
    cm.start();
    cm.ensurePod(guaranteed);
    d.busy.add('/r/kubepods/podg1');
    expect(cm.removePod('g1')).toBe(false);
    d.busy.clear();
    cm.cleanupOrphans(() => false);
    expect(d.exists('/r/kubepods/podg1')).toBe(false);
  });
});
