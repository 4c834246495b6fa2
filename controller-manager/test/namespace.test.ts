import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Namespace } from 'kubernetes-types/core/v1';
import { Clientset, SharedInformerFactory, loadRestConfig, createLogger } from '@k8ts/client';
import { syncNamespace } from '../src/namespace/decide.ts';
import { NamespaceController } from '../src/namespace/controller.ts';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';

const terminating = (finalizers = ['kubernetes']): Namespace => ({ metadata: { name: 'x', deletionTimestamp: '2026-01-01T00:00:00Z' }, spec: { finalizers } });

describe('syncNamespace', () => {
  it('does nothing for live namespaces or ones already finalized', () => {
    expect(syncNamespace({ metadata: { name: 'x' }, spec: { finalizers: ['kubernetes'] } }, new Map())).toEqual({ action: 'none' });
    expect(syncNamespace(terminating([]), new Map())).toEqual({ action: 'none' });
    expect(syncNamespace(undefined, new Map())).toEqual({ action: 'none' });
  });
  it('deletes content, waits for terminating objects, then finalizes', () => {
    expect(syncNamespace(terminating(), new Map([['/pods', { total: 2, terminating: 1 }], ['/configmaps', { total: 1, terminating: 0 }]])))
      .toEqual({ action: 'deleteContent', resources: ['/pods', '/configmaps'] });
    expect(syncNamespace(terminating(), new Map([['/pods', { total: 2, terminating: 2 }]]))).toEqual({ action: 'wait', remaining: 2, afterMs: 1000 });
    expect(syncNamespace(terminating(['kubernetes', 'example.com/x']), new Map())).toEqual({ action: 'finalize', finalizers: ['example.com/x'] });
  });
});

describe('NamespaceController against the API server on real etcd', () => {
  let s: TestServer;
  const stop = new AbortController();
  beforeAll(async () => {
    s = await startTestServer();
    const cs = new Clientset(loadRestConfig({ kubeconfig: s.kubeconfig }));
    const informers = new SharedInformerFactory(cs);
    const c = new NamespaceController(cs, informers, createLogger({ component: 'test', verbosity: 0 }));
    informers.start(stop.signal);
    await informers.waitForCacheSync(stop.signal);
    void c.run(2, stop.signal);
  });
  afterAll(async () => {
    stop.abort();
    await s?.stop();
  });

  it('empties a deleted namespace and removes it; new content is refused meanwhile', async () => {
    await s.req('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } } });
    await s.req('POST', '/api/v1/namespaces/doomed/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } });
    await s.req('POST', '/api/v1/namespaces/doomed/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    const d = await s.req('DELETE', '/api/v1/namespaces/doomed');
    expect(d.json.status.phase).toBe('Terminating');
    const refused = await s.req('POST', '/api/v1/namespaces/doomed/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } } });
    expect([403, 404]).toContain(refused.status);
    for (let i = 0; i < 100; i++) {
      if ((await s.req('GET', '/api/v1/namespaces/doomed')).status === 404) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await s.req('GET', '/api/v1/namespaces/doomed')).status).toBe(404);
    expect((await s.req('GET', '/api/v1/namespaces/doomed/configmaps/a')).status).toBe(404);
  });
});
