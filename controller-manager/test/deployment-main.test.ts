// kube-controller-manager as a process (src/main.ts): the deployment and replicaset controllers are
// wired in and their flags parse; a Deployment gets its ReplicaSet and pods.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Deployment } from 'kubernetes-types/apps/v1';
import { Clientset, loadRestConfig, type Typed } from '@k8ts/client';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('controller-manager main', () => {
  let s: TestServer;
  let cs: Clientset;
  let proc: ChildProcess | undefined;
  let stderr = '';
  beforeAll(async () => {
    s = await startTestServer();
    cs = new Clientset(loadRestConfig({ kubeconfig: s.kubeconfig }));
    proc = spawn(process.execPath, [main, '--kubeconfig', s.kubeconfig, '--leader-elect=false', '--concurrent-deployment-syncs=2', '--concurrent-replicaset-syncs=2'], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (c) => { stderr += c; });
  });
  afterAll(async () => {
    if (proc?.pid && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      process.kill(proc.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, 'SIGKILL');
    }
    cs?.close();
    await s?.stop();
  });

  it('runs the deployment and replicaset controllers', async () => {
    await cs.deployments('default').create({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hello' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'hello' } }, template: { metadata: { labels: { app: 'hello' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    } as Typed<Deployment>);
    let pods = 0;
    for (let i = 0; i < 200 && pods < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pods = (await cs.pods('default').list({ labelSelector: 'app=hello' })).items.length;
    }
    expect(pods, stderr).toBe(2);
    const rs = (await cs.replicaSets('default').list()).items;
    expect(rs.map((r) => r.metadata.name)).toEqual([`hello-${rs[0].metadata.labels!['pod-template-hash']}`]);
  });
});
