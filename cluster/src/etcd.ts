// Starts a real etcd (Debian's etcd-server) on free loopback ports with its own data directory.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, listensOn, retryOnPortClash, startFailure } from './ports.ts';
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

/** Starts etcd; when it picked its ports and one was taken meanwhile, it tries again on others. */
export function startEtcd(o: EtcdOptions = {}): Promise<Etcd> {
  return retryOnPortClash(() => startEtcdOnce(o));
}

async function startEtcdOnce(o: EtcdOptions): Promise<Etcd> {
  const temporary = !o.dataDir;
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-etcd-'));
  mkdirSync(dataDir, { recursive: true });
  const clientPort = o.clientPort ?? (await freePort());
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peerURL = `http://127.0.0.1:${peerPort}`;
  const proc = startProcess(process.env.K8TS_ETCD ?? 'etcd', {
    args: [
      '--name', o.name ?? 'k8ts',
      '--data-dir', dataDir,
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peerURL,
      '--initial-advertise-peer-urls', peerURL,
      '--initial-cluster', `${o.name ?? 'k8ts'}=${peerURL}`,
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
  try {
    await waitHealthy(endpoint, proc);
  } catch (e) {
    await etcd.stop();
    // The peer port is always ours to pick; the client port only when it was not given.
    throw startFailure(e, await proc.output(), (out) => o.clientPort === undefined || !out.includes(`:${clientPort}:`));
  }
  return etcd;
}

/**
 * Resolves once this etcd answers healthy on its client port. The port must be held by our process: an
 * answer from another etcd on that port does not count (ours then exits on the clash).
 */
async function waitHealthy(endpoint: string, proc: Managed, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const port = Number(new URL(endpoint).port);
  while (Date.now() < deadline) {
    if (proc.hasExited()) throw new Error(`etcd exited while starting (${endpoint})`);
    try {
      // Ours first (another server on the port may never answer), then healthy.
      if (listensOn(proc.pid, port)) {
        const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
      }
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`etcd did not become healthy at ${endpoint}`);
}
