// The scheduler against the real API server (in-memory storage): informers, binding, events, status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { Clientset, type Typed } from '@k8ts/client';
import { startApiServer, defaultApiServerOptions, type RunningApiServer } from '@k8ts/apiserver/app.ts';
import { issueClientCert } from '@k8ts/apiserver/pki/index.ts';
import { startScheduler, type RunningScheduler } from '../src/app.ts';
import { makeNode, makePod } from './helpers.ts';

let dir = '';
let api: RunningApiServer | undefined;
let cs: Clientset;
let sched: RunningScheduler | undefined;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8ts-scheduler-'));
  api = await startApiServer({ ...defaultApiServerOptions, securePort: 0, certDir: join(dir, 'pki') });
  const admin = await issueClientCert(api.ca, { user: 'kubernetes-admin', groups: ['system:masters'] });
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
  for (const n of [makeNode('worker-1', { cpu: '2' }), makeNode('worker-2', { cpu: '2' })]) {
    const { status, ...rest } = n;
    const created = await cs.nodes().create(rest as never);
    await cs.nodes().updateStatus({ ...created, status } as never);
  }
  sched = startScheduler({ clientset: cs, leaderElect: false });
  await sched.started;
});

afterAll(async () => {
  await sched?.stop();
  cs?.close();
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const strip = (p: Pod) => {
  const { status: _s, ...rest } = p;
  const md = { ...rest.metadata };
  delete md.uid;
  return { ...rest, metadata: md } as Typed<Pod>;
};

describe('scheduler against the API server', () => {
  it('binds pending pods and records Scheduled events', async () => {
    await cs.pods('default').create(strip(makePod('web-1', { cpu: '500m' })));
    await cs.pods('default').create(strip(makePod('web-2', { cpu: '500m' })));
    for (const name of ['web-1', 'web-2']) {
      const p = await waitFor(`${name} bound`, async () => {
        const p = await cs.pods('default').get(name);
        return p.spec?.nodeName ? p : undefined;
      });
      expect(['worker-1', 'worker-2']).toContain(p.spec!.nodeName);
    }
    const ev = await waitFor('Scheduled event', async () => {
      const list = await cs.events('default').list();
      return list.items.find((e) => e.reason === 'Scheduled' && e.involvedObject.name === 'web-1');
    });
    expect(ev.message).toMatch(/^Successfully assigned default\/web-1 to worker-[12]$/);
    expect(ev.source?.component).toBe('default-scheduler');
  });

  it('reports unschedulable pods in the PodScheduled condition and a FailedScheduling event', async () => {
    await cs.pods('default').create(strip(makePod('huge', { cpu: '3' })));
    const cond = await waitFor('PodScheduled=False', async () => {
      const p = await cs.pods('default').get('huge');
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    const msg = '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.';
    expect(cond.reason).toBe('Unschedulable');
    expect(cond.message).toBe(msg);
    const ev = await waitFor('FailedScheduling event', async () => {
      const list = await cs.events('default').list();
      return list.items.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'huge');
    });
    expect(ev.type).toBe('Warning');
    expect(ev.message).toBe(msg);
  });

  it('preempts a lower-priority pod: DisruptionTarget, deletion and nominatedNodeName', async () => {
    const low = strip(makePod('low', { cpu: '1500m', priority: 0 }));
    low.spec!.nodeName = 'worker-1';
    await cs.pods('default').create(low);
    const low2 = strip(makePod('low2', { cpu: '1500m', priority: 0 }));
    low2.spec!.nodeName = 'worker-2';
    await cs.pods('default').create(low2);
    const hi = strip(makePod('hi', { cpu: '1', priority: 1000 }));
    hi.spec!.priority = 1000;
    await cs.pods('default').create(hi);
    const p = await waitFor('nominatedNodeName', async () => {
      const p = await cs.pods('default').get('hi');
      return p.status?.nominatedNodeName ? p : undefined;
    });
    const node = p.status!.nominatedNodeName!;
    expect(['worker-1', 'worker-2']).toContain(node);
    const victimName = node === 'worker-1' ? 'low' : 'low2';
    const gone = await waitFor('victim deleted or terminating', async () => {
      try {
        const v = await cs.pods('default').get(victimName);
        return v.metadata?.deletionTimestamp ? v : undefined;
      } catch {
        return { deleted: true } as never;
      }
    });
    if ((gone as Pod).metadata) {
      const c = (gone as Pod).status?.conditions?.find((c) => c.type === 'DisruptionTarget');
      expect(c).toMatchObject({ status: 'True', reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod' });
    }
    const ev = await waitFor('Preempted event', async () => {
      const list = await cs.events('default').list();
      return list.items.find((e) => e.reason === 'Preempted' && e.involvedObject.name === victimName);
    });
    expect(ev.message).toBe(`Preempted by pod ${p.metadata!.uid} on node ${node}`);
  });
});
