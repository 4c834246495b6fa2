// Runs one node's containerd (Debian's containerd 1.6 with its CRI plugin) with a generated config,
// optionally inside the node's network namespace (in the caller's mount namespace), and on stop cleans
// what it leaves behind: remaining containers (via runc), shims and their sockets, libcni result
// cache entries, mounts under its directory, the directory itself.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRuntimeConfig, type RuntimeConfigOptions } from '@k8ts/kubelet/runtime-config/index.ts';
import type { ContainerdPaths } from '@k8ts/kubelet/runtime-config/containerd.ts';
import { logTail, startProcess, type Managed } from './process.ts';
import { run } from './images/run.ts';

export interface ContainerdOptions extends RuntimeConfigOptions {
  /** Base directory (config, root, state, socket). A temporary one, removed on stop, when absent. */
  dir?: string;
  /**
   * Network namespace (an `ip netns` name) to run in; the root namespace when absent. Entered with
   * `nsenter --net` only: `ip netns exec` would also give containerd a private mount namespace with
   * /sys remounted, which hides the cgroup mounts and makes runc fail ("no cgroup mount found in mountinfo").
   */
  netns?: string;
  startTimeoutMs?: number;
}

export interface Containerd {
  /** Path of the CRI/gRPC unix socket. */
  socket: string;
  paths: ContainerdPaths;
  process: Managed;
  logFile: string;
  /** Stops containerd, kills containers and shims it left, unmounts and (if temporary) removes its dir. */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

export async function startContainerd(o: ContainerdOptions = {}): Promise<Containerd> {
  const temporary = !o.dir;
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'k8ts-ctrd-'));
  const paths = writeRuntimeConfig(dir, o);
  if (Buffer.byteLength(paths.socket) > 100) throw new Error(`containerd socket path too long for a unix socket: ${paths.socket}`);
  const logFile = join(dir, 'containerd.log');
  const bin = process.env.K8TS_CONTAINERD ?? 'containerd';
  const cmd = o.netns ? ['nsenter', `--net=/var/run/netns/${o.netns}`, '--', bin] : [bin];
  const proc = startProcess(cmd[0]!, { args: [...cmd.slice(1), '--config', paths.config], logFile });

  let stopped = false;
  const containerd: Containerd = {
    socket: paths.socket, paths, process: proc, logFile,
    async stop(opts = {}) {
      if (stopped) return;
      stopped = true;
      await proc.stop(10_000);
      await cleanupLeftovers(paths);
      if (temporary && !opts.keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForSocket(paths.socket, proc, logFile, o.startTimeoutMs ?? 30_000);
  } catch (err) {
    await containerd.stop({ keepDir: true });
    throw err;
  }
  return containerd;
}

async function waitForSocket(socket: string, proc: Managed, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited()) throw new Error(`containerd exited while starting: ${logTail(logFile)}`);
    if (existsSync(socket) && (await canConnect(socket))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`containerd did not listen on ${socket} within ${timeoutMs} ms: ${logTail(logFile)}`);
}

function canConnect(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

const cniResultsDir = '/var/lib/cni/results';

/** Containers (runc), shims and mounts a stopped containerd may leave behind. */
async function cleanupLeftovers(p: ContainerdPaths): Promise<void> {
  // 1. Containers still known to this node's runc root: kill and delete them by id.
  const ids: string[] = [];
  if (existsSync(p.runcRoot)) {
    for (const ns of readdirSync(p.runcRoot)) {
      const root = join(p.runcRoot, ns);
      for (const id of readdirSync(root)) {
        ids.push(id);
        await run('runc', ['--root', root, 'delete', '--force', id]).catch(() => undefined);
      }
    }
  }
  // libcni's result cache (shared, keyed <network>-<sandbox id>-<ifname>) of sandboxes never torn down.
  if (ids.length > 0 && existsSync(cniResultsDir)) {
    for (const f of readdirSync(cniResultsDir)) {
      if (ids.some((id) => f.includes(`-${id}-`))) rmSync(join(cniResultsDir, f), { force: true });
    }
  }
  // 2. Shims serving this containerd (their command line names our socket), and their sockets
  //    (containerd 1.6: /run/containerd/s/<hex sha256 of "<containerd address>/<namespace>/<shim id>">).
  for (const shim of shims(p.socket)) {
    try { process.kill(shim.pid, 'SIGKILL'); } catch { /* already gone */ }
    const hash = createHash('sha256').update(`${p.socket}/${shim.namespace}/${shim.id}`).digest('hex');
    rmSync(join(shimSocketDir, hash), { force: true });
  }
  // 3. Mounts under the node's directory (overlay rootfs, sandbox shm), deepest first.
  for (const m of mountsUnder(p.dir)) {
    await run('umount', ['-l', m]).catch(() => undefined);
  }
}

const shimSocketDir = '/run/containerd/s';

interface Shim { pid: number; id: string; namespace: string }

/** The containerd shims serving the containerd listening on socket. */
function shims(socket: string): Shim[] {
  const found: Shim[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!args[0]?.includes('containerd-shim') || !args.includes(socket)) continue;
      const flag = (name: string) => args[args.indexOf(name) + 1] ?? '';
      found.push({ pid: Number(entry), id: flag('-id'), namespace: flag('-namespace') });
    } catch { /* exited meanwhile */ }
  }
  return found;
}

/** Pids of the containerd shims serving the containerd listening on socket. */
export function shimPids(socket: string): number[] {
  return shims(socket).map((s) => s.pid);
}

/** Mount points at or below dir in this process's mount namespace, deepest first. */
export function mountsUnder(dir: string): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m)
    .map((m) => m.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}
