// Runs the scheduler binary (src/main.ts) against a real API server: leader election, binding, /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clientset } from '@k8ts/client';
import { startApiServer, defaultApiServerOptions, type RunningApiServer } from '@k8ts/apiserver/app.ts';
import { issueClientCert } from '@k8ts/apiserver/pki/index.ts';
import { freePort } from '../../cluster/src/ports.ts';
import { makeNode } from './helpers.ts';

let dir = '';
let api: RunningApiServer | undefined;
let cs: Clientset;
let proc: ChildProcess | undefined;
let port = 0;
let stderr = '';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; scheduler stderr:\n${stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-scheduler-main-'));
  api = await startApiServer({ ...defaultApiServerOptions, securePort: 0, certDir: join(dir, 'pki') });
  const admin = await issueClientCert(api.ca, { user: 'system:kube-scheduler', groups: ['system:masters'] });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const kubeconfig = join(dir, 'scheduler.kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'k8ts', cluster: { server: api.url, 'certificate-authority-data': b64(api.ca.certPem) } }],
      users: [{ name: 'sched', user: { 'client-certificate-data': b64(admin.certPem), 'client-key-data': b64(admin.keyPem) } }],
      contexts: [{ name: 'k8ts', context: { cluster: 'k8ts', user: 'sched' } }],
      'current-context': 'k8ts',
    }),
  );
  cs = new Clientset({
    server: api.url,
    ca: Buffer.from(api.ca.certPem),
    cert: Buffer.from(admin.certPem),
    key: Buffer.from(admin.keyPem),
    insecureSkipTLSVerify: false,
    namespace: 'default',
    contextName: 'test',
    qps: 0,
  });
  try {
    await cs.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  } catch {
    /* may already exist */
  }
  const { status, ...rest } = makeNode('n1');
  const created = await cs.nodes().create(rest as never);
  await cs.nodes().updateStatus({ ...created, status } as never);
  port = await freePort();
  const main = join(import.meta.dirname, '..', 'src', 'main.ts');
  proc = spawn(process.execPath, [main, '--kubeconfig', kubeconfig, '--port', String(port), '--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '500ms'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr!.on('data', (c) => (stderr += c));
});

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
  cs?.close();
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('scheduler main', () => {
  it('takes the kube-scheduler lease, binds pods and serves metrics', async () => {
    const lease = await waitFor('lease', async () => {
      const l = await cs.leases('kube-system').get('kube-scheduler');
      return l.spec?.holderIdentity ? l : undefined;
    });
    expect(lease.spec!.holderIdentity).toMatch(/_/);
    await cs.pods('default').create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p1', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    } as never);
    const p = await waitFor('bound', async () => {
      const p = await cs.pods('default').get('p1');
      return p.spec?.nodeName ? p : undefined;
    });
    expect(p.spec!.nodeName).toBe('n1');
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 1/);
    expect(text).toMatch(/scheduler_pending_pods\{queue="active"\} 0/);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });
});
