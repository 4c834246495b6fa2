// The iptables proxier's ruleset as a pure function (upstream pkg/proxy/iptables/proxier.go
// syncProxyRules): (services, endpoint slices, node) → iptables-restore input for the filter and
// nat tables, meant for `iptables-restore --noflush` (only the KUBE-* chains it names are touched).
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import {
  KubeExternalServices, KubeForward, KubeMarkMasq, KubeNodePorts, KubePostrouting, KubeProxyFirewall, KubeServices,
  endpointChain, isServiceChainName, serviceChain, serviceExternalChain, serviceLocalChain,
} from './chains.ts';
import { categorizeEndpoints, endpointString, endpointsByServicePort, externallyAccessible, servicePortKey, servicePorts, type EndpointInfo, type ServicePortInfo } from './model.ts';

export interface RulesetOptions {
  /** This node's name (endpoints with this nodeName are local). */
  nodeName: string;
  /** --cluster-cidr: traffic from outside it to a cluster IP is masqueraded. */
  clusterCIDR?: string;
  /** --masquerade-all: masquerade all traffic to cluster IPs. */
  masqueradeAll?: boolean;
  /** 1 << --iptables-masquerade-bit (14). */
  masqueradeMark?: string;
  /** KUBE-* chains present in the nat table now (from iptables-save): unused service chains are deleted. */
  existingNatChains?: Iterable<string>;
}

export interface Ruleset {
  /** iptables-restore input: *filter … COMMIT, *nat … COMMIT. */
  text: string;
  /** The nat chains the ruleset fills (service, external and endpoint chains included). */
  natChains: string[];
  /** Stale service chains it deletes. */
  deletedChains: string[];
}

/** Quotes an argument for iptables-restore when it holds spaces. */
function arg(a: string): string {
  return /[\s"]/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a;
}

class Lines {
  readonly lines: string[] = [];
  write(...args: (string | string[])[]): void { this.lines.push(args.flat().map(arg).join(' ')); }
  chain(name: string): void { this.lines.push(`:${name} - [0:0]`); }
}

/** upstream's probability(n): 1/n printed with ten decimals. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

export function buildRuleset(services: readonly Service[], slices: readonly EndpointSlice[], o: RulesetOptions): Ruleset {
  const mark = o.masqueradeMark ?? '0x4000';
  const filterChains = new Lines();
  const filterRules = new Lines();
  const natChains = new Lines();
  const natRules = new Lines();
  const active = new Set<string>();

  for (const c of [KubeServices, KubeExternalServices, KubeForward, KubeNodePorts, KubeProxyFirewall]) filterChains.chain(c);
  for (const c of [KubeServices, KubeNodePorts, KubePostrouting, KubeMarkMasq]) { natChains.chain(c); active.add(c); }

  natRules.write('-A', KubePostrouting, '-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN');
  natRules.write('-A', KubePostrouting, '-j', 'MARK', '--xor-mark', mark);
  natRules.write('-A', KubePostrouting, '-m', 'comment', '--comment', 'kubernetes service traffic requiring SNAT', '-j', 'MASQUERADE', '--random-fully');
  natRules.write('-A', KubeMarkMasq, '-j', 'MARK', '--or-mark', mark);

  const endpointsMap = endpointsByServicePort(slices);
  const ports = services.flatMap((s) => servicePorts(s)).sort((a, b) => (a.nameString + a.protocol).localeCompare(b.nameString + b.protocol));
  for (const sp of ports) {
    const all = endpointsMap.get(servicePortKey(sp.namespace, sp.name, sp.portName, sp.protocol)) ?? [];
    writeServicePort(sp, all, o, { filterRules, natChains, natRules, active });
  }

  const deletedChains: string[] = [];
  for (const chain of [...new Set(o.existingNatChains ?? [])].sort()) {
    if (active.has(chain) || !isServiceChainName(chain)) continue;
    // A chain line flushes it; then it can be removed.
    natChains.chain(chain);
    natRules.write('-X', chain);
    deletedChains.push(chain);
  }

  // Must be the last rule of KUBE-SERVICES. (Localhost node ports are not enabled: no route_localnet.)
  natRules.write('-A', KubeServices, '-m', 'comment', '--comment', 'kubernetes service nodeports; NOTE: this must be the last rule in this chain',
    '-m', 'addrtype', '--dst-type', 'LOCAL', '!', '-d', '127.0.0.0/8', '-j', KubeNodePorts);

  filterRules.write('-A', KubeForward, '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
  filterRules.write('-A', KubeForward, '-m', 'comment', '--comment', 'kubernetes forwarding rules', '-m', 'mark', '--mark', `${mark}/${mark}`, '-j', 'ACCEPT');
  filterRules.write('-A', KubeForward, '-m', 'comment', '--comment', 'kubernetes forwarding conntrack rule', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT');

  const text = ['*filter', ...filterChains.lines, ...filterRules.lines, 'COMMIT', '*nat', ...natChains.lines, ...natRules.lines, 'COMMIT', ''].join('\n');
  return { text, natChains: [...active].sort(), deletedChains };
}

interface Out { filterRules: Lines; natChains: Lines; natRules: Lines; active: Set<string> }

function writeServicePort(sp: ServicePortInfo, all: readonly EndpointInfo[], o: RulesetOptions, out: Out): void {
  const { filterRules, natChains, natRules, active } = out;
  const protocol = sp.protocol.toLowerCase();
  const name = sp.nameString;
  const eps = categorizeEndpoints(all, sp, o.nodeName);
  const clusterPolicyChain = serviceChain(name, protocol);
  const localPolicyChain = serviceLocalChain(name, protocol);
  const externalTrafficChain = serviceExternalChain(name, protocol);
  const usesClusterPolicyChain = eps.cluster.length > 0 && (!sp.internalPolicyLocal || (externallyAccessible(sp) && !sp.externalPolicyLocal));
  const usesLocalPolicyChain = eps.local.length > 0 && (sp.internalPolicyLocal || (externallyAccessible(sp) && sp.externalPolicyLocal));

  const internalTrafficChain = sp.internalPolicyLocal ? localPolicyChain : clusterPolicyChain;
  const hasInternalEndpoints = eps.hasAny && (!sp.internalPolicyLocal || eps.local.length > 0);
  const externalPolicyChain = sp.externalPolicyLocal ? localPolicyChain : clusterPolicyChain;
  const hasExternalEndpoints = eps.hasAny && (!sp.externalPolicyLocal || eps.local.length > 0);
  const usesExternalTrafficChain = eps.hasAny && externallyAccessible(sp);

  let internalFilter: [string, string] | undefined;
  let externalFilter: [string, string] | undefined;
  if (!eps.hasAny) {
    internalFilter = externalFilter = ['REJECT', `${name} has no endpoints`];
  } else {
    if (!hasInternalEndpoints) internalFilter = ['DROP', `${name} has no local endpoints`];
    if (!hasExternalEndpoints) externalFilter = ['DROP', `${name} has no local endpoints`];
  }
  const match = (dest: string[]) => ['-m', protocol, '-p', protocol, ...dest];
  const port = String(sp.port);

  // Cluster IP.
  if (hasInternalEndpoints) {
    natRules.write('-A', KubeServices, '-m', 'comment', '--comment', `${name} cluster IP`, match(['-d', sp.clusterIP, '--dport', port]), '-j', internalTrafficChain);
  } else {
    filterRules.write('-A', KubeServices, '-m', 'comment', '--comment', internalFilter![1], match(['-d', sp.clusterIP, '--dport', port]), '-j', internalFilter![0]);
  }
  // External IPs and load-balancer IPs.
  for (const [ips, what] of [[sp.externalIPs, 'external IP'], [sp.loadBalancerIPs, 'loadbalancer IP']] as const) {
    for (const ip of ips) {
      if (eps.hasAny) natRules.write('-A', KubeServices, '-m', 'comment', '--comment', `${name} ${what}`, match(['-d', ip, '--dport', port]), '-j', externalTrafficChain);
      if (!hasExternalEndpoints) filterRules.write('-A', KubeExternalServices, '-m', 'comment', '--comment', externalFilter![1], match(['-d', ip, '--dport', port]), '-j', externalFilter![0]);
    }
  }
  // Node port.
  if (sp.nodePort) {
    if (eps.hasAny) natRules.write('-A', KubeNodePorts, '-m', 'comment', '--comment', name, match(['--dport', String(sp.nodePort)]), '-j', externalTrafficChain);
    if (!hasExternalEndpoints) {
      filterRules.write('-A', KubeExternalServices, '-m', 'comment', '--comment', externalFilter![1], '-m', 'addrtype', '--dst-type', 'LOCAL',
        match(['--dport', String(sp.nodePort)]), '-j', externalFilter![0]);
    }
  }

  // Masquerade traffic to the cluster IP that does not come from a pod.
  if (hasInternalEndpoints) {
    const args = ['-m', 'comment', '--comment', `${name} cluster IP`, ...match(['-d', sp.clusterIP, '--dport', port])];
    if (o.masqueradeAll) natRules.write('-A', internalTrafficChain, args, '-j', KubeMarkMasq);
    else if (o.clusterCIDR) natRules.write('-A', internalTrafficChain, args, '!', '-s', o.clusterCIDR, '-j', KubeMarkMasq);
  }

  if (usesExternalTrafficChain) {
    natChains.chain(externalTrafficChain);
    active.add(externalTrafficChain);
    if (!sp.externalPolicyLocal) {
      natRules.write('-A', externalTrafficChain, '-m', 'comment', '--comment', `masquerade traffic for ${name} external destinations`, '-j', KubeMarkMasq);
    } else {
      if (o.clusterCIDR) natRules.write('-A', externalTrafficChain, '-m', 'comment', '--comment', `pod traffic for ${name} external destinations`, '-s', o.clusterCIDR, '-j', clusterPolicyChain);
      natRules.write('-A', externalTrafficChain, '-m', 'comment', '--comment', `masquerade LOCAL traffic for ${name} external destinations`, '-m', 'addrtype', '--src-type', 'LOCAL', '-j', KubeMarkMasq);
      natRules.write('-A', externalTrafficChain, '-m', 'comment', '--comment', `route LOCAL traffic for ${name} external destinations`, '-m', 'addrtype', '--src-type', 'LOCAL', '-j', clusterPolicyChain);
    }
    if (hasExternalEndpoints) natRules.write('-A', externalTrafficChain, '-j', externalPolicyChain);
  }

  if (usesClusterPolicyChain) {
    natChains.chain(clusterPolicyChain);
    active.add(clusterPolicyChain);
    writeServiceToEndpointRules(natRules, sp, clusterPolicyChain, eps.cluster);
  }
  if (usesLocalPolicyChain) {
    natChains.chain(localPolicyChain);
    active.add(localPolicyChain);
    writeServiceToEndpointRules(natRules, sp, localPolicyChain, eps.local);
  }

  for (const ep of eps.allReachable) {
    const chain = endpointChain(name, protocol, endpointString(ep));
    natChains.chain(chain);
    active.add(chain);
    const head = ['-A', chain, '-m', 'comment', '--comment', name];
    // Traffic that loops back to the pod that sent it needs SNAT.
    natRules.write(head, '-s', ep.ip, '-j', KubeMarkMasq);
    const affinity = sp.stickyMaxAgeSeconds !== undefined ? ['-m', 'recent', '--name', chain, '--set'] : [];
    natRules.write(head, affinity, '-m', protocol, '-p', protocol, '-j', 'DNAT', '--to-destination', endpointString(ep));
  }
}

function writeServiceToEndpointRules(natRules: Lines, sp: ServicePortInfo, svcChain: string, endpoints: readonly EndpointInfo[]): void {
  const protocol = sp.protocol.toLowerCase();
  if (sp.stickyMaxAgeSeconds !== undefined) {
    for (const ep of endpoints) {
      const chain = endpointChain(sp.nameString, protocol, endpointString(ep));
      natRules.write('-A', svcChain, '-m', 'comment', '--comment', `${sp.nameString} -> ${endpointString(ep)}`,
        '-m', 'recent', '--name', chain, '--rcheck', '--seconds', String(sp.stickyMaxAgeSeconds), '--reap', '-j', chain);
    }
  }
  endpoints.forEach((ep, i) => {
    const chain = endpointChain(sp.nameString, protocol, endpointString(ep));
    const stat = i < endpoints.length - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability(endpoints.length - i)] : [];
    natRules.write('-A', svcChain, '-m', 'comment', '--comment', `${sp.nameString} -> ${endpointString(ep)}`, stat, '-j', chain);
  });
}
