// Pod helpers shared by the EndpointSlice and Endpoints controllers (upstream pkg/api/v1/pod and
// pkg/controller/util/endpoint): readiness, endpoint eligibility, target port resolution.
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1';
import { matchesLabels, selectorFromSet } from '@k8ts/api/labels.ts';

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** endpointutil.ShouldPodBeInEndpoints: has an IP, is not terminal, and (unless includeTerminating) not being deleted. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return !isPodTerminal(pod);
}

/** The pod's address of one family (the service's first family; IPv4 by default). */
export function podAddress(pod: Pod, family: 'IPv4' | 'IPv6'): string | undefined {
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  return ips.find((ip): ip is string => !!ip && ip.includes(':') === (family === 'IPv6'));
}

export function serviceFamily(svc: Service): 'IPv4' | 'IPv6' {
  return svc.spec?.ipFamilies?.[0] === 'IPv6' ? 'IPv6' : 'IPv4';
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/**
 * podutil.FindPort: the container port a service port targets on this pod. A numeric (or absent)
 * targetPort is used as is; a name is looked up among the pod's container ports with the same protocol.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  const proto = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === tp && (p.protocol ?? 'TCP') === proto) return p.containerPort;
    }
  }
  return undefined;
}

/** endpointutil.ShouldSetHostname: the pod names itself in this (headless) service's subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && svc.metadata?.namespace === pod.metadata?.namespace;
}

/** Whether the service's selector picks this pod (services without a selector pick nothing). */
export function serviceSelectsPod(svc: Service, pod: Pod): boolean {
  if (!svc.spec?.selector) return false;
  if (svc.metadata?.namespace !== pod.metadata?.namespace) return false;
  return matchesLabels(selectorFromSet(svc.spec.selector), pod.metadata?.labels);
}
