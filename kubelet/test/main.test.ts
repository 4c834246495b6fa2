// The kubelet binary as cluster/up.ts starts it: flags → a registered node, a serving /healthz,
// clean exit on SIGTERM.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Clientset, loadRestConfig } from '@k8ts/client';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';
import { startFakeCriServer, type FakeCriServer } from '../src/cri/fake-server.ts';
import { freePort } from '../../cluster/src/ports.ts';

describe('kubelet main', () => {
  let server: TestServer;
  let fake: FakeCriServer;
  let proc: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-main-'));
  let stderr = '';

  beforeAll(async () => {
    server = await startTestServer({ storage: 'memory' });
    fake = await startFakeCriServer({ images: ['busybox'] });
  }, 60_000);
  afterAll(async () => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await fake?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers the node with the flags given and serves HTTPS until SIGTERM', async () => {
    const port = await freePort();
    proc = spawn(process.execPath, [resolve(import.meta.dirname, '../src/main.ts'),
      '--kubeconfig', server.kubeconfig, '--hostname-override', 'Main-Node', '--container-runtime-endpoint', `unix://${fake.socketPath}`,
      '--pod-cidr', '10.244.7.0/24', '--node-ip', '10.9.9.9', '--register-with-taints', 'role=edge:NoSchedule',
      '--pod-logs-dir', join(dir, 'logs'), '--root-dir', join(dir, 'root'), '--address', '127.0.0.1', '--port', String(port), '-v', '2'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const client = new Clientset(loadRestConfig({ kubeconfig: server.kubeconfig }));
    try {
      const deadline = Date.now() + 20_000;
      let node;
      while (Date.now() < deadline && !node) {
        node = await client.nodes().get('main-node').then((n) => (n.status?.addresses ? n : undefined), () => undefined);
        if (!node) await new Promise((r) => setTimeout(r, 200));
      }
      expect(node, stderr).toBeDefined();
      expect(node!.spec).toMatchObject({ podCIDR: '10.244.7.0/24', taints: [{ key: 'role', value: 'edge', effect: 'NoSchedule' }] });
      expect(node!.status?.addresses).toEqual([{ type: 'InternalIP', address: '10.9.9.9' }, { type: 'Hostname', address: 'main-node' }]);
      expect(node!.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(port);
      const health = await new Promise<string>((res, rej) => {
        httpsGet({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false }, (r) => {
          let b = ''; r.on('data', (c: Buffer) => { b += c.toString(); }); r.on('end', () => res(b));
        }).on('error', rej);
      });
      expect(health).toBe('ok');
      const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      client.close();
    }
  }, 40_000);
});
