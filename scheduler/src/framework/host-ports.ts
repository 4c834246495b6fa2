import type { Pod } from 'kubernetes-types/core/v1';

const ALL_IPS = '0.0.0.0';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** Host ports a pod asks for: containers and restartable (sidecar) init containers with hostPort > 0. */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const cs = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => (c as { restartPolicy?: string }).restartPolicy === 'Always')];
  for (const c of cs) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || ALL_IPS, protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

/** Used host ports of a node by ip, then "protocol/port" (upstream HostPortInfo); a multiset so removal is exact. */
export class HostPortInfo {
  private readonly byIP = new Map<string, Map<string, number>>();

  add(p: HostPort): void {
    let m = this.byIP.get(p.ip);
    if (!m) this.byIP.set(p.ip, (m = new Map()));
    const k = `${p.protocol}/${p.port}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }

  remove(p: HostPort): void {
    const m = this.byIP.get(p.ip);
    if (!m) return;
    const k = `${p.protocol}/${p.port}`;
    const n = (m.get(k) ?? 0) - 1;
    if (n > 0) m.set(k, n);
    else m.delete(k);
    if (m.size === 0) this.byIP.delete(p.ip);
  }

  /** 0.0.0.0 conflicts with the same protocol/port on any ip, and any ip conflicts with 0.0.0.0. */
  conflicts(p: HostPort): boolean {
    const k = `${p.protocol}/${p.port}`;
    if (p.ip === ALL_IPS) {
      for (const m of this.byIP.values()) if (m.has(k)) return true;
      return false;
    }
    return !!this.byIP.get(ALL_IPS)?.has(k) || !!this.byIP.get(p.ip)?.has(k);
  }

  get size(): number {
    let n = 0;
    for (const m of this.byIP.values()) n += m.size;
    return n;
  }

  clone(): HostPortInfo {
    const c = new HostPortInfo();
    for (const [ip, m] of this.byIP) c.byIP.set(ip, new Map(m));
    return c;
  }
}
