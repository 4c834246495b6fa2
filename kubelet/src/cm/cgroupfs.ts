// The cgroupfs driver (upstream libcontainer cgroupfs manager, as the kubelet uses it): creates,
// updates and removes cgroups by path in every cgroup v1 hierarchy, or in the unified cgroup v2
// hierarchy when the host runs v2 only. I/O only; which cgroups and what limits is decided elsewhere.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSharesToWeight, type ResourceConfig } from './pod-resources.ts';

export interface CgroupDriver {
  /** 'v1' (one hierarchy per controller) or 'v2' (unified). */
  readonly version: 'v1' | 'v2';
  /** Creates the cgroup (and its parents) where missing; returns the paths it created, outermost first. */
  create(name: string): string[];
  /** Writes the limits (only the fields that are set). */
  update(name: string, r: ResourceConfig): void;
  /** Removes the cgroup if it has no processes and no children; whether it is gone. */
  remove(name: string): boolean;
  /** Removes the cgroup and its descendants where they hold no processes; whether all is gone. */
  removeTree(name: string): boolean;
  exists(name: string): boolean;
  /** Base names of the child cgroups. */
  children(name: string): string[];
}

export interface CgroupMount { mountPoint: string; fsType: 'cgroup' | 'cgroup2'; controllers: string[] }

/** Parses /proc/self/mountinfo for cgroup mounts (v1 hierarchies and the v2 one). */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const [fsType, , superOpts = ''] = line.slice(sep + 3).split(' ');
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    const mountPoint = (pre[4] ?? '').replace(/\\040/g, ' ');
    const controllers = fsType === 'cgroup' ? superOpts.split(',').filter((o) => o !== 'rw' && o !== 'ro' && !o.startsWith('release_agent') && o !== 'clone_children' && o !== 'noprefix' && o !== 'xattr') : [];
    out.push({ mountPoint, fsType, controllers });
  }
  return out;
}

const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code;

function writeIfChanged(file: string, v: string): void {
  try { if (readFileSync(file, 'utf8').trim() === v) return; } catch { /* write below */ }
  writeFileSync(file, v);
}

export class CgroupfsDriver implements CgroupDriver {
  readonly version: 'v1' | 'v2';
  /** v1: controller → mount point; v2: '' → the unified mount. */
  private readonly mounts: Map<string, string>;

  constructor(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')) {
    const mounts = parseCgroupMounts(mountinfo);
    const v1 = mounts.filter((m) => m.fsType === 'cgroup' && m.controllers.length > 0);
    this.mounts = new Map();
    if (v1.length > 0) {
      this.version = 'v1';
      // A hierarchy shared by several controllers (cpu,cpuacct) is one directory tree: keep one key per mount point.
      const seen = new Set<string>();
      for (const m of v1) {
        if (seen.has(m.mountPoint)) continue;
        seen.add(m.mountPoint);
        this.mounts.set(m.controllers.join(','), m.mountPoint);
      }
      // Hybrid hosts: runc also places containers in the unified hierarchy (no controllers there),
      // creating their parents; pod cgroups must be created and removed there as well.
      const unified = mounts.find((m) => m.fsType === 'cgroup2');
      if (unified) this.mounts.set('unified', unified.mountPoint);
    } else {
      const v2 = mounts.find((m) => m.fsType === 'cgroup2');
      if (!v2) throw new Error('no cgroup hierarchy is mounted');
      this.version = 'v2';
      this.mounts.set('', v2.mountPoint);
    }
  }

  private dirs(name: string): { key: string; dir: string; mount: string }[] {
    return [...this.mounts].map(([key, mount]) => ({ key, mount, dir: join(mount, name) }));
  }

  private dirOf(controller: string, name: string): string | undefined {
    if (this.version === 'v2') return join(this.mounts.get('')!, name);
    for (const [key, mount] of this.mounts) if (key !== 'unified' && key.split(',').includes(controller)) return join(mount, name);
    return undefined;
  }

  create(name: string): string[] {
    const created: string[] = [];
    const parts = name.split('/').filter(Boolean);
    for (const { key, mount } of this.dirs(name)) {
      let dir = mount;
      for (const p of parts) {
        const parent = dir;
        dir = join(dir, p);
        if (existsSync(dir)) continue;
        if (this.version === 'v2') this.enableControllers(parent);
        try { mkdirSync(dir); } catch (err) { if (errCode(err) !== 'EEXIST') throw err; continue; }
        created.push(dir);
        // A new cpuset cgroup starts with no cpus/mems; no task can join it until they are copied down.
        if (key.split(',').includes('cpuset')) {
          for (const f of ['cpuset.cpus', 'cpuset.mems']) {
            const v = readFileSync(join(parent, f), 'utf8').trim();
            if (v) writeFileSync(join(dir, f), v);
          }
        }
      }
    }
    return created;
  }

  /** v2: a cgroup's children get cpu/memory/pids controllers only when the parent enables them. */
  private enableControllers(dir: string): void {
    const available = readFileSync(join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
    const enabled = readFileSync(join(dir, 'cgroup.subtree_control'), 'utf8').trim().split(/\s+/);
    const want = ['cpu', 'memory', 'pids'].filter((c) => available.includes(c) && !enabled.includes(c));
    if (want.length) writeFileSync(join(dir, 'cgroup.subtree_control'), want.map((c) => `+${c}`).join(' '));
  }

  update(name: string, r: ResourceConfig): void {
    const cpu = this.dirOf('cpu', name);
    const memory = this.dirOf('memory', name);
    if (this.version === 'v1') {
      if (cpu && r.cpuShares !== undefined) writeIfChanged(join(cpu, 'cpu.shares'), String(r.cpuShares));
      if (cpu && r.cpuPeriod !== undefined) writeIfChanged(join(cpu, 'cpu.cfs_period_us'), String(r.cpuPeriod));
      if (cpu && r.cpuQuota !== undefined) writeIfChanged(join(cpu, 'cpu.cfs_quota_us'), String(r.cpuQuota === 0 ? -1 : r.cpuQuota));
      if (memory && r.memory !== undefined) writeIfChanged(join(memory, 'memory.limit_in_bytes'), String(r.memory <= 0 ? -1 : r.memory));
      return;
    }
    if (cpu && r.cpuShares !== undefined) writeIfChanged(join(cpu, 'cpu.weight'), String(cpuSharesToWeight(r.cpuShares)));
    if (cpu && (r.cpuQuota !== undefined || r.cpuPeriod !== undefined)) {
      const quota = r.cpuQuota === undefined || r.cpuQuota <= 0 ? 'max' : String(r.cpuQuota);
      writeIfChanged(join(cpu, 'cpu.max'), `${quota} ${r.cpuPeriod ?? 100_000}`);
    }
    if (memory && r.memory !== undefined) writeIfChanged(join(memory, 'memory.max'), r.memory <= 0 ? 'max' : String(r.memory));
  }

  remove(name: string): boolean {
    let gone = true;
    for (const { dir } of this.dirs(name)) {
      try { rmdirSync(dir); } catch (err) { if (errCode(err) !== 'ENOENT') gone = false; }
    }
    return gone;
  }

  /** Removes the cgroup and everything below it, deepest first, where empty of processes; whether all is gone. */
  removeTree(name: string): boolean {
    let gone = true;
    for (const child of this.children(name)) if (!this.removeTree(`${name.replace(/\/$/, '')}/${child}`)) gone = false;
    return this.remove(name) && gone;
  }

  exists(name: string): boolean {
    return this.dirs(name).some(({ dir }) => existsSync(dir));
  }

  children(name: string): string[] {
    const out = new Set<string>();
    for (const { dir } of this.dirs(name)) {
      try { for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.add(e.name); } catch { /* not in this hierarchy */ }
    }
    return [...out];
  }
}

/**
 * Removes a node's whole cgroup tree (--cgroup-root) where no process is left in it: for node
 * teardown after the runtime is stopped, when the kubelet's own stop had to leave pod cgroups.
 */
export function removeNodeCgroups(cgroupRoot: string, driver: CgroupDriver = new CgroupfsDriver()): boolean {
  if (!cgroupRoot || cgroupRoot === '/') throw new Error('refusing to remove the root cgroup');
  return driver.removeTree(cgroupRoot);
}
