import { describe, it, expect } from 'vitest';
import { allocatable, capacity, initialNode, nodeStatus, nodeStatusChanged, parseTaints, type MachineInfo } from '../src/node/node-status.ts';
import { desiredLease } from '../src/node/lease.ts';

const m: MachineInfo = {
  cpus: 2, memoryBytes: 4 * 1024 ** 3, ephemeralStorageBytes: 10 * 1024 ** 3, kernelVersion: '6.1.0-18-amd64',
  osImage: 'Debian GNU/Linux 12 (bookworm)', machineID: 'mid', systemUUID: 'suuid', bootID: 'bid', architecture: 'amd64',
};
const cfg = { nodeName: 'node-1', nodeIPs: ['10.0.0.2'], podCIDR: '10.244.1.0/24', taints: parseTaints('dedicated=infra:NoSchedule,gpu:NoExecute') };

describe('node status', () => {
  it('parses --register-with-taints', () => {
    expect(cfg.taints).toEqual([{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoExecute' }]);
    expect(parseTaints('')).toEqual([]);
    expect(() => parseTaints('bad')).toThrow('invalid taint spec: bad');
  });

  it('builds the Node to register: labels, podCIDR, taints', () => {
    const n = initialNode(cfg, m);
    expect(n.metadata?.labels).toMatchObject({ 'kubernetes.io/hostname': 'node-1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' });
    expect(n.spec).toEqual({ podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: cfg.taints });
  });

  it('reports capacity, allocatable (minus hard eviction), addresses and node info', () => {
    expect(capacity(m)).toEqual({ cpu: '2', memory: '4194304Ki', pods: '110', 'ephemeral-storage': '10485760Ki' });
    expect(allocatable(m)).toEqual({ cpu: '2', memory: '4091904Ki', pods: '110', 'ephemeral-storage': String(Math.floor(10 * 1024 ** 3 * 0.9)) });
    const s = nodeStatus(cfg, m, { runtimeVersion: 'containerd://1.6.20', notReadyMessage: '' }, undefined, new Date('2026-01-01T00:00:00Z'));
    expect(s.addresses).toEqual([{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'node-1' }]);
    expect(s.nodeInfo).toMatchObject({ kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'containerd://1.6.20', kubeletVersion: 'v1.32.0', operatingSystem: 'linux', architecture: 'amd64' });
    expect(s.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'], ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'], ['Ready', 'True', 'KubeletReady'],
    ]);
  });

  it('goes NotReady when the runtime is down, keeping transition times of unchanged conditions', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const ready = nodeStatus(cfg, m, { runtimeVersion: 'containerd://1.6.20', notReadyMessage: '' }, undefined, t0);
    const same = nodeStatus(cfg, m, { runtimeVersion: 'containerd://1.6.20', notReadyMessage: '' }, ready, new Date('2026-01-01T00:00:10Z'));
    expect(nodeStatusChanged(ready, same)).toBe(false);
    const down = nodeStatus(cfg, m, { runtimeVersion: 'containerd://1.6.20', notReadyMessage: 'container runtime is down' }, ready, new Date('2026-01-01T00:00:20Z'));
    expect(nodeStatusChanged(ready, down)).toBe(true);
    const r = down.conditions!.find((c) => c.type === 'Ready')!;
    expect([r.status, r.reason, r.message, r.lastTransitionTime, r.lastHeartbeatTime]).toEqual(['False', 'KubeletNotReady', 'container runtime is down', '2026-01-01T00:00:20Z', '2026-01-01T00:00:20Z']);
    expect(down.conditions!.find((c) => c.type === 'MemoryPressure')!.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });

  it('builds the node lease owned by the Node', () => {
    const l = desiredLease('node-1', 'uid-1', new Date('2026-01-01T00:00:00.123Z'));
    expect(l.metadata).toMatchObject({ name: 'node-1', namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: 'uid-1' }] });
    expect(l.spec).toEqual({ holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.123000Z' });
  });
});
