// What the API server publishes for the `default/kubernetes` Service: its Endpoints and its EndpointSlice,
// both pointing at the API server's advertised address (upstream pkg/controlplane/reconcilers,
// EndpointsAdapter). The EndpointSlice is what kube-proxy reads to route the Service's cluster IP.
import type { Endpoints } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { isDeepStrictEqual } from 'node:util';

export const KUBERNETES_SERVICE = 'kubernetes';
export const KUBERNETES_SERVICE_NAMESPACE = 'default';
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';

/** The Endpoints: one subset, the address and the `https` port; not mirrored into a second slice. */
export function kubernetesEndpoints(address: string, port: number): Endpoints {
  return {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: KUBERNETES_SERVICE, namespace: KUBERNETES_SERVICE_NAMESPACE, labels: { [LABEL_SKIP_MIRROR]: 'true' } },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
}

/** The EndpointSlice named after the Service, labelled with the Service's name only (no managed-by). */
export function kubernetesEndpointSlice(address: string, port: number): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: KUBERNETES_SERVICE, namespace: KUBERNETES_SERVICE_NAMESPACE, labels: { [LABEL_SERVICE_NAME]: KUBERNETES_SERVICE } },
    addressType: address.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
}

/** Whether a stored slice already says what `want` says (the fields the reconciler owns). */
export function endpointSliceUpToDate(cur: EndpointSlice, want: EndpointSlice): boolean {
  return cur.addressType === want.addressType
    && isDeepStrictEqual(cur.endpoints ?? [], want.endpoints ?? [])
    && isDeepStrictEqual(cur.ports ?? [], want.ports ?? [])
    && isDeepStrictEqual(cur.metadata?.labels ?? {}, want.metadata?.labels ?? {});
}
