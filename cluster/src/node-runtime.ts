// A node's containerd as a daemon that outlives `k8ts up` (startContainerd in containerd.ts ties the
// process and its log pipe to the caller), and the cleanup `down` runs for it after its pid is gone:
// containers left in its runc root, shims serving its socket, mounts under its directory.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { writeRuntimeConfig } from '@k8ts/kubelet/runtime-config/index.ts';
import { containerdPaths, type ContainerdPaths } from '@k8ts/kubelet/runtime-config/containerd.ts';
import { mountsUnder, shimPids } from './containerd.ts';
import { startProcess } from './process.ts';
import { run } from './images/run.ts';
import { mirroredRegistries } from './images/catalog.ts';
import type { NodePlan } from './net/plan.ts';

export interface NodeContainerd { pid: number; socket: string; paths: ContainerdPaths; command: ProcessCommand }

/** How a recorded process was started (so it can be started again, e.g. by `start-node`). */
export interface ProcessCommand { cmd: string; args: string[]; logFile: string; cwd?: string; env?: Record<string, string> }

/** `nsenter --net` only (not `ip netns exec`, which remounts /sys and hides the cgroup mounts from runc). */
export function inNetns(netns: string, cmd: string, args: string[]): { cmd: string; args: string[] } {
  return { cmd: 'nsenter', args: [`--net=/var/run/netns/${netns}`, '--', cmd, ...args] };
}

export function launch(c: ProcessCommand): number {
  const p = startProcess(c.cmd, { args: c.args, logFile: c.logFile, cwd: c.cwd, daemon: true, env: c.env ? { ...process.env, ...c.env } : undefined });
  if (p.pid < 0) throw new Error(`could not start ${c.cmd}`);
  return p.pid;
}

export async function startNodeContainerd(o: { dir: string; node: NodePlan; mirrorUrl: string; logFile: string; timeoutMs?: number }): Promise<NodeContainerd> {
  const paths = writeRuntimeConfig(o.dir, {
    mirrors: { hosts: mirroredRegistries, url: o.mirrorUrl },
    cni: { name: `k8ts-${o.node.name}`, podCidr: o.node.podCidr },
    streamServerAddress: o.node.address,
  });
  const bin = process.env.K8TS_CONTAINERD ?? 'containerd';
  const command = { ...inNetns(o.node.netns, bin, ['--config', paths.config]), logFile: o.logFile };
  const pid = launch(command);
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  while (!(existsSync(paths.socket) && (await canConnect(paths.socket)))) {
    if (!alive(pid)) throw new Error(`containerd of ${o.node.name} exited while starting; see ${o.logFile}`);
    if (Date.now() > deadline) throw new Error(`containerd of ${o.node.name} did not listen on ${paths.socket}; see ${o.logFile}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid, socket: paths.socket, paths, command };
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function canConnect(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

const cniResultsDir = '/var/lib/cni/results';

/** After the node's containerd has exited: kill its containers and shims, unmount what it left. */
export async function cleanupNodeContainerd(dir: string): Promise<void> {
  const p = containerdPaths(dir);
  const ids: string[] = [];
  if (existsSync(p.runcRoot)) {
    for (const ns of readdirSync(p.runcRoot)) {
      for (const id of readdirSync(join(p.runcRoot, ns))) {
        ids.push(id);
        await run('runc', ['--root', join(p.runcRoot, ns), 'delete', '--force', id]).catch(() => undefined);
      }
    }
  }
  if (ids.length > 0 && existsSync(cniResultsDir)) {
    for (const f of readdirSync(cniResultsDir)) if (ids.some((id) => f.includes(`-${id}-`))) rmSync(join(cniResultsDir, f), { force: true });
  }
  for (const pid of shimPids(p.socket)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
  for (const m of mountsUnder(dir)) await run('umount', ['-l', m]).catch(() => undefined);
}
