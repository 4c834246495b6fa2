// Registry semantics against the real API server on a real etcd: what /status keeps of a write, the
// `kubernetes` Service's EndpointSlice, random ClusterIP/NodePort allocation, and the default
// propagation policy of a delete.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.stop(); });

const MERGE = 'application/merge-patch+json';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const REPLICASETS = '/apis/apps/v1/namespaces/default/replicasets';
const PODS = '/api/v1/namespaces/default/pods';
const JOBS = '/apis/batch/v1/namespaces/default/jobs';
const SERVICES = '/api/v1/namespaces/default/services';
const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };

function deployment(name: string) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { tier: 'front' }, annotations: { note: 'a' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template },
  };
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

describe('/status keeps metadata changes as upstream status strategies do', () => {
  it('Deployment: PUT /status keeps annotations, resets labels and spec, leaves generation', async () => {
    const c = await s.req('POST', DEPLOYMENTS, { body: deployment('st-deploy') });
    expect(c.status).toBe(201);
    const body = structuredClone(c.json);
    body.metadata.annotations = { ...body.metadata.annotations, 'deployment.kubernetes.io/revision': '1' };
    body.metadata.labels = { tier: 'changed' };
    body.spec.replicas = 5;
    body.status = { observedGeneration: 1, replicas: 0 };
    const u = await s.req('PUT', `${DEPLOYMENTS}/st-deploy/status`, { body });
    expect(u.status).toBe(200);
    expect(u.json.metadata.annotations).toEqual({ note: 'a', 'deployment.kubernetes.io/revision': '1' });
    expect(u.json.metadata.labels).toEqual({ tier: 'front' });
    expect(u.json.spec.replicas).toBe(1);
    expect(u.json.metadata.generation).toBe(1);
    expect(u.json.status.observedGeneration).toBe(1);
    const g = await s.req('GET', `${DEPLOYMENTS}/st-deploy`);
    expect(g.json.metadata.annotations['deployment.kubernetes.io/revision']).toBe('1');
    expect(g.json.metadata.labels).toEqual({ tier: 'front' });
  });

  it('Deployment: PATCH /status keeps annotations too', async () => {
    const p = await s.req('PATCH', `${DEPLOYMENTS}/st-deploy/status`, {
      body: { metadata: { annotations: { 'deployment.kubernetes.io/revision': '2' }, labels: { extra: 'x' } }, spec: { replicas: 9 }, status: { replicas: 1 } },
      contentType: MERGE,
    });
    expect(p.status).toBe(200);
    expect(p.json.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(p.json.metadata.labels).toEqual({ tier: 'front' });
    expect(p.json.spec.replicas).toBe(1);
    expect(p.json.status.replicas).toBe(1);
  });

  it('ReplicaSet: /status keeps labels and annotations, resets only spec', async () => {
    const c = await s.req('POST', REPLICASETS, {
      body: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'st-rs', labels: { a: '1' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template } },
    });
    expect(c.status).toBe(201);
    const p = await s.req('PATCH', `${REPLICASETS}/st-rs/status`, {
      body: { metadata: { labels: { a: '2' }, annotations: { n: 'y' } }, spec: { replicas: 3 }, status: { replicas: 1, observedGeneration: 1 } },
      contentType: MERGE,
    });
    expect(p.status).toBe(200);
    expect(p.json.metadata.labels).toEqual({ a: '2' });
    expect(p.json.metadata.annotations).toEqual({ n: 'y' });
    expect(p.json.spec.replicas).toBe(1);
    expect(p.json.metadata.generation).toBe(1);
  });

  it('Pod: /status keeps labels and annotations, resets spec and ownerReferences, backfills qosClass', async () => {
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'st-rs', uid: '00000000-0000-0000-0000-000000000001', controller: true };
    const c = await s.req('POST', PODS, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'st-pod', labels: { app: 'web' }, ownerReferences: [owner] }, spec: template.spec } });
    expect(c.status).toBe(201);
    const body = structuredClone(c.json);
    body.metadata.labels = { app: 'web', ready: 'yes' };
    body.metadata.annotations = { seen: 'kubelet' };
    body.metadata.ownerReferences = [];
    body.spec.activeDeadlineSeconds = 10;
    body.status = { phase: 'Running' };
    const u = await s.req('PUT', `${PODS}/st-pod/status`, { body });
    expect(u.status).toBe(200);
    expect(u.json.metadata.labels).toEqual({ app: 'web', ready: 'yes' });
    expect(u.json.metadata.annotations).toEqual({ seen: 'kubelet' });
    expect(u.json.metadata.ownerReferences).toEqual([owner]);
    expect(u.json.spec.activeDeadlineSeconds).toBeUndefined();
    expect(u.json.status).toEqual({ phase: 'Running', qosClass: 'BestEffort' });
  });

  it('Pod: /status cannot clear a deletion in progress', async () => {
    await s.req('POST', PODS, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'st-term', finalizers: ['example.com/hold'] }, spec: template.spec } });
    const d = await s.req('DELETE', `${PODS}/st-term`);
    expect(d.status).toBe(200);
    const ts = d.json.metadata.deletionTimestamp;
    expect(ts).toBeTruthy();
    const body = structuredClone(d.json);
    delete body.metadata.deletionTimestamp;
    delete body.metadata.deletionGracePeriodSeconds;
    body.metadata.finalizers = [];
    body.status = { phase: 'Failed' };
    const u = await s.req('PUT', `${PODS}/st-term/status`, { body });
    // The finalizer removal is the client's to make through /status; with nothing left the pod goes.
    expect(u.status).toBe(200);
    expect(u.json.metadata.deletionTimestamp).toBe(ts);
    expect((await s.req('GET', `${PODS}/st-term`)).status).toBe(404);
  });

  it('Namespace: /status keeps the name label and spec.finalizers', async () => {
    await s.req('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'st-ns', labels: { team: 'a' } } } });
    const p = await s.req('PUT', '/api/v1/namespaces/st-ns/status', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'st-ns', labels: { team: 'b' } }, spec: { finalizers: [] }, status: { phase: 'Active' } },
    });
    expect(p.status).toBe(200);
    expect(p.json.metadata.labels).toEqual({ team: 'b', 'kubernetes.io/metadata.name': 'st-ns' });
    expect(p.json.spec.finalizers).toEqual(['kubernetes']);
  });

  it('refuses a stale resourceVersion on /status with 409', async () => {
    const g = await s.req('GET', `${DEPLOYMENTS}/st-deploy`);
    const body = structuredClone(g.json);
    body.metadata.resourceVersion = String(Number(body.metadata.resourceVersion) - 1);
    const u = await s.req('PUT', `${DEPLOYMENTS}/st-deploy/status`, { body });
    expect(u.status).toBe(409);
  });
});

describe('the kubernetes Service EndpointSlice', () => {
  it('is published as upstream: IPv4, the advertised address ready, port https', async () => {
    const r = await s.req('GET', `${SLICES}/kubernetes`);
    expect(r.status).toBe(200);
    expect(r.json.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'kubernetes' });
    expect(r.json.addressType).toBe('IPv4');
    expect(r.json.endpoints).toEqual([{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
    expect(r.json.ports).toEqual([{ name: 'https', port: s.api.port, protocol: 'TCP' }]);
    const ep = await s.req('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
    expect(ep.json.subsets[0].addresses).toEqual([{ ip: '127.0.0.1' }]);
    const svc = await s.req('GET', `${SERVICES}/kubernetes`);
    expect(svc.json.spec.clusterIP).toBe('10.96.0.1');
  });

  it('is repaired on the next publish; stray slices for the Service go; an up-to-date slice is left alone', async () => {
    const cur = await s.req('GET', `${SLICES}/kubernetes`);
    const broken = structuredClone(cur.json);
    broken.ports = [{ name: 'https', port: 1, protocol: 'TCP' }];
    broken.endpoints = [{ addresses: ['10.0.0.9'] }];
    expect((await s.req('PUT', `${SLICES}/kubernetes`, { body: broken })).status).toBe(200);
    const stray = await s.req('POST', SLICES, {
      body: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes-stray', labels: { 'kubernetes.io/service-name': 'kubernetes' } }, addressType: 'IPv4', endpoints: [], ports: [] },
    });
    expect(stray.status).toBe(201);
    await s.api.registry.publishEndpoints('127.0.0.1', s.api.port);
    const fixed = await s.req('GET', `${SLICES}/kubernetes`);
    expect(fixed.json.ports).toEqual([{ name: 'https', port: s.api.port, protocol: 'TCP' }]);
    expect(fixed.json.endpoints).toEqual([{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
    expect(fixed.json.metadata.uid).toBe(cur.json.metadata.uid);
    expect((await s.req('GET', `${SLICES}/kubernetes-stray`)).status).toBe(404);
    await s.api.registry.publishEndpoints('127.0.0.1', s.api.port);
    const again = await s.req('GET', `${SLICES}/kubernetes`);
    expect(again.json.metadata.resourceVersion).toBe(fixed.json.metadata.resourceVersion);
  });
});

describe('Service allocation', () => {
  const svc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });

  it('hands out random NodePorts and ClusterIPs from the upper band, never twice', async () => {
    const ports: number[] = [];
    const ips: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await s.req('POST', SERVICES, { body: svc(`al-${i}`, { type: 'NodePort' }) });
      expect(r.status).toBe(201);
      ports.push(r.json.spec.ports[0].nodePort);
      ips.push(r.json.spec.clusterIP);
    }
    // 30000-32767: the lower 86 ports are kept for ports asked by number.
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(30086);
      expect(p).toBeLessThanOrEqual(32767);
    }
    // 10.96.0.0/12: the first 256 addresses after the network address are kept for static ones.
    for (const ip of ips) {
      expect(ip).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\./);
      expect(ipToInt(ip) - ipToInt('10.96.0.1')).toBeGreaterThanOrEqual(256);
    }
    expect(new Set(ports).size).toBe(6);
    expect(new Set(ips).size).toBe(6);
    // Sequential allocation would give consecutive values; random picks over ~2700 ports do not.
    const sorted = [...ports].sort((a, b) => a - b);
    expect(sorted[5] - sorted[0]).toBeGreaterThan(5);
  });

  it('gives a static lower-band value when asked, refuses it twice, and reuses it after delete', async () => {
    const a = await s.req('POST', SERVICES, { body: svc('al-static', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30020 }] }) });
    expect(a.status).toBe(201);
    expect(a.json.spec.clusterIP).toBe('10.96.0.20');
    expect(a.json.spec.ports[0].nodePort).toBe(30020);
    const dup = await s.req('POST', SERVICES, { body: svc('al-dup', { type: 'NodePort', ports: [{ port: 80, nodePort: 30020 }] }) });
    expect(dup.status).toBe(422);
    expect(dup.json.details.causes[0]).toMatchObject({ field: 'spec.ports[0].nodePort', message: expect.stringContaining('provided port is already allocated') });
    expect((await s.req('DELETE', `${SERVICES}/al-static`)).status).toBe(200);
    const again = await s.req('POST', SERVICES, { body: svc('al-again', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30020 }] }) });
    expect(again.status).toBe(201);
  });
});

describe('default propagation policy of a delete', () => {
  const job = (name: string) => ({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
  });

  it('batch/v1 Job: no policy orphans (orphan finalizer); Background removes; a later Background drops the orphan finalizer', async () => {
    expect((await s.req('POST', JOBS, { body: job('gc-job') })).status).toBe(201);
    const d = await s.req('DELETE', `${JOBS}/gc-job`);
    expect(d.status).toBe(200);
    expect(d.json.metadata.finalizers).toEqual(['orphan']);
    expect(d.json.metadata.deletionTimestamp).toBeTruthy();
    expect((await s.req('GET', `${JOBS}/gc-job`)).status).toBe(200);
    const bg = await s.req('DELETE', `${JOBS}/gc-job`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    expect(bg.status).toBe(200);
    expect((await s.req('GET', `${JOBS}/gc-job`)).status).toBe(404);

    expect((await s.req('POST', JOBS, { body: job('gc-job-bg') })).status).toBe(201);
    const b = await s.req('DELETE', `${JOBS}/gc-job-bg`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    expect(b.status).toBe(200);
    expect((await s.req('GET', `${JOBS}/gc-job-bg`)).status).toBe(404);

    expect((await s.req('POST', JOBS, { body: job('gc-job-fg') })).status).toBe(201);
    const f = await s.req('DELETE', `${JOBS}/gc-job-fg`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } });
    expect(f.json.metadata.finalizers).toEqual(['foregroundDeletion']);
    // A later delete without a policy keeps the recorded one.
    const f2 = await s.req('DELETE', `${JOBS}/gc-job-fg`);
    expect(f2.json.metadata.finalizers).toEqual(['foregroundDeletion']);
  });

  it('core/v1 Event: garbage collection is unsupported, so even Orphan removes it at once', async () => {
    const ev = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'gc-ev' },
      involvedObject: { kind: 'Pod', name: 'x', namespace: 'default' }, reason: 'Test', message: 'm', type: 'Normal',
    };
    expect((await s.req('POST', '/api/v1/namespaces/default/events', { body: ev })).status).toBe(201);
    const d = await s.req('DELETE', '/api/v1/namespaces/default/events/gc-ev', { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' } });
    expect(d.status).toBe(200);
    expect((await s.req('GET', '/api/v1/namespaces/default/events/gc-ev')).status).toBe(404);
  });

  it('apps/v1 Deployment: no policy deletes in the background (no finalizer, gone at once)', async () => {
    expect((await s.req('POST', DEPLOYMENTS, { body: deployment('gc-deploy') })).status).toBe(201);
    const d = await s.req('DELETE', `${DEPLOYMENTS}/gc-deploy`);
    expect(d.status).toBe(200);
    expect((await s.req('GET', `${DEPLOYMENTS}/gc-deploy`)).status).toBe(404);
  });
});
