// Running one probe (upstream prober.runProbe): exec through the CRI's ExecSync, httpGet (success
// is 200 <= code < 400) and tcpSocket (a connection opens).
import { connect } from 'node:net';
import type { Container, Probe } from 'kubernetes-types/core/v1';
import type { CriClient } from '../cri/client.ts';

export type ProbeResult = 'success' | 'failure';
export interface ProbeOutcome { result: ProbeResult; output: string }

/** A port as a number: numbers pass through, names resolve through the container's ports. */
export function resolvePort(port: number | string | undefined, c: Container): number {
  if (typeof port === 'number') return port;
  if (port && /^\d+$/.test(port)) return Number(port);
  const p = c.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`couldn't find port ${String(port)} in container ${c.name}`);
  return p.containerPort;
}

export async function runProbe(probe: Probe, c: Container, target: { cri: CriClient; containerId: string; podIP: string }): Promise<ProbeOutcome> {
  const timeoutS = probe.timeoutSeconds ?? 1;
  try {
    if (probe.exec) {
      const r = await target.cri.execSync(target.containerId, probe.exec.command ?? [], timeoutS);
      const output = r.stdout.toString() + r.stderr.toString();
      return { result: r.exitCode === 0 ? 'success' : 'failure', output: output || `command ${JSON.stringify((probe.exec.command ?? []).join(' '))} exited with ${r.exitCode}` };
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const host = g.host || target.podIP;
      const port = resolvePort(g.port as number | string, c);
      const scheme = (g.scheme ?? 'HTTP').toLowerCase();
      const path = g.path ? (g.path.startsWith('/') ? g.path : `/${g.path}`) : '/';
      const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
      for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
      const res = await fetch(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`, { headers, signal: AbortSignal.timeout(timeoutS * 1000), redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 400
        ? { result: 'success', output: '' }
        : { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
    }
    if (probe.tcpSocket) {
      const port = resolvePort(probe.tcpSocket.port as number | string, c);
      const host = probe.tcpSocket.host || target.podIP;
      await new Promise<void>((resolve, reject) => {
        const s = connect({ host, port, timeout: timeoutS * 1000 });
        s.once('connect', () => { s.destroy(); resolve(); });
        s.once('timeout', () => { s.destroy(); reject(new Error(`dial tcp ${host}:${port}: i/o timeout`)); });
        s.once('error', reject);
      });
      return { result: 'success', output: '' };
    }
    if (probe.grpc) return { result: 'failure', output: 'grpc probes are not supported' };
    return { result: 'failure', output: 'probe has no handler' };
  } catch (err) {
    return { result: 'failure', output: err instanceof Error ? err.message : String(err) };
  }
}
