// `k8ts up` / `down`: the control plane (etcd, API server) as background processes with a kubeconfig.
import { mkdirSync, rmSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';
import { startProcess } from './process.ts';
import { clusterDir, readState, writeState, alive, type ClusterState } from './state.ts';
import { writeUserKubeconfig } from './kubeconfig.ts';
import { loadCA } from '@k8ts/apiserver/pki/index.ts';
import { readFileSync } from 'node:fs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface UpOptions { name: string; apiserverPort?: number }

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, pid?: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pid !== undefined && !alive(pid)) throw new Error(`${what} exited while starting`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s`);
}

/** Ends every recorded process (SIGTERM, then SIGKILL) and removes the cluster's directory. */
export async function down(name: string, o: { keepDir?: boolean } = {}): Promise<boolean> {
  const s = readState(name);
  if (!s) return false;
  const pids = Object.values(s.pids).filter(alive);
  for (const pid of pids) try { process.kill(-pid, 'SIGTERM'); } catch { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  const end = Date.now() + 10_000;
  while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(alive)) try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
  if (!o.keepDir) rmSync(s.dir, { recursive: true, force: true });
  return true;
}

export async function up(o: UpOptions): Promise<ClusterState> {
  // A crashed earlier run of the same cluster is cleaned first.
  await down(o.name);
  const dir = clusterDir(o.name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const state: ClusterState = { name: o.name, dir, pids: {} };
  writeState(state);
  const etcdPort = await freePort();
  const peerPort = await freePort();
  const etcdURL = `http://127.0.0.1:${etcdPort}`;
  const etcd = startProcess('etcd', {
    daemon: true, logFile: join(dir, 'logs', 'etcd.log'),
    args: ['--name', o.name, '--data-dir', join(dir, 'etcd'), '--listen-client-urls', etcdURL, '--advertise-client-urls', etcdURL,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `${o.name}=http://127.0.0.1:${peerPort}`, '--log-level', 'warn'],
  });
  state.pids.etcd = etcd.pid;
  state.etcdEndpoint = etcdURL;
  writeState(state);
  await waitFor('etcd', async () => (await fetch(`${etcdURL}/health`)).ok, 20_000, etcd.pid);

  const port = o.apiserverPort ?? 6443;
  const pki = join(dir, 'pki');
  const apiserver = startProcess(process.execPath, {
    daemon: true, logFile: join(dir, 'logs', 'apiserver.log'), cwd: repo,
    args: [join(repo, 'apiserver/src/main.ts'), '--etcd-servers', etcdURL, '--secure-port', String(port), '--cert-dir', pki, '--bind-address', '127.0.0.1'],
  });
  state.pids.apiserver = apiserver.pid;
  state.apiserverURL = `https://127.0.0.1:${port}`;
  writeState(state);
  await waitFor('apiserver', async () => existsSync(join(pki, 'ca.crt')) && (await fetchInsecure(`${state.apiserverURL}/readyz`)), 30_000, apiserver.pid);
  const ca = await loadCA(readFileSync(join(pki, 'ca.crt'), 'utf8'), readFileSync(join(pki, 'ca.key'), 'utf8'));
  state.kubeconfig = join(dir, 'admin.kubeconfig');
  await writeUserKubeconfig(state.kubeconfig, ca, state.apiserverURL, { user: 'kubernetes-admin', groups: ['system:masters'] }, o.name);
  writeState(state);
  return state;
}

async function fetchInsecure(url: string): Promise<boolean> {
  const { request } = await import('node:https');
  return new Promise((res) => {
    const r = request(url, { rejectUnauthorized: false, timeout: 2000 }, (resp) => { resp.resume(); res(resp.statusCode === 200); });
    r.on('error', () => res(false));
    r.end();
  });
}
