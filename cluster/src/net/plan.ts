// The network of one cluster on this machine (kind-style), decided as a pure function of the cluster's
// name, its node count and the routes the root namespace already has:
//  - a bridge `k8ts-<cluster>` in the root namespace holding the first address of the node subnet
//    172.30.<k>.0/24 (k chosen so the subnet clashes with no existing route or address);
//  - per node a network namespace `k8ts-<node>`, a veth from the bridge into it (eth0 inside), the next
//    addresses of the node subnet, and its own pod CIDR 10.244.<i>.0/24 (the first /24s no route covers);
//  - the pod and service ranges are `unreachable` in the root namespace below the per-node routes, with
//    a metric of the cluster's own, so several clusters can coexist and each removes only its routes.
import { createHash } from 'node:crypto';
import { formatCidr, formatIPv4, overlaps, parseCidr, parseIPv4, type Cidr } from './cidr.ts';

export const podNetwork = '10.244.0.0/16';
export const serviceNetwork = '10.96.0.0/12';
export const nodeNetwork = '172.30.0.0/16';

export type NodeRole = 'control-plane' | 'worker';

export interface NodePlan {
  name: string;
  role: NodeRole;
  /** `ip netns` name. */
  netns: string;
  /** Root-namespace end of the node's veth (its other end is eth0 inside netns). */
  hostVeth: string;
  /** The node's address (InternalIP). */
  address: string;
  podCidr: string;
}

export interface NetworkPlan {
  cluster: string;
  bridge: string;
  /** The root namespace's address on the bridge: nodes' default gateway, API server and registry address. */
  bridgeAddress: string;
  /** The node subnet, e.g. 172.30.7.0/24. */
  subnet: string;
  nodes: NodePlan[];
  /** Metric of this cluster's unreachable routes for podNetwork and serviceNetwork in the root namespace. */
  metric: number;
  /** iptables comment marking this cluster's rules. */
  ruleComment: string;
}

/** A route of the root namespace as `ip -j route show table all` reports it. */
export interface ObservedRoute { dst: string; type?: string; dev?: string }

const nameRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateClusterName(cluster: string): void {
  if (!nameRe.test(cluster) || cluster.length > 40) {
    throw new Error(`invalid cluster name "${cluster}": lowercase letters, digits and '-', at most 40 characters`);
  }
}

/** 8 hex digits identifying the cluster in interface names. */
export function clusterTag(cluster: string): string {
  return createHash('sha256').update(cluster).digest('hex').slice(0, 8);
}

/** Linux interface names are at most 15 characters: `k8ts-<cluster>` when it fits, else `k8ts-<hash>`. */
export function bridgeName(cluster: string): string {
  const plain = `k8ts-${cluster}`;
  return plain.length <= 15 ? plain : `k8ts-${clusterTag(cluster)}`;
}

/** `kv<hash>-<i>`: at most 15 characters for i < 10000. */
export function hostVethName(cluster: string, index: number): string {
  return `kv${clusterTag(cluster)}-${index}`;
}

export function hostVethPrefix(cluster: string): string {
  return `kv${clusterTag(cluster)}-`;
}

export function netnsName(nodeName: string): string {
  return `k8ts-${nodeName}`;
}

export function routeMetric(cluster: string): number {
  return 1000 + (parseInt(clusterTag(cluster).slice(0, 6), 16) % 60_000);
}

/** Node names as kind names them: <cluster>-control-plane, <cluster>-worker, <cluster>-worker2, ... */
export function nodeNames(cluster: string, count: number): { name: string; role: NodeRole }[] {
  if (!Number.isInteger(count) || count < 1 || count > 200) throw new Error(`invalid node count ${count}: 1 to 200`);
  return Array.from({ length: count }, (_, i) => i === 0
    ? { name: `${cluster}-control-plane`, role: 'control-plane' as const }
    : { name: `${cluster}-worker${i === 1 ? '' : i}`, role: 'worker' as const });
}

/** Routes that make an address range "taken"; unreachable catch-alls (ours and other clusters') do not. */
function takenRanges(routes: ObservedRoute[]): Cidr[] {
  return routes
    .filter((r) => r.dst !== 'default' && r.type !== 'unreachable' && r.type !== 'blackhole' && r.type !== 'prohibit')
    .map((r) => parseCidr(r.dst))
    .filter((c) => c.bits >= 8);
}

/**
 * The cluster's network. Routes of this cluster's own bridge (a re-run after a crash) do not count as
 * taken. Throws when the node subnet or pod network has no room left.
 */
export function planNetwork(cluster: string, nodeCount: number, routes: ObservedRoute[]): NetworkPlan {
  validateClusterName(cluster);
  const bridge = bridgeName(cluster);
  const taken = takenRanges(routes.filter((r) => r.dev !== bridge));
  const free = (c: Cidr) => !taken.some((t) => overlaps(t, c));

  const nodes = nodeNames(cluster, nodeCount);
  const start = parseInt(clusterTag(cluster).slice(0, 4), 16) % 254;
  let subnet: Cidr | undefined;
  for (let j = 0; j < 254 && !subnet; j++) {
    const c = parseCidr(`172.30.${1 + ((start + j) % 254)}.0/24`);
    if (free(c)) subnet = c;
  }
  if (!subnet) throw new Error(`no free /24 left in ${nodeNetwork} for the node subnet`);
  if (nodeCount > 250) throw new Error('at most 250 nodes fit a node subnet');

  const podCidrs: string[] = [];
  const pods = parseCidr(podNetwork);
  for (let b = 0; b < 256 && podCidrs.length < nodeCount; b++) {
    const c: Cidr = { base: pods.base + b * 256, bits: 24 };
    if (free(c)) podCidrs.push(formatCidr(c));
  }
  if (podCidrs.length < nodeCount) throw new Error(`not enough free /24s left in ${podNetwork} for ${nodeCount} nodes`);

  return {
    cluster,
    bridge,
    bridgeAddress: formatIPv4(subnet.base + 1),
    subnet: formatCidr(subnet),
    nodes: nodes.map((n, i) => ({
      ...n,
      netns: netnsName(n.name),
      hostVeth: hostVethName(cluster, i),
      address: formatIPv4(subnet.base + 2 + i),
      podCidr: podCidrs[i]!,
    })),
    metric: routeMetric(cluster),
    ruleComment: `k8ts:${cluster}`,
  };
}

/** The prefix length of the node subnet (for `ip addr add <address>/<len>`). */
export function subnetBits(plan: NetworkPlan): number {
  return parseCidr(plan.subnet).bits;
}

export function isInRange(ip: string, cidr: string): boolean {
  const c = parseCidr(cidr);
  const n = parseIPv4(ip);
  return n >= c.base && n < c.base + 2 ** (32 - c.bits);
}
