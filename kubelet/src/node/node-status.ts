// The Node object the kubelet registers and the status it reports (upstream kubelet_node_status.go
// and nodestatus setters). Pure: machine facts come in as MachineInfo.
import type { Node, NodeCondition, NodeStatus, Taint } from 'kubernetes-types/core/v1';
import { canonicalJson } from '../util/canonical.ts';

export const kubeletVersion = 'v1.32.0';
export const defaultMaxPods = 110;
/** Hard eviction defaults (memory.available<100Mi, nodefs.available<10%) come off allocatable. */
export const evictionMemoryBytes = 100 * 1024 * 1024;

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  kernelVersion: string;
  osImage: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
  architecture: string;
}

export interface NodeConfig {
  nodeName: string;
  nodeIPs: string[];
  podCIDR?: string;
  taints: Taint[];
  maxPods?: number;
  kubeletPort?: number;
  /** Extra labels (--node-labels). */
  labels?: Record<string, string>;
}

export interface RuntimeHealth {
  /** "containerd://1.6.20", or '' when the runtime never answered. */
  runtimeVersion: string;
  /** Why the node is not ready ('' when ready). */
  notReadyMessage: string;
}

/** Parses --register-with-taints: "key=value:Effect,key:Effect". */
export function parseTaints(spec: string): Taint[] {
  if (!spec.trim()) return [];
  return spec.split(',').map((t) => {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(t.trim());
    if (!m) throw new Error(`invalid taint spec: ${t}`);
    return m[2] !== undefined ? { key: m[1]!, value: m[2], effect: m[3]! } : { key: m[1]!, effect: m[3]! };
  });
}

export const goArch = (nodeArch: string) => ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[nodeArch] ?? nodeArch;

const kib = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

export function capacity(m: MachineInfo, maxPods = defaultMaxPods): Record<string, string> {
  return { cpu: String(m.cpus), memory: kib(m.memoryBytes), pods: String(maxPods), 'ephemeral-storage': kib(m.ephemeralStorageBytes) };
}

export function allocatable(m: MachineInfo, maxPods = defaultMaxPods): Record<string, string> {
  return {
    cpu: String(m.cpus),
    memory: kib(Math.max(0, m.memoryBytes - evictionMemoryBytes)),
    pods: String(maxPods),
    'ephemeral-storage': String(Math.floor(m.ephemeralStorageBytes * 0.9)),
  };
}

/** The Node the kubelet creates at registration (upstream initialNode). */
export function initialNode(c: NodeConfig, m: MachineInfo): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: c.nodeName,
      labels: {
        'beta.kubernetes.io/arch': m.architecture, 'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': m.architecture, 'kubernetes.io/hostname': c.nodeName, 'kubernetes.io/os': 'linux',
        ...(c.labels ?? {}),
      },
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {
      podCIDR: c.podCIDR || undefined,
      podCIDRs: c.podCIDR ? [c.podCIDR] : undefined,
      taints: c.taints.length ? c.taints : undefined,
    },
  };
}

type Cond = Pick<NodeCondition, 'type' | 'status' | 'reason' | 'message'>;

export function desiredConditions(h: RuntimeHealth): Cond[] {
  return [
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    h.notReadyMessage
      ? { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: h.notReadyMessage }
      : { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
}

/** The node status to report: heartbeat now, transition times kept while a condition's status holds. */
export function nodeStatus(c: NodeConfig, m: MachineInfo, h: RuntimeHealth, prev: NodeStatus | undefined, now: Date): NodeStatus {
  const t = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions: NodeCondition[] = desiredConditions(h).map((d) => {
    const p = prev?.conditions?.find((x) => x.type === d.type);
    return { ...d, lastHeartbeatTime: t, lastTransitionTime: p && p.status === d.status && p.lastTransitionTime ? p.lastTransitionTime : t };
  });
  return {
    capacity: capacity(m, c.maxPods),
    allocatable: allocatable(m, c.maxPods),
    conditions,
    addresses: [...c.nodeIPs.map((address) => ({ type: 'InternalIP', address })), { type: 'Hostname', address: c.nodeName }],
    daemonEndpoints: { kubeletEndpoint: { Port: c.kubeletPort ?? 10250 } },
    nodeInfo: {
      machineID: m.machineID, systemUUID: m.systemUUID, bootID: m.bootID, kernelVersion: m.kernelVersion,
      osImage: m.osImage, containerRuntimeVersion: h.runtimeVersion, kubeletVersion, kubeProxyVersion: '',
      operatingSystem: 'linux', architecture: m.architecture,
    },
    images: prev?.images,
  };
}

/** Whether the status differs in anything but heartbeat times (then the kubelet must write it now). */
export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  const ignore = new Set(['lastHeartbeatTime', 'lastTransitionTime', 'images']);
  return canonicalJson(a ?? {}, ignore) !== canonicalJson(b, ignore);
}
