// Creates and removes a cluster's network (see plan.ts). Creation is idempotent (every step is an
// "ensure"); removal finds what to remove from the cluster's name alone when no plan was recorded.
import { iptables, ipBatch, ip, links, netnsList, netnsSysctl, routes } from './ip.ts';
import { withNetLock } from './lock.ts';
import {
  bridgeName, hostVethPrefix, planNetwork, podNetwork, routeMetric, serviceNetwork, subnetBits, validateClusterName,
  type NetworkPlan,
} from './plan.ts';

/** Chooses the cluster's ranges and creates its network, under the machine-wide network lock. */
export async function createNetwork(cluster: string, nodeCount: number): Promise<NetworkPlan> {
  return withNetLock(async () => {
    const plan = planNetwork(cluster, nodeCount, await routes());
    // The bridge address and node routes claim the ranges for concurrent planners: create them under the lock.
    await ensureNetwork(plan);
    return plan;
  });
}

function forwardRule(plan: NetworkPlan): string[] {
  // Defence in depth: even if someone enables forwarding in the root namespace, nothing from the
  // cluster's bridge is forwarded anywhere but back into the bridge.
  return ['FORWARD', '-i', plan.bridge, '!', '-o', plan.bridge, '-m', 'comment', '--comment', plan.ruleComment, '-j', 'DROP'];
}

export async function ensureNetwork(plan: NetworkPlan): Promise<void> {
  const bits = subnetBits(plan);
  const rootLinks = new Set((await links()).map((l) => l.ifname));
  const namespaces = new Set(await netnsList());

  const root: string[] = [];
  if (!rootLinks.has(plan.bridge)) root.push(`link add ${plan.bridge} type bridge`);
  root.push(`addr replace ${plan.bridgeAddress}/${bits} dev ${plan.bridge}`, `link set ${plan.bridge} up`);
  root.push(`route replace unreachable ${podNetwork} metric ${plan.metric}`, `route replace unreachable ${serviceNetwork} metric ${plan.metric}`);
  await ipBatch(root);
  try { await iptables('-C', ...forwardRule(plan)); } catch { await iptables('-I', ...forwardRule(plan)); }

  for (const node of plan.nodes) {
    if (!namespaces.has(node.netns)) await ip('netns', 'add', node.netns);
    const inside = new Set((await links(node.netns)).map((l) => l.ifname));
    if (rootLinks.has(node.hostVeth) && !inside.has('eth0')) {
      await ip('link', 'del', node.hostVeth); // half of an old pair: recreate
      rootLinks.delete(node.hostVeth);
    }
    if (!rootLinks.has(node.hostVeth)) {
      await ip('link', 'add', node.hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns);
    }
    await ipBatch([`link set ${node.hostVeth} master ${plan.bridge}`, `link set ${node.hostVeth} up`,
      `route replace ${node.podCidr} via ${node.address} dev ${plan.bridge}`]);
    const lines = [
      'link set lo up',
      `addr replace ${node.address}/${bits} dev eth0`,
      'link set eth0 up',
      `route replace default via ${plan.bridgeAddress} dev eth0`,
      // Below the CNI bridge's connected route: the node's own pod CIDR never goes back out of the node.
      `route replace unreachable ${node.podCidr} metric ${plan.metric}`,
    ];
    for (const other of plan.nodes) if (other !== node) lines.push(`route replace ${other.podCidr} via ${other.address} dev eth0`);
    await ipBatch(lines, { netns: node.netns });
    await netnsSysctl(node.netns, 'net.ipv4.ip_forward', '1');
  }
}

/** Namespaces of the cluster's nodes, by name: k8ts-<cluster>-control-plane, k8ts-<cluster>-worker[N]. */
export function isClusterNetns(cluster: string, netns: string): boolean {
  const escaped = cluster.replace(/[-]/g, '\\-');
  return new RegExp(`^k8ts-${escaped}-(control-plane|worker\\d*)$`).test(netns);
}

/** Removes namespaces, veths, bridge, routes and iptables rules of the cluster; missing pieces are fine. */
export async function teardownNetwork(cluster: string, plan?: NetworkPlan): Promise<void> {
  validateClusterName(cluster);
  const bridge = plan?.bridge ?? bridgeName(cluster);
  const metric = plan?.metric ?? routeMetric(cluster);
  const planned = new Set(plan?.nodes.map((n) => n.netns) ?? []);
  for (const ns of await netnsList()) {
    if (planned.has(ns) || isClusterNetns(cluster, ns)) await ip('netns', 'del', ns).catch(() => undefined);
  }
  const prefix = hostVethPrefix(cluster);
  for (const l of await links()) {
    if (l.ifname.startsWith(prefix) || l.ifname === bridge) await ip('link', 'del', l.ifname).catch(() => undefined);
  }
  const lines = [`route del unreachable ${podNetwork} metric ${metric}`, `route del unreachable ${serviceNetwork} metric ${metric}`];
  for (const n of plan?.nodes ?? []) lines.push(`route del ${n.podCidr} via ${n.address}`);
  await ipBatch(lines, { force: true }).catch(() => undefined);
  const rule = forwardRule({ bridge, ruleComment: `k8ts:${cluster}` } as NetworkPlan);
  for (let i = 0; i < 10; i++) {
    try { await iptables('-D', ...rule); } catch { break; }
  }
}

/** What of the cluster's network exists now (for status and tests). */
export async function observeNetwork(cluster: string): Promise<{ netns: string[]; links: string[]; routes: string[]; rules: string[] }> {
  const bridge = bridgeName(cluster);
  const prefix = hostVethPrefix(cluster);
  const metric = routeMetric(cluster);
  const rs = await routes();
  const rules = (await iptables('-S', 'FORWARD')).split('\n').filter((l) => l.includes(`--comment "k8ts:${cluster}"`) || l.includes(`--comment k8ts:${cluster} `));
  return {
    netns: (await netnsList()).filter((n) => isClusterNetns(cluster, n)),
    links: (await links()).map((l) => l.ifname).filter((n) => n === bridge || n.startsWith(prefix)),
    routes: rs.filter((r) => r.dev === bridge || (r.type === 'unreachable' && (r as { metric?: number }).metric === metric))
      .map((r) => `${r.type ?? 'unicast'} ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}`),
    rules,
  };
}
