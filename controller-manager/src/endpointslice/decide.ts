// The EndpointSlice controller's decisions as pure functions (upstream pkg/controller/endpointslice
// reconciler + utils): which slices a Service should have given its pods, and the create/update/
// delete steps that turn the existing managed slices into those.
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { findPort, isHeadless, isPodReady, podAddress, serviceFamily, shouldPodBeInEndpoints, shouldSetHostname } from './pods.ts';

export const LabelServiceName = 'kubernetes.io/service-name';
export const LabelManagedBy = 'endpointslice.kubernetes.io/managed-by';
export const ControllerName = 'endpointslice-controller.k8s.io';
export const LabelHeadless = 'service.kubernetes.io/headless';
/** Upstream's --max-endpoints-per-slice default. */
export const MaxEndpointsPerSlice = 100;

/** What one slice should hold (name and resourceVersion come from the existing slice, if any). */
export interface SliceSpec {
  addressType: 'IPv4' | 'IPv6';
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

export function serviceOwnerReference(svc: Service): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

/** The labels of every slice of the service: the service's own, plus service-name, managed-by and headless. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) {
    if (k !== LabelServiceName && k !== LabelManagedBy && k !== LabelHeadless) labels[k] = v;
  }
  labels[LabelServiceName] = svc.metadata!.name!;
  labels[LabelManagedBy] = ControllerName;
  if (isHeadless(svc)) labels[LabelHeadless] = '';
  return labels;
}

/** podToEndpoint: one endpoint with the ready/serving/terminating conditions. */
export function podToEndpoint(pod: Pod, svc: Service, address: string): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Endpoint = {
    addresses: [address],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata!.namespace, name: pod.metadata!.name, uid: pod.metadata!.uid },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

/** getEndpointPorts: the service's ports resolved on this pod (ports that do not resolve are left out). */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

const portsKey = (ports: readonly EndpointPort[] | undefined) =>
  JSON.stringify((ports ?? []).map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? '']));

const endpointKey = (e: Endpoint) => `${e.targetRef?.namespace ?? ''}/${e.targetRef?.name ?? ''}/${e.addresses[0] ?? ''}`;

/**
 * The slices the service should have: pods grouped by their resolved port set, at most
 * MaxEndpointsPerSlice per slice; a service with no endpoints keeps one empty placeholder slice.
 * Returns undefined for services this controller leaves alone (no selector).
 */
export function desiredSlices(svc: Service, pods: readonly Pod[]): SliceSpec[] | undefined {
  if (!svc.spec?.selector) return undefined;
  const addressType = serviceFamily(svc);
  if (svc.spec.type === 'ExternalName') return [];
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const address = podAddress(pod, addressType);
    if (!address) continue;
    const ports = endpointPorts(svc, pod);
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, g = { ports, endpoints: [] });
    g.endpoints.push(podToEndpoint(pod, svc, address));
  }
  const out: SliceSpec[] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    g.endpoints.sort((a, b) => endpointKey(a).localeCompare(endpointKey(b)));
    for (let i = 0; i < g.endpoints.length; i += MaxEndpointsPerSlice) {
      out.push({ addressType, ports: g.ports, endpoints: g.endpoints.slice(i, i + MaxEndpointsPerSlice) });
    }
  }
  if (out.length === 0) out.push({ addressType, ports: [], endpoints: [] });
  return out;
}

export interface SliceActions {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

function sameContent(existing: EndpointSlice, spec: SliceSpec, labels: Record<string, string>, owner: OwnerReference): boolean {
  const sortEps = (eps: readonly Endpoint[] | undefined) => [...(eps ?? [])].sort((a, b) => endpointKey(a).localeCompare(endpointKey(b)));
  const norm = (eps: readonly Endpoint[] | undefined) => JSON.stringify(sortEps(eps).map((e) => ({
    a: e.addresses, r: e.conditions?.ready ?? null, s: e.conditions?.serving ?? null, t: e.conditions?.terminating ?? null,
    h: e.hostname ?? null, n: e.nodeName ?? null, ref: [e.targetRef?.kind, e.targetRef?.namespace, e.targetRef?.name, e.targetRef?.uid],
  })));
  const ownerOk = existing.metadata?.ownerReferences?.some((o) => o.uid === owner.uid && o.controller) ?? false;
  const labelsOk = JSON.stringify(Object.entries(existing.metadata?.labels ?? {}).sort()) === JSON.stringify(Object.entries(labels).sort());
  return ownerOk && labelsOk && existing.addressType === spec.addressType && portsKey(existing.ports) === portsKey(spec.ports) && norm(existing.endpoints) === norm(spec.endpoints);
}

/**
 * reconcile: pairs the desired slices with the existing managed ones of the same address type and
 * port set, updating those whose content differs; the rest are created or deleted.
 */
export function reconcileSlices(svc: Service, desired: readonly SliceSpec[], existing: readonly EndpointSlice[]): SliceActions {
  const labels = sliceLabels(svc);
  const owner = serviceOwnerReference(svc);
  const actions: SliceActions = { create: [], update: [], delete: [] };
  const pool = new Map<string, EndpointSlice[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    const key = `${s.addressType}|${portsKey(s.ports)}`;
    pool.set(key, [...(pool.get(key) ?? []), s]);
  }
  const unmatched: SliceSpec[] = [];
  const toObject = (spec: SliceSpec, base?: EndpointSlice): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: base
      ? { ...base.metadata, labels, ownerReferences: [owner] }
      : { generateName: sliceGenerateName(svc), namespace: svc.metadata!.namespace, labels, ownerReferences: [owner] },
    addressType: spec.addressType,
    endpoints: spec.endpoints,
    ports: spec.ports,
  });
  // First keep the slices that already hold exactly what is wanted, then rewrite others in place.
  for (const spec of desired) {
    const candidates = pool.get(`${spec.addressType}|${portsKey(spec.ports)}`) ?? [];
    const i = candidates.findIndex((s) => sameContent(s, spec, labels, owner));
    if (i >= 0) candidates.splice(i, 1);
    else unmatched.push(spec);
  }
  const stillUnmatched: SliceSpec[] = [];
  for (const spec of unmatched) {
    const base = pool.get(`${spec.addressType}|${portsKey(spec.ports)}`)?.shift();
    if (base) actions.update.push(toObject(spec, base));
    else stillUnmatched.push(spec);
  }
  // Slices whose port set is no longer wanted (e.g. the placeholder) are reused before creating new ones.
  const leftovers = [...pool.values()].flat();
  for (const spec of stillUnmatched) {
    const i = leftovers.findIndex((s) => s.addressType === spec.addressType);
    if (i >= 0) actions.update.push(toObject(spec, leftovers.splice(i, 1)[0]));
    else actions.create.push(toObject(spec));
  }
  actions.delete.push(...leftovers);
  return actions;
}

/** Upstream names slices `<service>-<random>`, truncating long service names. */
export function sliceGenerateName(svc: Service): string {
  const name = svc.metadata!.name!;
  return `${name.length > 57 ? name.slice(0, 57) : name}-`;
}
