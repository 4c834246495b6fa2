// nats-server (Debian's nats-server) for the cluster's log and event stream: the command line, and a
// throwaway server on a free loopback port for tests.
import { connect as tcpConnect } from 'node:net';
import { freePort, listensOn, retryOnPortClash, startFailure } from './ports.ts';
import { startProcess, type Managed } from './process.ts';

/**
 * nats-server's arguments: no JetStream, no monitoring port, bound to one address. The pid file in the
 * cluster's directory also marks the process as the cluster's (`ours` looks for the directory).
 */
export function natsServerArgs(o: { address: string; port: number; pidFile?: string }): string[] {
  return ['--addr', o.address, '--port', String(o.port), '--name', `k8ts-${o.port}`, ...(o.pidFile ? ['--pid', o.pidFile] : [])];
}

export interface NatsServer { url: string; port: number; process: Managed; stop(): Promise<void> }

/**
 * Resolves once process pid accepts TCP connections on host:port (nats-server has no readiness URL). A
 * connection to another server that holds the port does not count (ours then exits on the clash).
 */
export async function waitListening(host: string, port: number, pid: number, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!alive()) throw new Error('nats-server exited while starting');
    const ok = listensOn(pid, port) && await new Promise<boolean>((res) => {
      const s = tcpConnect(port, host);
      s.once('connect', () => { s.destroy(); res(true); });
      s.once('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not listen on ${host}:${port} within ${timeoutMs / 1000}s`);
}

/** Starts nats-server; when it picked its port and that was taken meanwhile, it tries again on another. */
export function startNatsServer(o: { port?: number; logFile?: string } = {}): Promise<NatsServer> {
  return retryOnPortClash(() => startNatsServerOnce(o));
}

async function startNatsServerOnce(o: { port?: number; logFile?: string }): Promise<NatsServer> {
  const port = o.port ?? (await freePort());
  const proc = startProcess(process.env.K8TS_NATS_SERVER ?? 'nats-server', { args: natsServerArgs({ address: '127.0.0.1', port }), logFile: o.logFile });
  try {
    await waitListening('127.0.0.1', port, proc.pid, 15_000, () => !proc.hasExited());
  } catch (e) {
    await proc.stop();
    throw startFailure(e, await proc.output(), () => o.port === undefined);
  }
  return { url: `nats://127.0.0.1:${port}`, port, process: proc, stop: () => proc.stop() };
}
