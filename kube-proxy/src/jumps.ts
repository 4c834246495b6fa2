// The jump rules from the built-in chains into kube-proxy's chains (upstream iptablesJumpChains), and
// the --cleanup ruleset (upstream CleanupLeftovers): pure data and functions of iptables-save output.
import { KubeExternalServices, KubeForward, KubeNodePorts, KubePostrouting, KubeProxyFirewall, KubeServices, isServiceChainName } from './chains.ts';

export type Table = 'filter' | 'nat';

export interface JumpRule {
  table: Table;
  srcChain: string;
  dstChain: string;
  comment: string;
  extraArgs: string[];
}

const newConn = ['-m', 'conntrack', '--ctstate', 'NEW'];

export const jumpRules: readonly JumpRule[] = [
  { table: 'filter', dstChain: KubeExternalServices, srcChain: 'INPUT', comment: 'kubernetes externally-visible service portals', extraArgs: newConn },
  { table: 'filter', dstChain: KubeExternalServices, srcChain: 'FORWARD', comment: 'kubernetes externally-visible service portals', extraArgs: newConn },
  { table: 'filter', dstChain: KubeNodePorts, srcChain: 'INPUT', comment: 'kubernetes health check service ports', extraArgs: [] },
  { table: 'filter', dstChain: KubeServices, srcChain: 'FORWARD', comment: 'kubernetes service portals', extraArgs: newConn },
  { table: 'filter', dstChain: KubeServices, srcChain: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: newConn },
  { table: 'filter', dstChain: KubeForward, srcChain: 'FORWARD', comment: 'kubernetes forwarding rules', extraArgs: [] },
  { table: 'filter', dstChain: KubeProxyFirewall, srcChain: 'INPUT', comment: 'kubernetes load balancer firewall', extraArgs: newConn },
  { table: 'filter', dstChain: KubeProxyFirewall, srcChain: 'OUTPUT', comment: 'kubernetes load balancer firewall', extraArgs: newConn },
  { table: 'filter', dstChain: KubeProxyFirewall, srcChain: 'FORWARD', comment: 'kubernetes load balancer firewall', extraArgs: newConn },
  { table: 'nat', dstChain: KubeServices, srcChain: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', dstChain: KubeServices, srcChain: 'PREROUTING', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', dstChain: KubePostrouting, srcChain: 'POSTROUTING', comment: 'kubernetes postrouting rules', extraArgs: [] },
];

/** The rule arguments of a jump (after `-t table -I/-C/-D chain`). */
export function jumpArgs(j: JumpRule): string[] {
  return [...j.extraArgs, '-m', 'comment', '--comment', j.comment, '-j', j.dstChain];
}

/** Chain names declared in iptables-save output (`:NAME POLICY [p:b]` lines) of one table. */
export function chainsFromSave(save: string): Set<string> {
  const out = new Set<string>();
  for (const line of save.split('\n')) {
    const m = /^:(\S+)\s/.exec(line);
    if (m) out.add(m[1]);
  }
  return out;
}

/**
 * The iptables-restore --noflush input that flushes and deletes kube-proxy's chains (the jump rules
 * must be deleted first). KUBE-MARK-MASQ stays, as upstream leaves it (the kubelet may share it).
 */
export function cleanupRuleset(natSave: string, filterSave: string): string {
  const out: string[] = [];
  const section = (table: Table, existing: Set<string>, fixed: string[]) => {
    const chains = [...fixed.filter((c) => existing.has(c)), ...[...existing].filter(isServiceChainName).sort()];
    if (chains.length === 0) return;
    out.push(`*${table}`, ...chains.map((c) => `:${c} - [0:0]`), ...chains.map((c) => `-X ${c}`), 'COMMIT');
  };
  section('nat', chainsFromSave(natSave), [KubeServices, KubeNodePorts, KubePostrouting]);
  section('filter', chainsFromSave(filterSave), [KubeServices, KubeExternalServices, KubeForward, KubeNodePorts, KubeProxyFirewall]);
  return out.length ? `${out.join('\n')}\n` : '';
}
