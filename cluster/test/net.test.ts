// The cluster network for real: namespaces, veths, a bridge and routes on this machine.
import { describe, it, expect, afterAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { run } from '../src/images/run.ts';
import {
  createNetwork, teardownNetwork, observeNetwork, planNetwork, bridgeName, hostVethName, nodeNames, isClusterNetns,
  type NetworkPlan,
} from '../src/net/index.ts';

const ping = (netns: string | undefined, addr: string) =>
  run(netns ? 'nsenter' : 'busybox', [...(netns ? [`--net=/var/run/netns/${netns}`, '--', 'busybox'] : []), 'ping', '-c1', '-W2', addr]);
const routeGet = (addr: string, netns?: string) =>
  run('ip', [...(netns ? ['-n', netns] : []), 'route', 'get', addr]).then((r) => r.stdout, (e: Error) => `error: ${e.message}`);

describe('network plan (pure)', () => {
  it('names fit Linux interface names and nodes are named as kind names them', () => {
    expect(bridgeName('k8ts')).toBe('k8ts-k8ts');
    expect(bridgeName('a-very-long-cluster-name')).toMatch(/^k8ts-[0-9a-f]{8}$/);
    expect(hostVethName('a-very-long-cluster-name', 199).length).toBeLessThanOrEqual(15);
    expect(nodeNames('c', 4).map((n) => `${n.name}:${n.role}`)).toEqual(['c-control-plane:control-plane', 'c-worker:worker', 'c-worker2:worker', 'c-worker3:worker']);
    expect(isClusterNetns('c', 'k8ts-c-worker2')).toBe(true);
    expect(isClusterNetns('c', 'k8ts-c-d-worker2')).toBe(false);
  });

  it('chooses a node subnet and pod CIDRs that no existing route covers', () => {
    const first = planNetwork('demo', 3, []);
    expect(first.nodes.map((n) => n.podCidr)).toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
    expect(first.subnet).toMatch(/^172\.30\.\d+\.0\/24$/);
    expect(first.nodes.map((n) => n.address)).toEqual([2, 3, 4].map((i) => first.subnet.replace(/0\/24$/, String(i))));
    // Another cluster's routes (its bridge subnet and node routes) are avoided; unreachable catch-alls are not "taken".
    const other = [
      { dst: first.subnet, dev: 'k8ts-other' }, { dst: '10.244.0.0/24', dev: 'k8ts-other' }, { dst: '10.244.2.0/24', dev: 'k8ts-other' },
      { dst: '10.244.0.0/16', type: 'unreachable' }, { dst: '172.31.0.0/16', dev: 'eth1' },
    ];
    const second = planNetwork('demo', 3, other);
    expect(second.subnet).not.toBe(first.subnet);
    expect(second.nodes.map((n) => n.podCidr)).toEqual(['10.244.1.0/24', '10.244.3.0/24', '10.244.4.0/24']);
    // A 172.16.0.0/12 route covers all of 172.30.0.0/16.
    expect(() => planNetwork('demo', 1, [{ dst: '172.16.0.0/12', dev: 'eth1' }])).toThrow(/no free \/24/);
    // Routes on the cluster's own bridge (a leftover of a crashed run) do not count.
    expect(planNetwork('demo', 3, [{ dst: '10.244.0.0/24', dev: 'k8ts-demo' }]).nodes[0]!.podCidr).toBe('10.244.0.0/24');
    expect(() => planNetwork('Bad_Name', 1, [])).toThrow(/invalid cluster name/);
  });
});

describe('network on this machine', () => {
  const cluster = `nt-${randomBytes(3).toString('hex')}`;
  let plan: NetworkPlan;

  afterAll(async () => {
    await teardownNetwork(cluster, plan);
  }, 60_000);

  it('creates namespaces on a bridge that reach each other and the bridge address', async () => {
    plan = await createNetwork(cluster, 3);
    const [cp, w1, w2] = plan.nodes as [NetworkPlan['nodes'][0], NetworkPlan['nodes'][0], NetworkPlan['nodes'][0]];
    await ping(cp.netns, w1.address);
    await ping(w2.netns, cp.address);
    await ping(w1.netns, plan.bridgeAddress);
    await ping(undefined, w2.address);
    // Each node's pod CIDR is routed to its address in the other nodes and in the root namespace.
    expect(await routeGet(w1.podCidr.replace(/0\/24$/, '5'), cp.netns)).toContain(`via ${w1.address} dev eth0`);
    expect(await routeGet(cp.podCidr.replace(/0\/24$/, '5'), w2.netns)).toContain(`via ${cp.address} dev eth0`);
    expect(await routeGet(w2.podCidr.replace(/0\/24$/, '5'))).toContain(`via ${w2.address} dev ${plan.bridge}`);
    // Its own pod CIDR is unreachable until the CNI bridge claims it; everything else goes to the bridge.
    expect(await routeGet(cp.podCidr.replace(/0\/24$/, '5'), cp.netns)).toMatch(/No route to host/);
    expect(await routeGet('192.0.2.77', w1.netns)).toContain(`via ${plan.bridgeAddress} dev eth0`);
  }, 60_000);

  it('never routes pod or service ranges out of the root namespace', async () => {
    for (const addr of ['10.244.250.9', '10.96.0.1', '10.111.22.33']) {
      expect(await routeGet(addr)).toMatch(/No route to host/);
    }
    const unreachable = (await run('ip', ['-4', 'route', 'show', 'type', 'unreachable'])).stdout;
    expect(unreachable).toContain(`10.244.0.0/16 metric ${plan.metric}`);
    expect(unreachable).toContain(`10.96.0.0/12 metric ${plan.metric}`);
    const forwarding = (await run('sysctl', ['-n', 'net.ipv4.ip_forward'])).stdout.trim();
    expect(forwarding).toBe('0');
    expect((await observeNetwork(cluster)).rules).toHaveLength(1);
  });

  it('is idempotent and removes everything it made', async () => {
    const before = await observeNetwork(cluster);
    const again = await createNetwork(cluster, 3);
    expect(again).toEqual(plan);
    expect(await observeNetwork(cluster)).toEqual(before);
    expect(before.netns).toHaveLength(3);
    expect(before.links).toHaveLength(4);

    // Removal works from the cluster's name alone (no recorded plan), twice.
    await teardownNetwork(cluster);
    await teardownNetwork(cluster);
    expect(await observeNetwork(cluster)).toEqual({ netns: [], links: [], routes: [], rules: [] });
    expect(await routeGet(plan.nodes[1]!.podCidr.replace(/0\/24$/, '5'))).not.toContain(plan.bridge);
  }, 60_000);
});
