import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1';

let uidCounter = 0;

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
  images?: { names: string[]; sizeBytes: number }[];
}

export function makeNode(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...(o.extra ?? {}) },
      images: o.images,
    },
  };
}

export interface PodOpts {
  ns?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  priority?: number;
  tolerations?: Toleration[];
  hostPort?: number;
  image?: string;
  startTime?: string;
  spec?: Partial<Pod['spec']>;
  nominatedNodeName?: string;
  creationTimestamp?: string;
}

export function makePod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      uid: `uid-${name}-${++uidCounter}`,
      labels: o.labels,
      creationTimestamp: o.creationTimestamp,
    },
    spec: {
      containers: [
        {
          name: 'c',
          image: o.image ?? 'busybox',
          resources: Object.keys(requests).length ? { requests } : undefined,
          ports: o.hostPort ? [{ containerPort: 80, hostPort: o.hostPort }] : undefined,
        },
      ],
      nodeName: o.nodeName,
      priority: o.priority,
      tolerations: o.tolerations,
      ...(o.spec ?? {}),
    },
    status: { startTime: o.startTime, nominatedNodeName: o.nominatedNodeName },
  };
}
