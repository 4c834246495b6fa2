// What the proxier programs, derived purely from API objects (upstream pkg/proxy servicechangetracker,
// endpointslicecache and topology.go): one ServicePortInfo per service port, its endpoints from
// every EndpointSlice of the service, and the Cluster/Local endpoint sets each traffic policy uses.
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';

export const LabelServiceName = 'kubernetes.io/service-name';
export const DefaultStickyTimeoutSeconds = 10800;

export interface ServicePortInfo {
  namespace: string;
  name: string;
  portName: string;
  /** "ns/name:port" (or "ns/name" for an unnamed port): upstream's ServicePortName.String(). */
  nameString: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  clusterIP: string;
  port: number;
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** ClientIP session affinity timeout in seconds; undefined without affinity. */
  stickyMaxAgeSeconds?: number;
  internalPolicyLocal: boolean;
  externalPolicyLocal: boolean;
}

export interface EndpointInfo {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
}

export const endpointString = (e: EndpointInfo) => `${e.ip}:${e.port}`;

const isIPv4 = (ip: string | undefined): ip is string => !!ip && /^\d+\.\d+\.\d+\.\d+$/.test(ip);

/** The service ports kube-proxy handles: IPv4 ClusterIP/NodePort/LoadBalancer services with a cluster IP. */
export function servicePorts(svc: Service): ServicePortInfo[] {
  const spec = svc.spec;
  const ns = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  if (!spec || spec.type === 'ExternalName') return [];
  const clusterIP = spec.clusterIP;
  if (!isIPv4(clusterIP)) return []; // headless ("None"), unset, or another family
  const affinity = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DefaultStickyTimeoutSeconds) : undefined;
  const externallyAccessibleType = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  return (spec.ports ?? []).map((p) => {
    const portName = p.name ?? '';
    return {
      namespace: ns, name, portName,
      nameString: portName ? `${ns}/${name}:${portName}` : `${ns}/${name}`,
      protocol: (p.protocol ?? 'TCP') as ServicePortInfo['protocol'],
      clusterIP,
      port: p.port,
      nodePort: externallyAccessibleType ? (p.nodePort ?? 0) : 0,
      externalIPs: (spec.externalIPs ?? []).filter(isIPv4),
      loadBalancerIPs: spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter(isIPv4) : [],
      stickyMaxAgeSeconds: affinity,
      internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
      externalPolicyLocal: spec.externalTrafficPolicy === 'Local',
    };
  });
}

/**
 * Endpoints per "ns/name:port/PROTOCOL" from all IPv4 slices of each service: deduplicated by
 * ip:port (a ready copy wins), sorted by ip:port. Unset conditions default as upstream: ready
 * true, serving = ready, terminating false.
 */
export function endpointsByServicePort(slices: readonly EndpointSlice[]): Map<string, EndpointInfo[]> {
  const acc = new Map<string, Map<string, EndpointInfo>>();
  for (const slice of slices) {
    const svcName = slice.metadata?.labels?.[LabelServiceName];
    if (!svcName || slice.addressType !== 'IPv4') continue;
    const ns = slice.metadata?.namespace ?? '';
    for (const p of slice.ports ?? []) {
      if (p.port === undefined || p.port === null) continue;
      const portName = p.name ?? '';
      const key = servicePortKey(ns, svcName, portName, p.protocol ?? 'TCP');
      let m = acc.get(key);
      if (!m) acc.set(key, m = new Map());
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!isIPv4(ip)) continue;
        const ready = ep.conditions?.ready ?? true;
        const info: EndpointInfo = {
          ip, port: p.port,
          ready,
          serving: ep.conditions?.serving ?? ready,
          terminating: ep.conditions?.terminating ?? false,
          nodeName: ep.nodeName ?? undefined,
        };
        const k = endpointString(info);
        const prev = m.get(k);
        if (!prev || (!prev.ready && info.ready)) m.set(k, info);
      }
    }
  }
  const out = new Map<string, EndpointInfo[]>();
  for (const [k, m] of acc) out.set(k, [...m.values()].sort((a, b) => endpointString(a).localeCompare(endpointString(b), 'en', { numeric: true })));
  return out;
}

export const servicePortKey = (ns: string, name: string, portName: string, protocol: string) =>
  `${portName ? `${ns}/${name}:${portName}` : `${ns}/${name}`}/${protocol}`;

export function externallyAccessible(sp: ServicePortInfo): boolean {
  return sp.nodePort !== 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
}
export function usesClusterEndpoints(sp: ServicePortInfo): boolean {
  return !sp.internalPolicyLocal || (externallyAccessible(sp) && !sp.externalPolicyLocal);
}
export function usesLocalEndpoints(sp: ServicePortInfo): boolean {
  return sp.internalPolicyLocal || (externallyAccessible(sp) && sp.externalPolicyLocal);
}

export interface CategorizedEndpoints {
  cluster: EndpointInfo[];
  local: EndpointInfo[];
  allReachable: EndpointInfo[];
  hasAny: boolean;
}

/** CategorizeEndpoints without topology hints: ready endpoints, else serving-and-terminating ones. */
export function categorizeEndpoints(endpoints: readonly EndpointInfo[], sp: ServicePortInfo, nodeName: string): CategorizedEndpoints {
  let cluster: EndpointInfo[] = [];
  let local: EndpointInfo[] = [];
  let hasAny = false;
  if (usesClusterEndpoints(sp)) {
    cluster = endpoints.filter((e) => e.ready);
    if (cluster.length === 0) cluster = endpoints.filter((e) => e.serving && e.terminating);
    hasAny = cluster.length > 0;
  }
  if (!usesLocalEndpoints(sp)) return { cluster, local, allReachable: cluster, hasAny };
  const isLocal = (e: EndpointInfo) => e.nodeName === nodeName;
  let localReady = false;
  let localServingTerminating = false;
  for (const e of endpoints) {
    if (e.ready) { hasAny = true; if (isLocal(e)) localReady = true; } else if (e.serving && e.terminating) { hasAny = true; if (isLocal(e)) localServingTerminating = true; }
  }
  if (localReady) local = endpoints.filter((e) => isLocal(e) && e.ready);
  else if (localServingTerminating) local = endpoints.filter((e) => isLocal(e) && e.serving && e.terminating);
  if (!usesClusterEndpoints(sp)) return { cluster, local, allReachable: local, hasAny };
  const seen = new Set(cluster.map(endpointString));
  return { cluster, local, allReachable: [...cluster, ...local.filter((e) => !seen.has(endpointString(e)))], hasAny };
}
