import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Clientset, SharedInformerFactory, loadRestConfig, createLogger } from '@k8ts/client';
import { EndpointSliceController } from '../src/endpointslice/controller.ts';
import { EndpointsController } from '../src/endpointslice/endpoints-controller.ts';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';

const ns = 'default';

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await fn();
    if (last !== undefined) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('EndpointSlice and Endpoints controllers against the API server on real etcd', () => {
  let s: TestServer;
  const stop = new AbortController();
  let informers: SharedInformerFactory;

  beforeAll(async () => {
    s = await startTestServer();
    const cs = new Clientset(loadRestConfig({ kubeconfig: s.kubeconfig }));
    informers = new SharedInformerFactory(cs);
    const log = createLogger({ component: 'test', verbosity: 0 });
    const slices = new EndpointSliceController(cs, informers, log);
    const endpoints = new EndpointsController(cs, informers, log);
    informers.start(stop.signal);
    await informers.waitForCacheSync(stop.signal);
    void slices.run(2, stop.signal);
    void endpoints.run(2, stop.signal);
  });
  afterAll(async () => {
    stop.abort();
    await informers?.shutdown();
    await s?.stop();
  });

  async function makePod(name: string, app: string, ip: string, ready: boolean, node = 'node-1'): Promise<void> {
    const created = await s.req('POST', `/api/v1/namespaces/${ns}/pods`, { body: {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] },
    } });
    expect(created.status).toBe(201);
    await setPodStatus(name, ip, ready);
  }

  async function setPodStatus(name: string, ip: string, ready: boolean): Promise<void> {
    const cur = (await s.req('GET', `/api/v1/namespaces/${ns}/pods/${name}`)).json;
    cur.status = { ...cur.status, phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
    const r = await s.req('PUT', `/api/v1/namespaces/${ns}/pods/${name}/status`, { body: cur });
    expect(r.status).toBe(200);
  }

  const slicesOf = async (svc: string) =>
    (await s.req('GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${svc}`)).json.items as any[];
  const endpointsOf = async (svc: string) => {
    const r = await s.req('GET', `/api/v1/namespaces/${ns}/endpoints/${svc}`);
    return r.status === 200 ? r.json : undefined;
  };
  const readyIPs = (slice: any) => (slice.endpoints ?? []).filter((e: any) => e.conditions.ready).map((e: any) => e.addresses[0]).sort();

  it('writes a slice and Endpoints for a service and its pods, follows readiness, selector changes and deletion', async () => {
    await makePod('web-1', 'web', '10.244.1.10', true);
    await makePod('web-2', 'web', '10.244.2.10', true, 'node-2');
    await makePod('api-1', 'api', '10.244.1.20', true);
    const created = await s.req('POST', `/api/v1/namespaces/${ns}/services`, { body: {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    } });
    expect(created.status).toBe(201);
    const svcUid = created.json.metadata.uid;

    const slice = await eventually('a slice with both pods', async () => {
      const items = await slicesOf('web');
      return items.length === 1 && readyIPs(items[0]).length === 2 ? items[0] : undefined;
    });
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata.labels).toEqual({ tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(slice.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svcUid, controller: true, blockOwnerDeletion: true }]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const e2 = slice.endpoints.find((e: any) => e.targetRef.name === 'web-2');
    expect(e2).toMatchObject({ addresses: ['10.244.2.10'], nodeName: 'node-2', conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: ns, name: 'web-2' } });

    const ep = await eventually('Endpoints with both pods', async () => {
      const e = await endpointsOf('web');
      return e?.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
    });
    expect(ep.metadata.labels).toEqual({ tier: 'front' });
    expect(ep.subsets).toEqual([{
      addresses: [
        { ip: '10.244.1.10', nodeName: 'node-1', targetRef: expect.objectContaining({ kind: 'Pod', name: 'web-1' }) },
        { ip: '10.244.2.10', nodeName: 'node-2', targetRef: expect.objectContaining({ kind: 'Pod', name: 'web-2' }) },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }]);

    // web-2 turns not ready.
    await setPodStatus('web-2', '10.244.2.10', false);
    await eventually('web-2 not ready in the slice', async () => {
      const items = await slicesOf('web');
      return items.length === 1 && JSON.stringify(readyIPs(items[0])) === JSON.stringify(['10.244.1.10']) ? true : undefined;
    });
    const notReady = await eventually('web-2 under notReadyAddresses', async () => {
      const e = await endpointsOf('web');
      return e?.subsets?.[0]?.notReadyAddresses?.length === 1 ? e : undefined;
    });
    expect(notReady.subsets[0].addresses.map((a: any) => a.ip)).toEqual(['10.244.1.10']);
    expect(notReady.subsets[0].notReadyAddresses.map((a: any) => a.ip)).toEqual(['10.244.2.10']);
    const sliceAfter = (await slicesOf('web'))[0];
    expect(sliceAfter.metadata.name).toBe(slice.metadata.name); // updated in place

    // The selector moves to the api pods.
    const svc = (await s.req('GET', `/api/v1/namespaces/${ns}/services/web`)).json;
    svc.spec.selector = { app: 'api' };
    expect((await s.req('PUT', `/api/v1/namespaces/${ns}/services/web`, { body: svc })).status).toBe(200);
    await eventually('the slice to list only api-1', async () => {
      const items = await slicesOf('web');
      return items.length === 1 && JSON.stringify(items[0].endpoints.map((e: any) => e.targetRef.name)) === '["api-1"]' ? true : undefined;
    });
    const apiEp = await eventually('Endpoints to list only api-1', async () => {
      const e = await endpointsOf('web');
      return e?.subsets?.length === 1 && e.subsets[0].addresses?.length === 1 && !e.subsets[0].notReadyAddresses ? e : undefined;
    });
    expect(apiEp.subsets).toEqual([{ addresses: [{ ip: '10.244.1.20', nodeName: 'node-1', targetRef: expect.objectContaining({ name: 'api-1' }) }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);

    // Deleting the service removes its slices and Endpoints.
    expect((await s.req('DELETE', `/api/v1/namespaces/${ns}/services/web`)).status).toBe(200);
    await eventually('slices gone', async () => ((await slicesOf('web')).length === 0 ? true : undefined));
    await eventually('Endpoints gone', async () => ((await endpointsOf('web')) === undefined ? true : undefined));
  });

  it('keeps a placeholder slice for a service with no pods and leaves selectorless services alone', async () => {
    await s.req('POST', `/api/v1/namespaces/${ns}/services`, { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] } } });
    await s.req('POST', `/api/v1/namespaces/${ns}/services`, { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } } });
    const placeholder = await eventually('placeholder slice', async () => { const i = await slicesOf('empty'); return i.length === 1 ? i[0] : undefined; });
    expect(placeholder.endpoints ?? []).toEqual([]);
    const ep = await eventually('empty Endpoints', async () => endpointsOf('empty'));
    expect(ep.subsets ?? []).toEqual([]);
    // Give the controllers time to (wrongly) act on the selectorless service.
    await new Promise((r) => setTimeout(r, 500));
    expect(await slicesOf('manual')).toEqual([]);
    expect(await endpointsOf('manual')).toBeUndefined();
    // The API server's own `kubernetes` Endpoints are untouched.
    const k = await endpointsOf('kubernetes');
    expect(k?.subsets?.[0]?.addresses?.length).toBe(1);
  });
});
