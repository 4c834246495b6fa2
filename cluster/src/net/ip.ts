// Adapter over iproute2 and iptables: the only place that runs them.
import { spawn } from 'node:child_process';
import { run } from '../images/run.ts';
import type { ObservedRoute } from './plan.ts';

export async function ip(...args: string[]): Promise<string> {
  return (await run('ip', args)).stdout;
}

/** Runs `ip [-n netns] -batch -` over lines; with force, continues past failing lines (reported in the error). */
export function ipBatch(lines: string[], o: { netns?: string; force?: boolean } = {}): Promise<void> {
  const args = [...(o.netns ? ['-n', o.netns] : []), ...(o.force ? ['-force'] : []), '-batch', '-'];
  return new Promise((resolve, reject) => {
    const child = spawn('ip', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => code === 0 ? resolve() : reject(new Error(`ip ${args.join(' ')} failed: ${err.trim()}\n${lines.join('\n')}`)));
    child.stdin.end(lines.join('\n') + '\n');
  });
}

export async function routes(netns?: string): Promise<ObservedRoute[]> {
  const out = await ip(...(netns ? ['-n', netns] : []), '-4', '-j', 'route', 'show', 'table', 'all');
  return JSON.parse(out || '[]') as ObservedRoute[];
}

export async function netnsList(): Promise<string[]> {
  const out = await ip('-j', 'netns', 'list');
  return (JSON.parse(out || '[]') as { name: string }[]).map((n) => n.name);
}

export interface Link { ifname: string; master?: string; operstate?: string; link_type?: string }

export async function links(netns?: string): Promise<Link[]> {
  const out = await ip(...(netns ? ['-n', netns] : []), '-j', 'link', 'show');
  return JSON.parse(out || '[]') as Link[];
}

export async function addresses(netns?: string): Promise<{ ifname: string; addrs: string[] }[]> {
  const out = await ip(...(netns ? ['-n', netns] : []), '-4', '-j', 'addr', 'show');
  return (JSON.parse(out || '[]') as { ifname: string; addr_info: { local: string; prefixlen: number }[] }[])
    .map((l) => ({ ifname: l.ifname, addrs: l.addr_info.map((a) => `${a.local}/${a.prefixlen}`) }));
}

export async function iptables(...args: string[]): Promise<string> {
  return (await run('iptables', ['-w', '5', ...args])).stdout;
}

/** Writes a sysctl inside a network namespace (net.* sysctls are per namespace). */
export async function netnsSysctl(netns: string, key: string, value: string): Promise<void> {
  await run('nsenter', [`--net=/var/run/netns/${netns}`, '--', 'sysctl', '-q', '-w', `${key}=${value}`]);
}
