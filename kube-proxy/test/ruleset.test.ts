import { describe, it, expect } from 'vitest';
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice, Endpoint } from 'kubernetes-types/discovery/v1';
import { portProtoHash, serviceChain, endpointChain, serviceExternalChain } from '../src/chains.ts';
import { buildRuleset, probability } from '../src/ruleset.ts';
import { cleanupRuleset, chainsFromSave } from '../src/jumps.ts';
import { parseDuration } from '../src/duration.ts';
import { BoundedFrequencyRunner } from '../src/runner.ts';

const svc = (name: string, spec: Partial<Service['spec']> = {}): Service => ({
  metadata: { name, namespace: 'ns1' },
  spec: { type: 'ClusterIP', clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }], ...spec },
});
const ep = (ip: string, o: { ready?: boolean; serving?: boolean; terminating?: boolean; node?: string } = {}): Endpoint => ({
  addresses: [ip], nodeName: o.node ?? 'node-a',
  conditions: { ready: o.ready ?? true, serving: o.serving ?? o.ready ?? true, terminating: o.terminating ?? false },
});
const slice = (svcName: string, endpoints: Endpoint[], port = 80): EndpointSlice => ({
  metadata: { name: `${svcName}-abcde`, namespace: 'ns1', labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4', ports: [{ name: 'p80', port, protocol: 'TCP' }], endpoints,
});
const opts = { nodeName: 'node-a', clusterCIDR: '10.0.0.0/8' };
const lines = (text: string) => text.split('\n');

describe('chain names', () => {
  it('match upstream hashes', () => {
    expect(portProtoHash('default/kubernetes:https', 'tcp')).toBe('NPX46M4PTMTKRN6Y');
    expect(portProtoHash('kube-system/kube-dns:dns', 'udp')).toBe('TCOU7JCQXEZGVUNU');
    expect(serviceChain('ns1/svc1:p80', 'tcp')).toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
  });
});

describe('buildRuleset', () => {
  it('writes the base chains, postrouting masquerade and mark rules', () => {
    const { text } = buildRuleset([], [], opts);
    expect(lines(text)).toEqual([
      '*filter',
      ':KUBE-SERVICES - [0:0]', ':KUBE-EXTERNAL-SERVICES - [0:0]', ':KUBE-FORWARD - [0:0]', ':KUBE-NODEPORTS - [0:0]', ':KUBE-PROXY-FIREWALL - [0:0]',
      '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      'COMMIT',
      '*nat',
      ':KUBE-SERVICES - [0:0]', ':KUBE-NODEPORTS - [0:0]', ':KUBE-POSTROUTING - [0:0]', ':KUBE-MARK-MASQ - [0:0]',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS',
      'COMMIT',
      '',
    ]);
  });

  it('a ClusterIP service with one endpoint: KUBE-SERVICES → KUBE-SVC → KUBE-SEP → DNAT', () => {
    const { text, natChains } = buildRuleset([svc('svc1')], [slice('svc1', [ep('10.180.0.1')])], opts);
    const l = lines(text);
    expect(l).toContain('-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(l).toContain('-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ');
    expect(l).toContain('-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(l).toContain('-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ');
    expect(l).toContain('-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80');
    expect(natChains).toContain('KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(natChains).toContain('KUBE-SEP-SXIVWICOYRO3J4NJ');
    // Chain lines come before any rule of the table; the nodeports jump is the last KUBE-SERVICES rule.
    const nat = l.slice(l.indexOf('*nat'));
    expect(nat.findIndex((x) => x === ':KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]')).toBeLessThan(nat.findIndex((x) => x.startsWith('-A')));
    const svcRules = nat.filter((x) => x.startsWith('-A KUBE-SERVICES'));
    expect(svcRules.at(-1)).toContain('-j KUBE-NODEPORTS');
  });

  it('spreads load with statistic random probabilities 1/n, 1/(n-1), …, last unconditional', () => {
    expect(probability(3)).toBe('0.3333333333');
    const { text } = buildRuleset([svc('svc1')], [slice('svc1', [ep('10.180.0.3'), ep('10.180.0.1'), ep('10.180.0.2')])], opts);
    const chain = serviceChain('ns1/svc1:p80', 'tcp');
    const jumps = lines(text).filter((x) => x.startsWith(`-A ${chain}`) && x.includes(' -> '));
    expect(jumps).toEqual([
      `-A ${chain} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.3333333333 -j ${endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80')}`,
      `-A ${chain} -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -m statistic --mode random --probability 0.5000000000 -j ${endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.2:80')}`,
      `-A ${chain} -m comment --comment "ns1/svc1:p80 -> 10.180.0.3:80" -j ${endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.3:80')}`,
    ]);
  });

  it('rejects traffic to a service without usable endpoints in the filter table', () => {
    const { text, natChains } = buildRuleset([svc('svc1')], [slice('svc1', [ep('10.180.0.1', { ready: false })])], opts);
    expect(lines(text)).toContain('-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j REJECT');
    expect(natChains.some((c) => c.startsWith('KUBE-SVC-') || c.startsWith('KUBE-SEP-'))).toBe(false);
  });

  it('falls back to serving terminating endpoints when none is ready', () => {
    const { text } = buildRuleset([svc('svc1')], [slice('svc1', [ep('10.180.0.1', { ready: false, serving: true, terminating: true }), ep('10.180.0.2', { ready: false, serving: false })])], opts);
    expect(text).toContain('--to-destination 10.180.0.1:80');
    expect(text).not.toContain('10.180.0.2');
  });

  it('NodePort: KUBE-NODEPORTS → KUBE-EXT (masquerade) → KUBE-SVC; REJECT on the node port without endpoints', () => {
    const s = svc('svc2', { type: 'NodePort', clusterIP: '172.30.0.42', ports: [{ name: 'p80', port: 80, nodePort: 30080, protocol: 'TCP' }] });
    const ext = serviceExternalChain('ns1/svc2:p80', 'tcp');
    const { text } = buildRuleset([s], [slice('svc2', [ep('10.180.0.2')])], opts);
    const l = lines(text);
    expect(l).toContain(`-A KUBE-NODEPORTS -m comment --comment ns1/svc2:p80 -m tcp -p tcp --dport 30080 -j ${ext}`);
    expect(l).toContain(`-A ${ext} -m comment --comment "masquerade traffic for ns1/svc2:p80 external destinations" -j KUBE-MARK-MASQ`);
    expect(l).toContain(`-A ${ext} -j ${serviceChain('ns1/svc2:p80', 'tcp')}`);
    const none = lines(buildRuleset([s], [], opts).text);
    expect(none).toContain('-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc2:p80 has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT');
  });

  it('externalTrafficPolicy Local uses only this node\'s endpoints for external traffic', () => {
    const s = svc('svc3', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80, nodePort: 30081, protocol: 'TCP' }] });
    const remoteOnly = lines(buildRuleset([s], [slice('svc3', [ep('10.180.1.1', { node: 'node-b' })])], opts).text);
    expect(remoteOnly).toContain('-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns1/svc3:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30081 -j DROP');
    const local = lines(buildRuleset([s], [slice('svc3', [ep('10.180.0.1'), ep('10.180.1.1', { node: 'node-b' })])], opts).text);
    const svl = `KUBE-SVL-${portProtoHash('ns1/svc3:p80', 'tcp')}`;
    expect(local).toContain(`-A ${serviceExternalChain('ns1/svc3:p80', 'tcp')} -j ${svl}`);
    expect(local.filter((x) => x.startsWith(`-A ${svl}`))).toEqual([`-A ${svl} -m comment --comment "ns1/svc3:p80 -> 10.180.0.1:80" -j ${endpointChain('ns1/svc3:p80', 'tcp', '10.180.0.1:80')}`]);
  });

  it('ClientIP session affinity adds recent checks and sets', () => {
    const s = svc('svc4', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } });
    const sep = endpointChain('ns1/svc4:p80', 'tcp', '10.180.0.1:80');
    const l = lines(buildRuleset([s], [slice('svc4', [ep('10.180.0.1')])], opts).text);
    expect(l).toContain(`-A ${serviceChain('ns1/svc4:p80', 'tcp')} -m comment --comment "ns1/svc4:p80 -> 10.180.0.1:80" -m recent --name ${sep} --rcheck --seconds 600 --reap -j ${sep}`);
    expect(l).toContain(`-A ${sep} -m comment --comment ns1/svc4:p80 -m recent --name ${sep} --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80`);
  });

  it('ignores headless and ExternalName services and slices of other families', () => {
    const { text } = buildRuleset([svc('h', { clusterIP: 'None' }), svc('x', { type: 'ExternalName', externalName: 'example.com', clusterIP: undefined })],
      [slice('h', [ep('10.180.0.1')]), { ...slice('x', [ep('fd00::1')]), addressType: 'IPv6' }], opts);
    expect(text).not.toContain('KUBE-SVC-');
    expect(text).not.toContain('REJECT');
  });

  it('deletes stale service chains and keeps other chains', () => {
    const { text, deletedChains } = buildRuleset([svc('svc1')], [slice('svc1', [ep('10.180.0.1')])],
      { ...opts, existingNatChains: ['KUBE-SVC-XPGD46QRK7WJZT7O', 'KUBE-SEP-STALESTALESTALE1', 'KUBE-MARK-DROP', 'DOCKER'] });
    expect(deletedChains).toEqual(['KUBE-SEP-STALESTALESTALE1']);
    expect(lines(text)).toContain(':KUBE-SEP-STALESTALESTALE1 - [0:0]');
    expect(lines(text)).toContain('-X KUBE-SEP-STALESTALESTALE1');
    expect(text).not.toContain('-X KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(text).not.toContain('KUBE-MARK-DROP');
  });
});

describe('cleanup', () => {
  it('flushes and deletes kube-proxy chains found by iptables-save, leaving others', () => {
    const nat = '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-SVC-AAAA - [0:0]\n:OTHER - [0:0]\nCOMMIT\n';
    const filter = '*filter\n:INPUT ACCEPT [0:0]\n:KUBE-FORWARD - [0:0]\nCOMMIT\n';
    expect(chainsFromSave(nat)).toEqual(new Set(['PREROUTING', 'KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ', 'KUBE-SVC-AAAA', 'OTHER']));
    expect(cleanupRuleset(nat, filter)).toBe([
      '*nat', ':KUBE-SERVICES - [0:0]', ':KUBE-POSTROUTING - [0:0]', ':KUBE-SVC-AAAA - [0:0]', '-X KUBE-SERVICES', '-X KUBE-POSTROUTING', '-X KUBE-SVC-AAAA', 'COMMIT',
      '*filter', ':KUBE-FORWARD - [0:0]', '-X KUBE-FORWARD', 'COMMIT', '',
    ].join('\n'));
    expect(cleanupRuleset('*nat\nCOMMIT\n', '*filter\nCOMMIT\n')).toBe('');
  });
});

describe('flags and rate limiting', () => {
  it('parses Go durations', () => {
    expect(parseDuration('1s')).toBe(1000);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('soon')).toThrow();
  });

  it('BoundedFrequencyRunner coalesces requests to at most one run per min interval', async () => {
    let runs = 0;
    const r = new BoundedFrequencyRunner(async () => { runs++; }, 200, 60_000);
    r.run();
    await new Promise((res) => setTimeout(res, 20));
    expect(runs).toBe(1);
    for (let i = 0; i < 10; i++) r.run();
    await new Promise((res) => setTimeout(res, 100));
    expect(runs).toBe(1);
    await new Promise((res) => setTimeout(res, 200));
    expect(runs).toBe(2);
    await r.stop();
  });

  it('BoundedFrequencyRunner runs again after the max interval without requests', async () => {
    let runs = 0;
    const r = new BoundedFrequencyRunner(async () => { runs++; }, 10, 100);
    r.run();
    await new Promise((res) => setTimeout(res, 250));
    await r.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});
