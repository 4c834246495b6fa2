// The official @kubernetes/client-node against the API server on real etcd: list, watch, informer.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { startTestServer, type TestServer } from './harness.ts';

let s: TestServer;
let kc: k8s.KubeConfig;
beforeAll(async () => {
  s = await startTestServer();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(s.kubeconfig);
});
afterAll(async () => { await s?.stop(); });

describe('@kubernetes/client-node', () => {
  it('creates and lists', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-client' }, data: { a: '1' } } });
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(list.items.map((i) => i.metadata?.name)).toContain('from-client');
    const nss = await core.listNamespace();
    expect(nss.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease']));
  });
  it('watches', async () => {
    const watch = new k8s.Watch(kc);
    const seen: string[] = [];
    const req = await watch.watch('/api/v1/namespaces/default/configmaps', {}, (type, obj) => { seen.push(`${type}:${obj.metadata.name}`); }, () => {});
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched' } } });
    await until(() => seen.includes('ADDED:watched'));
    req.abort();
    expect(seen).toContain('ADDED:from-client');
  });
  it('runs an informer', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const inf = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const added: string[] = [];
    const deleted: string[] = [];
    inf.on('add', (o) => added.push(o.metadata!.name!));
    inf.on('delete', (o) => deleted.push(o.metadata!.name!));
    await inf.start();
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'inf' } } });
    await until(() => added.includes('inf'));
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'inf' });
    await until(() => deleted.includes('inf'));
    await inf.stop();
    expect(inf.list().map((o) => o.metadata?.name)).not.toContain('inf');
  });
});

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
