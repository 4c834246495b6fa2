import { describe, it, expect } from 'vitest';
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { desiredSlices, reconcileSlices, sliceLabels, MaxEndpointsPerSlice } from '../src/endpointslice/decide.ts';
import { desiredSubsets, syncEndpoints } from '../src/endpointslice/endpoints.ts';
import { findPort } from '../src/endpointslice/pods.ts';

const svc = (o: Partial<Service['spec']> = {}, labels?: Record<string, string>): Service => ({
  metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels },
  spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...o },
});

const pod = (name: string, ip: string | undefined, o: { ready?: boolean; deleting?: boolean; phase?: string; port?: number; node?: string } = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: o.port ?? 8080 }] }] },
  status: { phase: o.phase ?? 'Running', podIP: ip, podIPs: ip ? [{ ip }] : undefined, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

describe('findPort', () => {
  it('resolves numeric, absent and named target ports', () => {
    const p = pod('a', '10.244.1.2');
    expect(findPort(p, { port: 80, targetPort: 9090 })).toBe(9090);
    expect(findPort(p, { port: 80 })).toBe(80);
    expect(findPort(p, { port: 80, targetPort: 'http' })).toBe(8080);
    expect(findPort(p, { port: 80, targetPort: 'http', protocol: 'UDP' })).toBeUndefined();
    expect(findPort(p, { port: 80, targetPort: 'nope' })).toBeUndefined();
  });
});

describe('desiredSlices', () => {
  it('leaves services without a selector alone', () => {
    expect(desiredSlices(svc({ selector: undefined }), [pod('a', '10.244.1.2')])).toBeUndefined();
  });
  it('lists eligible pods with conditions, node, targetRef and resolved ports', () => {
    const slices = desiredSlices(svc(), [
      pod('a', '10.244.1.2'),
      pod('b', '10.244.2.3', { ready: false, node: 'node-2' }),
      pod('c', '10.244.1.4', { deleting: true }),
      pod('d', undefined),
      pod('e', '10.244.1.5', { phase: 'Succeeded' }),
    ])!;
    expect(slices).toHaveLength(1);
    expect(slices[0].addressType).toBe('IPv4');
    expect(slices[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slices[0].endpoints).toEqual([
      { addresses: ['10.244.1.2'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
      { addresses: ['10.244.2.3'], conditions: { ready: false, serving: false, terminating: false }, nodeName: 'node-2', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
      { addresses: ['10.244.1.4'], conditions: { ready: false, serving: true, terminating: true }, nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' } },
    ]);
  });
  it('publishNotReadyAddresses makes every endpoint ready', () => {
    const [s] = desiredSlices(svc({ publishNotReadyAddresses: true }), [pod('b', '10.244.2.3', { ready: false })])!;
    expect(s.endpoints[0].conditions).toEqual({ ready: true, serving: false, terminating: false });
  });
  it('groups pods by resolved port set and splits at the per-slice maximum', () => {
    const slices = desiredSlices(svc(), [pod('a', '10.244.1.2', { port: 8080 }), pod('b', '10.244.1.3', { port: 9090 })])!;
    expect(slices.map((s) => s.ports[0].port).sort()).toEqual([8080, 9090]);
    const many = Array.from({ length: MaxEndpointsPerSlice + 5 }, (_, i) => pod(`p${i}`, `10.244.${1 + Math.floor(i / 200)}.${(i % 200) + 1}`));
    expect(desiredSlices(svc(), many)!.map((s) => s.endpoints.length)).toEqual([MaxEndpointsPerSlice, 5]);
  });
  it('keeps one empty placeholder slice when nothing matches', () => {
    expect(desiredSlices(svc(), [])).toEqual([{ addressType: 'IPv4', ports: [], endpoints: [] }]);
  });
});

describe('reconcileSlices', () => {
  const s = svc({}, { tier: 'front' });
  const existingFrom = (name: string, spec: ReturnType<typeof desiredSlices>, i = 0): EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', resourceVersion: '5', labels: sliceLabels(s), ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }] },
    addressType: spec![i].addressType, ports: spec![i].ports, endpoints: spec![i].endpoints,
  });
  it('creates a labelled, owned slice for a new service', () => {
    const a = reconcileSlices(s, desiredSlices(s, [pod('a', '10.244.1.2')])!, []);
    expect(a.update).toEqual([]);
    expect(a.delete).toEqual([]);
    expect(a.create).toHaveLength(1);
    expect(a.create[0].metadata).toEqual({
      generateName: 'web-', namespace: 'default',
      labels: { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }],
    });
  });
  it('does nothing when the slice already matches, updates in place when it differs', () => {
    const want = desiredSlices(s, [pod('a', '10.244.1.2')])!;
    expect(reconcileSlices(s, want, [existingFrom('web-abcde', want)])).toEqual({ create: [], update: [], delete: [] });
    const changed = desiredSlices(s, [pod('a', '10.244.1.2', { ready: false })])!;
    const a = reconcileSlices(s, changed, [existingFrom('web-abcde', want)]);
    expect(a.create).toEqual([]);
    expect(a.update).toHaveLength(1);
    expect(a.update[0].metadata!.name).toBe('web-abcde');
    expect(a.update[0].metadata!.resourceVersion).toBe('5');
    expect(a.update[0].endpoints[0].conditions!.ready).toBe(false);
  });
  it('reuses the placeholder for the first endpoints and deletes surplus slices', () => {
    const placeholder = existingFrom('web-empty', desiredSlices(s, [])!);
    const want = desiredSlices(s, [pod('a', '10.244.1.2')])!;
    const a = reconcileSlices(s, want, [placeholder]);
    expect(a.update.map((x) => x.metadata!.name)).toEqual(['web-empty']);
    expect(a.create).toEqual([]);
    const b = reconcileSlices(s, want, [existingFrom('web-1', want), placeholder]);
    expect(b.delete.map((x) => x.metadata!.name)).toEqual(['web-empty']);
    expect(b.update).toEqual([]);
  });
});

describe('Endpoints subsets', () => {
  it('splits ready and not-ready addresses and drops terminating pods', () => {
    const subsets = desiredSubsets(svc(), [pod('b', '10.244.2.3', { ready: false, node: 'node-2' }), pod('a', '10.244.1.2'), pod('c', '10.244.1.4', { deleting: true })]);
    expect(subsets).toEqual([{
      addresses: [{ ip: '10.244.1.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }],
      notReadyAddresses: [{ ip: '10.244.2.3', nodeName: 'node-2', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }]);
  });
  it('repacks pods with different resolved ports into separate subsets', () => {
    const subsets = desiredSubsets(svc(), [pod('a', '10.244.1.2', { port: 8080 }), pod('b', '10.244.1.3', { port: 9090 })])!;
    expect(subsets.map((x) => [x.addresses!.map((a) => a.ip), x.ports!.map((p) => p.port)])).toEqual([[['10.244.1.2'], [8080]], [['10.244.1.3'], [9090]]]);
  });
  it('syncEndpoints: creates, leaves equal objects alone, updates changed ones, ignores selectorless services', () => {
    const s = svc();
    const c = syncEndpoints(s, [pod('a', '10.244.1.2')], undefined);
    expect(c.action).toBe('create');
    if (c.action !== 'create') return;
    expect(c.endpoints.metadata).toEqual({ name: 'web', namespace: 'default', labels: {} });
    const stored = { ...c.endpoints, metadata: { ...c.endpoints.metadata, resourceVersion: '7' } };
    expect(syncEndpoints(s, [pod('a', '10.244.1.2')], stored)).toEqual({ action: 'none' });
    const u = syncEndpoints(s, [], stored);
    expect(u.action).toBe('update');
    if (u.action === 'update') expect(u.endpoints.subsets).toEqual([]);
    expect(syncEndpoints(svc({ selector: undefined }), [], undefined)).toEqual({ action: 'none' });
  });
});
