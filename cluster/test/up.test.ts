// `k8ts up` / `down` for real (without a kubelet in this checkout, nodes are network namespaces with
// their containerd): idempotent up, a crashed up cleaned by the next, down leaving nothing behind.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { createServer } from 'node:net';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectCri } from '@k8ts/kubelet/cri/client.ts';
import { up, down, isHealthy, type UpResult } from '../src/up.ts';
import { alive, readState } from '../src/state.ts';
import { observeNetwork } from '../src/net/index.ts';
import { mountsUnder } from '../src/containerd.ts';
import { loadImage } from '../src/node-ops.ts';
import { ensureImages } from '../src/images/index.ts';
import { run } from '../src/images/run.ts';

// Ports the test hands out before the real freePort: 'real' for a real pick (on 127.0.0.1).
const picks = vi.hoisted(() => [] as (number | 'real')[]);
vi.mock('../src/ports.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/ports.ts')>();
  return {
    ...real,
    freePort: async (host = '127.0.0.1') => {
      const next = host === '127.0.0.1' ? picks.shift() : undefined;
      return typeof next === 'number' ? next : real.freePort(host);
    },
  };
});

const cliPath = join(import.meta.dirname, '../src/cli.ts');
const home = mkdtempSync(join(tmpdir(), 'k8ts-up-test-'));
const name = `ut-${randomBytes(3).toString('hex')}`;
// The cluster tool itself, without the node and control-plane components other packages provide.
const components = { kubelet: false, scheduler: false, controllerManager: false, kubeProxy: false };

/** Processes whose command line names the cluster's directory. */
function processesOf(dir: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir) && alive(pid); } catch { return false; }
  });
}

const inNode = (netns: string, ...args: string[]) => run('nsenter', [`--net=/var/run/netns/${netns}`, '--', ...args]);

describe('k8ts up (nodes without kubelets)', () => {
  let first: UpResult;
  const previousHome = process.env.K8TS_HOME;

  beforeAll(async () => {
    process.env.K8TS_HOME = home;
    first = await up({ name, nodes: 2, components, log: (m) => console.log(m) });
  }, 120_000);

  afterAll(async () => {
    await down(name).catch(() => undefined);
    process.env.K8TS_HOME = previousHome;
    if (previousHome === undefined) delete process.env.K8TS_HOME;
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('starts the control plane on the bridge address and a containerd per node', async () => {
    expect(first.reused).toBe(false);
    expect(first.nodes!.map((n) => `${n.name}/${n.role}`)).toEqual([`${name}-control-plane/control-plane`, `${name}-worker/worker`]);
    expect(first.apiserverURL).toBe(`https://${first.network!.bridgeAddress}:6443`);
    for (const key of ['etcd', 'apiserver', 'registry', 'nats', `containerd/${name}-control-plane`, `containerd/${name}-worker`]) {
      expect(alive(first.pids[key]!), key).toBe(true);
    }
    console.log(`up took ${first.upSeconds}s`);
    // The real kubectl talks to it with the admin kubeconfig (the bridge address is in the serving cert).
    const ns = execFileSync('kubectl', ['--kubeconfig', first.kubeconfig!, 'get', 'namespaces', '-o', 'name'], { timeout: 30_000 }).toString();
    expect(ns).toContain('namespace/kube-system');
    // The API server is reachable from inside a node's namespace.
    const connect = `require('node:net').connect(6443, '${first.network!.bridgeAddress}').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
    await inNode(first.nodes![1]!.netns, process.execPath, '-e', connect);
  }, 60_000);

  it('lets every node pull through the registry mirror and side-loads an archive', async () => {
    for (const n of first.nodes!) {
      const cri = await connectCri(n.criSocket, { timeoutMs: 30_000 });
      try {
        const conds = Object.fromEntries(((await cri.status()).status?.conditions ?? []).map((c) => [c.type, c.status]));
        expect(conds).toEqual({ RuntimeReady: true, NetworkReady: true });
        expect(await cri.pullImage({ image: 'busybox' })).toMatch(/^sha256:/);
      } finally { cri.close(); }
    }
    const { layoutDir } = await ensureImages();
    const tar = join(home, 'img.tar');
    await run('skopeo', ['--insecure-policy', 'copy', '--quiet', `oci:${layoutDir}:busybox-latest`, `docker-archive:${tar}:example.test/k8ts/side:v1`]);
    const lines = await loadImage(readState(name)!, tar);
    expect(lines).toHaveLength(2);
    for (const n of first.nodes!) {
      const { stdout } = await run('ctr', ['-a', n.criSocket, '-n', 'k8s.io', 'images', 'ls', '-q']);
      expect(stdout).toContain('example.test/k8ts/side:v1');
    }
  }, 120_000);

  it('is idempotent: a second up of a healthy cluster changes nothing', async () => {
    const net = await observeNetwork(name);
    const again = await up({ name, nodes: 2, components });
    expect(again.reused).toBe(true);
    expect(again.pids).toEqual(first.pids);
    expect(await observeNetwork(name)).toEqual(net);
  }, 60_000);

  it('answers status, kubeconfig and logs on the command line, refuses stop-node without a kubelet', async () => {
    const cli = (...args: string[]) => new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [cliPath, ...args, '--name', name], { env: { ...process.env, K8TS_HOME: home }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
    });
    const [status, kubeconfig, logs, cpLog, stop] = await Promise.all([
      cli('status'), cli('kubeconfig'), cli('logs'), cli('logs', `${name}-control-plane`), cli('stop-node', `${name}-worker`),
    ]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(new RegExp(`${name}-worker\\s+worker\\s+${first.nodes![1]!.address.replace(/\./g, '\\.')}\\s+${first.nodes![1]!.podCidr.replace(/[./]/g, '\\$&')}`));
    expect(status.out).toMatch(/apiserver\s+\d+\s+running/);
    expect(kubeconfig).toEqual({ code: 0, out: `${first.kubeconfig}\n` });
    expect(logs.out.split('\n')).toEqual(expect.arrayContaining(['apiserver', 'etcd', 'registry', `${name}-worker.containerd`]));
    expect(cpLog.out).toMatch(/containerd/); // no kubelet: the node's containerd log
    expect(stop).toMatchObject({ code: 1 });
    expect(stop.out).toContain('has no kubelet');
  }, 60_000);

  it('cleans a crashed cluster (processes killed with SIGKILL) on the next up', async () => {
    const before = readState(name)!;
    for (const pid of Object.values(before.pids)) process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(await isHealthy(before)).toBe(false);
    const net = await observeNetwork(name);
    const after = await up({ name, nodes: 2, components });
    expect(after.reused).toBe(false);
    for (const [key, pid] of Object.entries(after.pids)) {
      expect(alive(pid), key).toBe(true);
      expect(pid).not.toBe(before.pids[key]);
    }
    // Exactly one set of network objects, no stale processes.
    const net2 = await observeNetwork(name);
    expect(net2.netns).toEqual(net.netns);
    expect(net2.links.length).toBe(net.links.length);
    expect(net2.routes.length).toBe(net.routes.length);
    expect(net2.rules).toHaveLength(1);
    expect(processesOf(after.dir).sort()).toEqual(Object.values(after.pids).sort());
    first = after;
  }, 120_000);

  it('down leaves nothing behind and is idempotent', async () => {
    const s = readState(name)!;
    expect(await down(name)).toBe(true);
    expect(await observeNetwork(name)).toEqual({ netns: [], links: [], routes: [], rules: [] });
    expect(Object.values(s.pids).filter(alive)).toEqual([]);
    expect(processesOf(s.dir)).toEqual([]);
    expect(mountsUnder(s.dir)).toEqual([]);
    expect(existsSync(s.dir)).toBe(false);
    expect((await run('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout).not.toContain(s.network!.bridge);
    expect(await down(name)).toBe(false);
  }, 60_000);
});

describe('k8ts up when a port it picked is taken before etcd binds it', () => {
  it('starts etcd again on other ports, and the cluster comes up', async () => {
    const other = `uq-${randomBytes(3).toString('hex')}`;
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const taken = (busy.address() as { port: number }).port;
    const previousHome = process.env.K8TS_HOME;
    const ownHome = mkdtempSync(join(tmpdir(), 'k8ts-up-test-'));
    process.env.K8TS_HOME = ownHome;
    try {
      picks.push('real', taken); // NATS's port, then etcd's client port
      const res = await up({ name: other, nodes: 1, components, log: () => undefined });
      expect(picks).toEqual([]);
      expect(new URL(res.etcdEndpoint!).port).not.toBe(String(taken));
      expect(readFileSync(join(res.dir, 'logs', 'etcd.log'), 'utf8')).toContain(`127.0.0.1:${taken}: bind: address already in use`);
      expect(await isHealthy(readState(other)!)).toBe(true);
    } finally {
      picks.length = 0;
      await down(other);
      busy.close();
      if (previousHome === undefined) delete process.env.K8TS_HOME;
      else process.env.K8TS_HOME = previousHome;
      rmSync(ownHome, { recursive: true, force: true });
    }
  }, 120_000);
});
