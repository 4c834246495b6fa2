// The (legacy) Endpoints controller's decision as pure functions (upstream pkg/controller/endpoint
// and pkg/api/v1/endpoints RepackSubsets): the subsets a Service's Endpoints object should hold.
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from 'kubernetes-types/core/v1';
import { findPort, isHeadless, isPodReady, podAddress, serviceFamily, shouldPodBeInEndpoints, shouldSetHostname } from './pods.ts';
import { LabelHeadless } from './decide.ts';

function podToEndpointAddress(pod: Pod, svc: Service, ip: string): EndpointAddress {
  const a: EndpointAddress = { ip, targetRef: { kind: 'Pod', namespace: pod.metadata!.namespace, name: pod.metadata!.name, uid: pod.metadata!.uid } };
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) a.hostname = pod.spec!.hostname;
  return a;
}

interface Entry { address: EndpointAddress; ready: boolean; port?: EndpointPort }

const portKey = (p: EndpointPort | undefined) => (p ? JSON.stringify([p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']) : '');
const addrKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;

/**
 * The subsets for a service: each pod's address with each service port resolved on it, ready pods
 * (or all, with publishNotReadyAddresses) under addresses, the others under notReadyAddresses,
 * repacked so that addresses offering the same ports share one subset.
 * Returns undefined for services this controller leaves alone (no selector).
 */
export function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] | undefined {
  if (!svc.spec?.selector) return undefined;
  const tolerateUnready = !!svc.spec.publishNotReadyAddresses;
  const family = serviceFamily(svc);
  const entries: Entry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podAddress(pod, family);
    if (!ip) continue;
    const address = podToEndpointAddress(pod, svc, ip);
    const ready = tolerateUnready || isPodReady(pod);
    const ports = svc.spec.ports ?? [];
    if (ports.length === 0) {
      // A headless service without ports still lists its pods (for DNS).
      if (isHeadless(svc)) entries.push({ address, ready });
      continue;
    }
    for (const sp of ports) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name, port, protocol: sp.protocol ?? 'TCP' };
      if (!sp.name) delete ep.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      entries.push({ address, ready, port: ep });
    }
  }
  return repackSubsets(entries);
}

/** RepackSubsets: port → addresses, then addresses sets → the ports they share; sorted. */
function repackSubsets(entries: readonly Entry[]): EndpointSubset[] {
  const byPort = new Map<string, { port?: EndpointPort; addrs: Map<string, { address: EndpointAddress; ready: boolean }> }>();
  for (const e of entries) {
    const k = portKey(e.port);
    let g = byPort.get(k);
    if (!g) byPort.set(k, g = { port: e.port, addrs: new Map() });
    const ak = addrKey(e.address);
    // A ready entry wins over a not-ready one for the same address.
    if (!g.addrs.has(ak) || e.ready) g.addrs.set(ak, { address: e.address, ready: e.ready || (g.addrs.get(ak)?.ready ?? false) });
  }
  const byAddrs = new Map<string, { addrs: Map<string, { address: EndpointAddress; ready: boolean }>; ports: EndpointPort[] }>();
  for (const g of byPort.values()) {
    const k = [...g.addrs.entries()].map(([ak, v]) => `${ak}=${v.ready}`).sort().join(',');
    let s = byAddrs.get(k);
    if (!s) byAddrs.set(k, s = { addrs: g.addrs, ports: [] });
    if (g.port) s.ports.push(g.port);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress) => addrKey(a).localeCompare(addrKey(b), 'en', { numeric: true });
  const subsets: EndpointSubset[] = [];
  for (const s of byAddrs.values()) {
    const all = [...s.addrs.values()];
    const subset: EndpointSubset = {};
    const ready = all.filter((a) => a.ready).map((a) => a.address).sort(byIP);
    const notReady = all.filter((a) => !a.ready).map((a) => a.address).sort(byIP);
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    if (s.ports.length) subset.ports = [...s.ports].sort((a, b) => portKey(a).localeCompare(portKey(b)));
    subsets.push(subset);
  }
  const first = (s: EndpointSubset) => addrKey((s.addresses ?? s.notReadyAddresses ?? [])[0] ?? { ip: '' }) + portKey(s.ports?.[0]);
  return subsets.sort((a, b) => first(a).localeCompare(first(b), 'en', { numeric: true }));
}

/** The labels of a service's Endpoints: the service's own, plus the headless label when headless. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (isHeadless(svc)) labels[LabelHeadless] = '';
  else delete labels[LabelHeadless];
  return labels;
}

export type EndpointsAction =
  | { action: 'none' }
  | { action: 'create'; endpoints: Endpoints }
  | { action: 'update'; endpoints: Endpoints };

/** What to write so that the Endpoints object matches the service's pods (nothing when it already does). */
export function syncEndpoints(svc: Service, pods: readonly Pod[], current: Endpoints | undefined): EndpointsAction {
  const subsets = desiredSubsets(svc, pods);
  if (subsets === undefined) return { action: 'none' };
  const labels = endpointsLabels(svc);
  if (current && canonical(current.subsets ?? []) === canonical(subsets) && canonical(current.metadata?.labels ?? {}) === canonical(labels)) {
    return { action: 'none' };
  }
  const endpoints: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: current ? { ...current.metadata, labels } : { name: svc.metadata!.name, namespace: svc.metadata!.namespace, labels },
    subsets,
  };
  return current ? { action: 'update', endpoints } : { action: 'create', endpoints };
}

/** JSON with object keys sorted, for comparing what the server returns with what is wanted. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
}
