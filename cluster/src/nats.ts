// nats-server (Debian's nats-server) for the cluster's log and event stream: the command line, and a
// throwaway server on a free loopback port for tests.
import { connect as tcpConnect } from 'node:net';
import { freePort } from './ports.ts';
import { startProcess, type Managed } from './process.ts';

/**
 * nats-server's arguments: no JetStream, no monitoring port, bound to one address. The pid file in the
 * cluster's directory also marks the process as the cluster's (`ours` looks for the directory).
 */
export function natsServerArgs(o: { address: string; port: number; pidFile?: string }): string[] {
  return ['--addr', o.address, '--port', String(o.port), '--name', `k8ts-${o.port}`, ...(o.pidFile ? ['--pid', o.pidFile] : [])];
}

export interface NatsServer { url: string; port: number; process: Managed; stop(): Promise<void> }

/** Resolves once something accepts TCP connections on host:port (nats-server has no readiness URL). */
export async function waitListening(host: string, port: number, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!alive()) throw new Error('nats-server exited while starting');
    const ok = await new Promise<boolean>((res) => {
      const s = tcpConnect(port, host);
      s.once('connect', () => { s.destroy(); res(true); });
      s.once('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not listen on ${host}:${port} within ${timeoutMs / 1000}s`);
}

export async function startNatsServer(o: { port?: number; logFile?: string } = {}): Promise<NatsServer> {
  const port = o.port ?? (await freePort());
  const proc = startProcess(process.env.K8TS_NATS_SERVER ?? 'nats-server', { args: natsServerArgs({ address: '127.0.0.1', port }), logFile: o.logFile });
  let exited = false;
  void proc.exited.then(() => { exited = true; });
  try {
    await waitListening('127.0.0.1', port, 15_000, () => !exited);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { url: `nats://127.0.0.1:${port}`, port, process: proc, stop: () => proc.stop() };
}
