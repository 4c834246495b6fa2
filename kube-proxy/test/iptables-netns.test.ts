// kube-proxy against REAL iptables, only inside network namespaces this test creates: a "node"
// namespace (where the rules go) joined by a veth pair to a "pod" namespace running a TCP server on
// two addresses. Connections to the ClusterIP / NodePort from the node namespace must reach the pod
// through the DNAT rules. Everything created is removed in afterAll (processes by pid).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { Clientset, SharedInformerFactory, loadRestConfig, createLogger } from '@k8ts/client';
import { Iptables, exec } from '../src/iptables.ts';
import { buildRuleset } from '../src/ruleset.ts';
import { Proxier } from '../src/proxier.ts';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';

const id = randomBytes(3).toString('hex');
const nodeNs = `k8ts-kp-test-${id}`;
const podNs = `k8ts-kp-pod-${id}`;
const nodeIP = '10.180.0.254';
const podIPs = ['10.180.0.1', '10.180.0.2'];
const inNode = ['ip', 'netns', 'exec', nodeNs];

async function sh(cmd: string[]): Promise<string> {
  const r = await exec(cmd);
  if (r.code !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Opens `count` connections from the node namespace; each yields the pod's reply or the error code. */
async function connect(host: string, port: number, count = 1): Promise<string[]> {
  const script = `
    const net = require('node:net');
    const one = () => new Promise((res) => {
      const s = net.connect({ host: ${JSON.stringify(host)}, port: ${port}, timeout: 2000 });
      let data = '';
      s.on('data', (d) => { data += d; });
      s.on('end', () => res(data.trim()));
      s.on('timeout', () => { s.destroy(); res('TIMEOUT'); });
      s.on('error', (e) => res(e.code));
    });
    (async () => { const out = []; for (let i = 0; i < ${count}; i++) out.push(await one()); console.log(JSON.stringify(out)); })();`;
  return JSON.parse(await sh([...inNode, process.execPath, '-e', script]));
}

describe('kube-proxy rules in a network namespace', () => {
  let server: ChildProcess | undefined;
  const iptables = new Iptables(inNode);

  beforeAll(async () => {
    await sh(['ip', 'netns', 'add', nodeNs]);
    await sh(['ip', 'netns', 'add', podNs]);
    await sh([...inNode, 'ip', 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1', 'netns', podNs]);
    await sh([...inNode, 'ip', 'addr', 'add', `${nodeIP}/24`, 'dev', 'veth0']);
    await sh([...inNode, 'ip', 'link', 'set', 'veth0', 'up']);
    await sh([...inNode, 'ip', 'link', 'set', 'lo', 'up']);
    await sh([...inNode, 'ip', 'route', 'add', 'default', 'dev', 'veth0']);
    const inPod = ['ip', 'netns', 'exec', podNs];
    for (const ip of podIPs) await sh([...inPod, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'veth1']);
    await sh([...inPod, 'ip', 'link', 'set', 'veth1', 'up']);
    await sh([...inPod, 'ip', 'link', 'set', 'lo', 'up']);
    await sh([...inPod, 'ip', 'route', 'add', 'default', 'via', nodeIP]);
    // The "pod": answers every connection with the address it was reached on.
    server = spawn('ip', ['netns', 'exec', podNs, process.execPath, '-e',
      `require('node:net').createServer((s) => s.end('hello from ' + s.localAddress + '\\n')).listen(8080, '0.0.0.0', () => console.log('listening'))`],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.once('data', () => resolve());
      server!.once('exit', (c) => reject(new Error(`pod server exited ${c}`)));
    });
  }, 30_000);

  afterAll(async () => {
    if (server?.pid) {
      server.kill('SIGTERM');
      await new Promise((r) => { if (server!.exitCode !== null) r(undefined); else server!.once('exit', r); });
    }
    await exec(['ip', 'netns', 'del', podNs]);
    await exec(['ip', 'netns', 'del', nodeNs]);
  });

  const service: Service = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' }] },
  };
  const slice = (ips: string[]): EndpointSlice => ({
    metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true }, nodeName: 'node-a' })),
  });

  it('installs the jump rules once and the ruleset with iptables-restore --noflush; traffic reaches the pod by DNAT', async () => {
    expect(await connect('10.96.0.10', 80)).not.toEqual(['hello from 10.180.0.1']);
    await iptables.ensureJumps();
    await iptables.ensureJumps();
    const rs = buildRuleset([service], [slice([podIPs[0]])], { nodeName: 'node-a', clusterCIDR: '10.180.0.0/16', existingNatChains: await iptables.chains('nat') });
    await iptables.restore(rs.text);
    const nat = await iptables.save('nat');
    expect(nat.match(/-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/g)).toHaveLength(1);
    expect(nat).toMatch(/-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);
    expect(nat).toMatch(/-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING/);
    expect(nat).toMatch(/-A KUBE-SERVICES -d 10\.96\.0\.10\/32 -p tcp -m comment --comment "default\/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-/);
    expect(nat).toMatch(/-j DNAT --to-destination 10\.180\.0\.1:8080/);

    expect(await connect('10.96.0.10', 80)).toEqual(['hello from 10.180.0.1']);
    // NodePort on the node's own address.
    expect(await connect(nodeIP, 30080)).toEqual(['hello from 10.180.0.1']);
  }, 30_000);

  it('balances over two endpoints, rejects without endpoints, deletes stale chains', async () => {
    await iptables.restore(buildRuleset([service], [slice(podIPs)], { nodeName: 'node-a', existingNatChains: await iptables.chains('nat') }).text);
    const replies = new Set(await connect('10.96.0.10', 80, 24));
    expect(replies).toEqual(new Set(['hello from 10.180.0.1', 'hello from 10.180.0.2']));

    const rs = buildRuleset([service], [], { nodeName: 'node-a', existingNatChains: await iptables.chains('nat') });
    expect(rs.deletedChains.filter((c) => c.startsWith('KUBE-SEP-'))).toHaveLength(2);
    await iptables.restore(rs.text);
    expect(await connect('10.96.0.10', 80)).toEqual(['ECONNREFUSED']);
    const nat = await iptables.save('nat');
    expect(nat).not.toMatch(/KUBE-SEP-|KUBE-SVC-/);
    expect(await iptables.save('filter')).toMatch(/-A KUBE-SERVICES -d 10\.96\.0\.10\/32 -p tcp -m comment --comment "default\/web:http has no endpoints" -m tcp --dport 80 -j REJECT/);
  }, 30_000);

  it('the Proxier follows Services and EndpointSlices from the API server, and --cleanup removes everything', async () => {
    let s: TestServer | undefined;
    const stop = new AbortController();
    let informers: SharedInformerFactory | undefined;
    try {
      s = await startTestServer();
      const cs = new Clientset(loadRestConfig({ kubeconfig: s.kubeconfig }));
      const created = await cs.services('default').create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' },
        spec: { ports: [{ name: 'http', port: 8000, targetPort: 8080 }] } } as never);
      const clusterIP = (created as Service).spec!.clusterIP!;
      // A service kube-proxy must ignore (service-proxy-name label).
      await cs.services('default').create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'other', labels: { 'service.kubernetes.io/service-proxy-name': 'x' } },
        spec: { ports: [{ port: 81 }] } } as never);
      informers = new SharedInformerFactory(cs);
      const proxier = new Proxier(informers, iptables, { nodeName: 'node-a', clusterCIDR: '10.180.0.0/16', minSyncPeriodMs: 100, syncPeriodMs: 30_000, log: createLogger({ component: 'kube-proxy-test', verbosity: 0 }) });
      informers.start(stop.signal);
      const running = proxier.run(stop.signal);

      const until = async (what: string, fn: () => Promise<boolean>) => {
        for (let i = 0; i < 100; i++) { if (await fn()) return; await new Promise((r) => setTimeout(r, 100)); }
        throw new Error(`timed out: ${what}`);
      };
      await until('REJECT for the service without endpoints', async () => (await iptables.save('filter')).includes('default/api:http has no endpoints'));
      expect(await iptables.save('filter')).not.toContain('default/other');

      await cs.endpointSlices('default').create({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: { name: 'api-xyz12', labels: { 'kubernetes.io/service-name': 'api' } },
        addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: [podIPs[1]], conditions: { ready: true } }] } as never);
      await until('DNAT to the endpoint', async () => (await iptables.save('nat')).includes('--to-destination 10.180.0.2:8080'));
      expect(await connect(clusterIP, 8000)).toEqual(['hello from 10.180.0.2']);
      const restores = proxier.restores;
      // No change, no rewrite (within the sync period).
      await new Promise((r) => setTimeout(r, 300));
      expect(proxier.restores).toBe(restores);

      await cs.endpointSlices('default').delete('api-xyz12');
      await until('REJECT again', async () => (await iptables.save('filter')).includes('default/api:http has no endpoints'));
      expect(await connect(clusterIP, 8000)).toEqual(['ECONNREFUSED']);

      stop.abort();
      await running;
    } finally {
      stop.abort();
      await informers?.shutdown();
      await s?.stop();
    }

    await iptables.cleanup();
    const nat = await iptables.save('nat');
    const filter = await iptables.save('filter');
    expect(nat).not.toMatch(/KUBE-(SERVICES|NODEPORTS|POSTROUTING|SVC-|SEP-|EXT-)/);
    expect(filter).not.toMatch(/KUBE-(SERVICES|EXTERNAL-SERVICES|FORWARD|NODEPORTS|PROXY-FIREWALL)/);
  }, 60_000);
});
