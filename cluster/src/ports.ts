import { createServer } from 'node:net';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { lastLines, saysAddressInUse } from './process.ts';

/**
 * The first port of the kernel's ephemeral range (outgoing connections take their local ports from it).
 * A port picked there can be taken by any client's connect() between our check and the server's bind.
 */
function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 1024 ? low : 32768;
  } catch {
    return 32768;
  }
}

function tryListen(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.unref();
    s.once('error', () => resolve(undefined));
    s.listen({ port, host, exclusive: true }, () => {
      const addr = s.address();
      const bound = typeof addr === 'object' && addr ? addr.port : undefined;
      s.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port on host that was free a moment ago. It is picked from 20000-29999 (below the ephemeral range
 * when there is room), so that no outgoing connection can take it before the server that asked binds it;
 * a clash with another server started at the same moment stays possible (see retryOnPortClash).
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  // Below the NodePort range (30000-32767) too, so that a picked port never reads as a Service's.
  const high = Math.min(ephemeralStart(), 30_000);
  const low = Math.min(20_000, high - 1);
  for (let i = 0; high - low > 100 && i < 50; i++) {
    const port = await tryListen(low + Math.floor(Math.random() * (high - low)), host);
    if (port) return port;
  }
  const port = await tryListen(0, host);
  if (!port) throw new Error(`no free TCP port on ${host}`);
  return port;
}

/** A server failed to start because its port had been taken after freePort picked it. */
export class PortClash extends Error {}

/** Runs start (which picks its ports afresh each time) again when it fails with a PortClash. */
export async function retryOnPortClash<T>(start: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (e) {
      if (!(e instanceof PortClash) || i >= attempts) throw e;
    }
  }
}

/**
 * The error for a server that did not come up: the failure, with the last line the server wrote; a
 * PortClash when it could not bind and the port in question was one freePort picked (ours(output)).
 */
export function startFailure(e: unknown, output: string, ours: (output: string) => boolean): Error {
  const why = lastLines(output, 1);
  const message = `${e instanceof Error ? e.message : String(e)}${why ? `: ${why}` : ''}`;
  return saysAddressInUse(output) && ours(output) ? new PortClash(message) : new Error(message);
}

/** Whether process pid holds a listening TCP socket on port (read from /proc, in this network namespace). */
export function listensOn(pid: number, port: number): boolean {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = readFileSync(table, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st ... inode: local "0100007F:1F90", state 0A = LISTEN.
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && parseInt(f[1]?.split(':')[1] ?? '', 16) === port) inodes.add(f[9]!);
    }
  }
  if (inodes.size === 0) return false;
  let fds: string[] = [];
  try { fds = readdirSync(`/proc/${pid}/fd`); } catch { return false; }
  return fds.some((fd) => {
    try { return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? ''); } catch { return false; }
  });
}
