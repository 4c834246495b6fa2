// Starts a real etcd (Debian's etcd-server) on free loopback ports with its own data directory.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { startProcess, type Managed } from './process.ts';

export interface EtcdOptions {
  /** Data directory; a temporary one (removed on stop) when absent. */
  dataDir?: string;
  clientPort?: number;
  logFile?: string;
  name?: string;
}

export interface Etcd {
  endpoint: string;
  dataDir: string;
  process: Managed;
  /** Stops etcd; removes the data directory when it was temporary (unless keepData). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startEtcd(o: EtcdOptions = {}): Promise<Etcd> {
  const temporary = !o.dataDir;
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-etcd-'));
  mkdirSync(dataDir, { recursive: true });
  const clientPort = o.clientPort ?? (await freePort());
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const proc = startProcess(process.env.K8TS_ETCD ?? 'etcd', {
    args: [
      '--name', o.name ?? 'k8ts',
      '--data-dir', dataDir,
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
      '--initial-cluster', `${o.name ?? 'k8ts'}=http://127.0.0.1:${peerPort}`,
      '--quota-backend-bytes', String(8 * 1024 * 1024 * 1024),
      '--max-request-bytes', String(4 * 1024 * 1024),
      '--log-level', 'warn',
    ],
    env: { ...process.env, ETCD_UNSUPPORTED_ARCH: process.env.ETCD_UNSUPPORTED_ARCH ?? '' },
    logFile: o.logFile,
  });
  const etcd: Etcd = {
    endpoint, dataDir, process: proc,
    async stop(opts = {}) {
      await proc.stop();
      if (temporary && !opts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await waitHealthy(endpoint, proc);
  return etcd;
}

async function waitHealthy(endpoint: string, proc: Managed, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => { exited = true; });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`etcd exited while starting (${endpoint})`);
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  await proc.stop();
  throw new Error(`etcd did not become healthy at ${endpoint}`);
}
