// `k8ts up` / `down`: a local multi-node cluster. Control plane (etcd, API server, scheduler and
// controller-manager when present) as daemons in the root namespace, bound to the cluster bridge's
// address; per node a network namespace with its own containerd (and kubelet, kube-proxy when present).
// Every process is recorded by pid in state.json; `down` ends exactly those and removes everything else.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from 'kubernetes-types/core/v1';
import { ensureCA, ensureKubeletServingCert } from '@k8ts/apiserver/pki/index.ts';
import { readKubeconfigFile, restConfigFromKubeconfig, type RestConfig } from '@k8ts/client/kubeconfig.ts';
import { freePort, listensOn, PortClash, retryOnPortClash } from './ports.ts';
import { logTail, saysAddressInUse } from './process.ts';
import { clusterDir, readState, writeState, alive, ours, type ClusterState, type NodeState } from './state.ts';
import { writeComponentCredentials, writeNodeCredentials } from './kubeconfig.ts';
import { mountsUnder } from './containerd.ts';
import { createNetwork, teardownNetwork, observeNetwork, validateClusterName, podNetwork, netnsList } from './net/index.ts';
import { cleanupNodeContainerd, inNetns, launch, startNodeContainerd, type ProcessCommand } from './node-runtime.ts';
import { startRegistryDaemon } from './registry-daemon.ts';
import { apiserverArgs, componentMains, kubeletArgs, kubeProxyArgs, nodeCgroupRoot } from './components.ts';
import { removeNodeCgroups } from '@k8ts/kubelet/cm/cgroupfs.ts';
import { run } from './images/run.ts';
import { natsServerArgs, waitListening } from './nats.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const mains = componentMains(repo);

export const defaultNodes = 3;

export type OptionalComponent = 'kubelet' | 'scheduler' | 'controllerManager' | 'kubeProxy';

/** The optional components `up` runs: asked for, or by default when present in this checkout. */
export function enabledComponents(o: Partial<Record<OptionalComponent, boolean>> = {}): Record<OptionalComponent, boolean> {
  const on = (c: OptionalComponent) => o[c] ?? existsSync(mains[c]);
  return { kubelet: on('kubelet'), scheduler: on('scheduler'), controllerManager: on('controllerManager'), kubeProxy: on('kubeProxy') };
}

export interface UpOptions {
  name: string;
  /** Nodes including the control-plane node (default 3). */
  nodes?: number;
  apiserverPort?: number;
  /** How long to wait for every node to be Ready (when kubelets run). */
  readyTimeoutMs?: number;
  /**
   * Which optional components to run; each defaults to "when its main.ts exists in this checkout".
   * (Tests of the cluster tool itself turn them off.)
   */
  components?: Partial<Record<OptionalComponent, boolean>>;
  /** Keep what was started when `up` fails (for `logs`); default: tear it down. */
  retain?: boolean;
  log?: (msg: string) => void;
}

export interface UpResult extends ClusterState {
  /** True when the cluster was already up and healthy: nothing was started. */
  reused: boolean;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, pid?: number, logFile?: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pid !== undefined && !alive(pid)) throw new Error(`${what} exited while starting${logFile ? `: ${logTail(logFile, 1)}; see ${logFile}` : ''}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s${logFile ? `; see ${logFile}` : ''}`);
}

/** Every recorded process runs (except those stopped on purpose) and every node's namespace exists. */
export async function isHealthy(s: ClusterState): Promise<boolean> {
  const stopped = new Set(s.stopped ?? []);
  if (!s.kubeconfig || !s.network) return false;
  for (const [key, pid] of Object.entries(s.pids)) if (!stopped.has(key) && !(alive(pid) && ours(pid, s.dir))) return false;
  const namespaces = new Set(await netnsList());
  return s.network.nodes.every((n) => namespaces.has(n.netns));
}

async function stopPids(pids: number[], graceMs = 10_000): Promise<void> {
  for (const pid of pids) try { process.kill(-pid, 'SIGTERM'); } catch { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  const end = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) try { process.kill(-pid, 'SIGKILL'); } catch { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  const killed = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < killed) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Ends every recorded process, cleans what the nodes' containerds left (containers, shims, mounts),
 * removes the cluster's network and directory. Works from the cluster's name alone after a crash.
 * Returns whether there was anything to remove.
 */
export async function down(name: string): Promise<boolean> {
  validateClusterName(name);
  const dir = clusterDir(name);
  const s = readState(name);
  const net = await observeNetwork(name);
  const existed = !!s || existsSync(dir) || net.netns.length + net.links.length + net.routes.length + net.rules.length > 0;
  if (s) await stopPids(Object.values(s.pids).filter((pid) => alive(pid) && ours(pid, s.dir)));
  const nodesDir = join(dir, 'nodes');
  if (existsSync(nodesDir)) {
    for (const n of readdirSync(nodesDir)) {
      await cleanupNodeContainerd(join(nodesDir, n, 'containerd'));
      // Pods the kubelet could not stop before containerd went leave their (now empty) cgroups.
      try { removeNodeCgroups(nodeCgroupRoot(n)); } catch { /* not there */ }
    }
  }
  await teardownNetwork(name, s?.network);
  for (const m of mountsUnder(dir)) await run('umount', ['-l', m]).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
  return existed;
}

export async function up(o: UpOptions): Promise<UpResult> {
  validateClusterName(o.name);
  const nodeCount = o.nodes ?? defaultNodes;
  const logTo = o.log ?? (() => undefined);
  const previous = readState(o.name);
  if (previous && previous.network?.nodes.length === nodeCount && (await isHealthy(previous))) {
    logTo(`Cluster "${o.name}" is already up`);
    return { ...previous, reused: true };
  }
  const t0 = performance.now();
  const since = () => `[${((performance.now() - t0) / 1000).toFixed(1)}s]`;
  const log = (m: string) => logTo(`${since()} ${m}`);
  const enabled = enabledComponents(o.components);
  // Leftovers of an earlier (crashed) run of the same cluster go first.
  if (await down(o.name)) log(`Removed the leftovers of an earlier cluster "${o.name}"`);

  const dir = clusterDir(o.name);
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const state: ClusterState = { name: o.name, dir, pids: {}, commands: {}, nodes: [] };
  writeState(state);
  const record = (key: string, pid: number, command: ProcessCommand) => {
    state.pids[key] = pid;
    state.commands![key] = command;
    writeState(state);
  };
  const start = (key: string, command: ProcessCommand) => {
    const pid = launch(command);
    record(key, pid, command);
    return pid;
  };

  try {
    const plan = await createNetwork(o.name, nodeCount);
    state.network = plan;
    writeState(state);
    log(`Network: bridge ${plan.bridge} ${plan.bridgeAddress}, nodes ${plan.nodes.map((n) => `${n.name}=${n.address}`).join(' ')}`);

    // The cluster CA first (the API server reuses it from its cert dir): every credential can be
    // written, and every component started, while the API server is still coming up.
    const pki = join(dir, 'pki');
    const ca = await ensureCA(pki);
    const port = o.apiserverPort ?? 6443;
    state.apiserverURL = `https://${plan.bridgeAddress}:${port}`;
    const credentials = writeComponentCredentials(dir, ca, state.apiserverURL, o.name);

    // The log and event stream: components publish on it once it is up (they buffer until then).
    const natsPort = await freePort();
    const natsLog = join(logs, 'nats.log');
    const nats = start('nats', { cmd: process.env.K8TS_NATS_SERVER ?? 'nats-server', logFile: natsLog, args: natsServerArgs({ address: plan.bridgeAddress, port: natsPort, pidFile: join(dir, 'nats.pid') }) });
    state.natsURL = `nats://${plan.bridgeAddress}:${natsPort}`;
    const natsReady = waitListening(plan.bridgeAddress, natsPort, nats, 15_000, () => alive(nats)).then(() => log(`NATS ${state.natsURL} ready`));

    const controlPlane = (async () => {
      const etcdLog = join(logs, 'etcd.log');
      // On ports picked a moment ago: when one was taken meanwhile, etcd starts again on others.
      const etcdURL = await retryOnPortClash(async () => {
        const etcdPort = await freePort();
        const peerURL = `http://127.0.0.1:${await freePort()}`;
        const url = `http://127.0.0.1:${etcdPort}`;
        const etcd = start('etcd', { cmd: 'etcd', logFile: etcdLog, args: ['--name', o.name, '--data-dir', join(dir, 'etcd'),
          '--listen-client-urls', url, '--advertise-client-urls', url,
          '--listen-peer-urls', peerURL, '--initial-advertise-peer-urls', peerURL,
          '--initial-cluster', `${o.name}=${peerURL}`, '--log-level', 'warn'] });
        try {
          // Ours first (another server on the port may never answer), then healthy.
          await waitFor('etcd', async () => listensOn(etcd, etcdPort) && (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).ok, 30_000, etcd, etcdLog);
        } catch (e) {
          if (!saysAddressInUse(logTail(etcdLog, 1))) throw e;
          rmSync(join(dir, 'etcd'), { recursive: true, force: true });
          throw new PortClash((e as Error).message);
        }
        return url;
      });
      state.etcdEndpoint = etcdURL;
      log('etcd ready');
      const apiLog = join(logs, 'apiserver.log');
      const apiserver = start('apiserver', { cmd: process.execPath, cwd: repo, logFile: apiLog, env: { K8TS_NATS_URL: state.natsURL! },
        args: [mains.apiserver, ...apiserverArgs({ etcdURL, address: plan.bridgeAddress, port, certDir: pki })] });
      return { apiserver, apiLog };
    })();

    const runtimes = (async () => {
      const registry = await startRegistryDaemon({ dir: join(dir, 'registry'), host: plan.bridgeAddress, logFile: join(logs, 'registry.log') });
      record('registry', registry.pid, registry.command);
      state.registryURL = registry.url;
      log(`Registry ${registry.url}${registry.pushed ? ' (images pushed)' : ' (images cached)'}`);
      await Promise.all(plan.nodes.map(async (node) => {
        const nodeDir = join(dir, 'nodes', node.name);
        const c = await startNodeContainerd({ dir: join(nodeDir, 'containerd'), node, mirrorUrl: registry.url, logFile: join(logs, `${node.name}.containerd.log`) });
        record(`containerd/${node.name}`, c.pid, c.command);
        const ns: NodeState = { ...node, dir: nodeDir, criSocket: c.socket };
        if (enabled.kubelet) {
          ns.kubeconfig = await writeNodeCredentials(nodeDir, ca, state.apiserverURL!, node.name, o.name);
          // The kubelet serves logs/exec with a certificate from the cluster CA and only takes client
          // certificates from it (the API server's kubelet client identity).
          const serving = await ensureKubeletServingCert(join(nodeDir, 'pki'), ca, { nodeName: node.name, ips: [node.address] });
          ns.tls = { certFile: serving.certPath, keyFile: serving.keyPath, clientCAFile: join(pki, 'ca.crt') };
        }
        state.nodes!.push(ns);
      }));
      state.nodes!.sort((a, b) => plan.nodes.findIndex((n) => n.name === a.name) - plan.nodes.findIndex((n) => n.name === b.name));
      writeState(state);
      log(`containerd running on ${plan.nodes.length} nodes`);
    })();

    const settled = await Promise.allSettled([controlPlane, runtimes, credentials, natsReady]);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    const kubeconfigs = await credentials;
    state.kubeconfig = kubeconfigs.admin;
    writeState(state);

    const { apiserver, apiLog } = await controlPlane;
    await waitFor('apiserver', () => httpsOk(`${state.apiserverURL}/readyz`), 60_000, apiserver, apiLog);
    log(`API server ${state.apiserverURL} ready`);

    // Components that exist in this checkout: one line each. (Started once the API server is ready:
    // today's kubelet exits when it cannot reach it at start.)
    const streamEnv = (nodeName?: string) => ({ K8TS_NATS_URL: state.natsURL!, ...(nodeName ? { K8TS_NODE_NAME: nodeName } : {}) });
    const node = (main: string, args: string[]) => ({ cmd: process.execPath, args: [main, ...args], cwd: repo, env: streamEnv() });
    if (enabled.scheduler) start('scheduler', { ...node(mains.scheduler, ['--kubeconfig', kubeconfigs.scheduler]), logFile: join(logs, 'scheduler.log') });
    if (enabled.controllerManager) start('controller-manager', { ...node(mains.controllerManager, ['--kubeconfig', kubeconfigs.controllerManager]), logFile: join(logs, 'controller-manager.log') });
    for (const n of state.nodes!) {
      if (enabled.kubelet) {
        const args = kubeletArgs({ node: n, kubeconfig: n.kubeconfig!, criSocket: n.criSocket, rootDir: join(n.dir, 'kubelet'), tls: n.tls });
        start(`kubelet/${n.name}`, { ...inNetns(n.netns, process.execPath, [mains.kubelet, ...args]), cwd: repo, env: streamEnv(n.name), logFile: join(logs, `${n.name}.kubelet.log`) });
      }
      if (enabled.kubeProxy) {
        const args = kubeProxyArgs({ node: n, kubeconfig: kubeconfigs.kubeProxy, clusterCidr: podNetwork });
        start(`kube-proxy/${n.name}`, { ...inNetns(n.netns, process.execPath, [mains.kubeProxy, ...args]), cwd: repo, env: streamEnv(n.name), logFile: join(logs, `${n.name}.kube-proxy.log`) });
      }
    }
    if (enabled.kubelet) {
      await waitNodesReady(state, o.readyTimeoutMs ?? 90_000);
      log(`${state.nodes!.length} nodes Ready`);
    }
    state.upSeconds = Math.round((performance.now() - t0) / 100) / 10;
    writeState(state);
    return { ...state, reused: false };
  } catch (err) {
    if (!o.retain) await down(o.name).catch(() => undefined);
    throw err;
  }
}

/** Polls the API server until every node of the cluster reports Ready=True; labels the control-plane node as kubeadm does. */
async function waitNodesReady(s: ClusterState, timeoutMs: number): Promise<void> {
  const rc = restConfigFromKubeconfig(readKubeconfigFile(s.kubeconfig!));
  const want = new Set(s.nodes!.map((n) => n.name));
  const kubeletPids = s.nodes!.map((n) => s.pids[`kubelet/${n.name}`]!);
  let notReady: string[] = [...want];
  await waitFor('nodes', async () => {
    if (kubeletPids.some((p) => !alive(p))) throw new Error('a kubelet exited');
    const list = JSON.parse(await httpsRequest(rc, 'GET', '/api/v1/nodes')) as { items: Node[] };
    const ready = new Set(list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata!.name!));
    notReady = [...want].filter((n) => !ready.has(n));
    return notReady.length === 0;
  }, timeoutMs).catch((err: Error) => {
    const dead = s.nodes!.filter((n) => !alive(s.pids[`kubelet/${n.name}`]!)).map((n) => n.name);
    throw new Error(dead.length > 0 ? `kubelet exited on ${dead.join(', ')}; see k8ts logs <node>` : `${err.message}: not Ready: ${notReady.join(', ')}`);
  });
  for (const n of s.nodes!.filter((x) => x.role === 'control-plane')) {
    await httpsRequest(rc, 'PATCH', `/api/v1/nodes/${n.name}`, { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '' } } }, 'application/merge-patch+json');
  }
}

export function httpsRequest(rc: RestConfig, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<string> {
  return new Promise((res, rej) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const r = request(new URL(path, rc.server), {
      method, ca: rc.ca, cert: rc.cert, key: rc.key, timeout: 5000,
      headers: { accept: 'application/json', ...(data ? { 'content-type': contentType, 'content-length': data.length } : {}) },
    }, (resp) => {
      let text = '';
      resp.setEncoding('utf8');
      resp.on('data', (c: string) => { text += c; });
      resp.on('end', () => (resp.statusCode ?? 500) < 300 ? res(text) : rej(new Error(`${method} ${path}: ${resp.statusCode} ${text}`)));
    });
    r.on('timeout', () => r.destroy(new Error(`${method} ${path}: timeout`)));
    r.on('error', rej);
    r.end(data);
  });
}

function httpsOk(url: string): Promise<boolean> {
  return new Promise((res) => {
    const r = request(url, { rejectUnauthorized: false, timeout: 2000 }, (resp) => { resp.resume(); res(resp.statusCode === 200); });
    r.on('timeout', () => r.destroy());
    r.on('error', () => res(false));
    r.end();
  });
}
