import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { Event } from 'kubernetes-types/core/v1';
import { pino } from 'pino';
import { lookupResource } from '@k8ts/api/resources.ts';
import { Clientset } from '../src/clientset.ts';
import { EventRecorder, getReference } from '../src/events.ts';
import { FakeApiServer } from './fake-apiserver.ts';

const eventsInfo = lookupResource('', 'v1', 'events')!;
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod', uid: 'uid-1', resourceVersion: '42' } };
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'uid-n' } };

describe('EventRecorder', () => {
  let fake: FakeApiServer;
  let cs: Clientset;
  let clock: number;
  beforeEach(async () => {
    fake = new FakeApiServer();
    await fake.start();
    cs = new Clientset({ server: fake.url, insecureSkipTLSVerify: false, namespace: 'default', contextName: '' }, { maxRetries: 0 });
    clock = Date.parse('2026-01-01T00:00:00Z');
  });
  afterEach(async () => { cs.close(); await fake.stop(); });

  const recorder = (o: Partial<ConstructorParameters<typeof EventRecorder>[1]> = {}) =>
    new EventRecorder(cs.events(), { component: 'default-scheduler', host: 'host-a', now: () => new Date(clock), retryDelayMs: 5, ...o });
  const stored = () => [...fake.objects.values()].filter((o) => o.kind === 'Event') as unknown as Event[];

  it('writes a core/v1 Event with reference, source and timestamps', async () => {
    const r = recorder();
    r.event(pod, 'Normal', 'Scheduled', 'Successfully assigned prod/web-1 to node-1');
    await r.flush();
    const [e] = stored();
    expect(e).toMatchObject({
      metadata: { namespace: 'prod' },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'prod', uid: 'uid-1', resourceVersion: '42' },
      reason: 'Scheduled', message: 'Successfully assigned prod/web-1 to node-1', type: 'Normal',
      source: { component: 'default-scheduler', host: 'host-a' },
      reportingComponent: 'default-scheduler', reportingInstance: 'host-a',
      firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:00Z', count: 1,
    });
    expect(e.metadata!.name).toMatch(/^web-1\.[0-9a-f]+$/);
    // Cluster-scoped objects' events go to "default".
    r.eventf(node, 'Warning', 'NodeNotReady', 'Node %s status is now: %s', 'node-1', 'NodeNotReady');
    await r.flush();
    const ne = stored().find((x) => x.reason === 'NodeNotReady')!;
    expect(ne.metadata!.namespace).toBe('default');
    expect(ne.message).toBe('Node node-1 status is now: NodeNotReady');
    expect(ne.involvedObject.namespace).toBeUndefined();
  });

  it('aggregates repeats of the same (object, reason, message) by patching count and lastTimestamp', async () => {
    const r = recorder();
    r.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await r.flush();
    clock += 10_000;
    r.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    clock += 10_000;
    r.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    r.event(pod, 'Warning', 'BackOff', 'a different message');
    await r.flush();
    const posts = fake.requestsTo('POST', '/api/v1/namespaces/prod/events');
    expect(posts).toHaveLength(2);
    const first = stored().find((e) => e.message === 'Back-off restarting failed container')!;
    const patches = fake.requestsTo('PATCH', `/api/v1/namespaces/prod/events/${first.metadata!.name}`);
    expect(patches).toHaveLength(2);
    expect(patches[0].headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(JSON.parse(patches[1].body)).toEqual({ count: 3, lastTimestamp: '2026-01-01T00:00:20Z', message: 'Back-off restarting failed container' });
    expect(first).toMatchObject({ count: 3, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:20Z' });
  });

  it('recreates an aggregated event whose object was deleted meanwhile', async () => {
    const r = recorder();
    r.event(pod, 'Normal', 'Pulled', 'pulled');
    await r.flush();
    const name = stored()[0].metadata!.name!;
    fake.remove(eventsInfo, 'prod', name);
    r.event(pod, 'Normal', 'Pulled', 'pulled');
    await r.flush();
    const e = stored();
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ metadata: { name }, count: 2, firstTimestamp: '2026-01-01T00:00:00Z' });
  });

  it('drops spam beyond the per-object burst, refilling over time', async () => {
    const r = recorder({ spamBurst: 3, spamRefillMs: 1000 });
    for (let i = 0; i < 6; i++) r.event(pod, 'Normal', 'R', `m${i}`);
    await r.flush();
    expect(stored().map((e) => e.message).sort()).toEqual(['m0', 'm1', 'm2']);
    clock += 1000;
    r.event(pod, 'Normal', 'R', 'm-later');
    await r.flush();
    expect(stored()).toHaveLength(4);
  });

  it('logs a full queue once with its object, then counts the drops in one line', async () => {
    const lines: { msg: string; object?: string; dropped?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => { lines.push(JSON.parse(l)); } });
    const r = recorder({ queueSize: 1, logger });
    for (let i = 0; i < 50; i++) r.event(pod, 'Normal', `R${i}`, `m${i}`); // R0 in flight, R1 waiting, 48 dropped
    await r.flush();
    expect(stored().map((e) => e.reason).sort()).toEqual(['R0', 'R1']);
    expect(lines.map((l) => l.msg)).toEqual(['event queue full; dropping event', 'event queue full; dropped 47 more events']);
    expect(lines[0].object).toBe('prod/web-1');
    expect(lines[1].dropped).toBe(47);
  });

  it('never blocks or throws: bounded queue, failures swallowed, retries on transport errors', async () => {
    const r = recorder({ queueSize: 1 }); // one being written + one waiting
    fake.faults.push({ match: (q) => q.method === 'POST', code: 0, times: 2 }); // connection resets
    const t0 = performance.now();
    r.event(pod, 'Normal', 'A', '1');
    r.event(pod, 'Normal', 'B', '2');
    r.event(pod, 'Normal', 'C', '3'); // queue full (A in flight, B waiting): dropped
    r.event({ metadata: { name: 'no-kind' } }, 'Normal', 'D', '4'); // unreferencable: logged, dropped
    r.event(pod, 'Bogus' as 'Normal', 'E', '5'); // invalid type: dropped
    expect(performance.now() - t0).toBeLessThan(50);
    await r.flush();
    expect(stored().map((e) => e.reason).sort()).toEqual(['A', 'B']);
    // A server that refuses (any Status) is not retried and does not surface.
    fake.faults.push({ match: (q) => q.method === 'POST', code: 403, times: 5 });
    fake.faults.push({ match: (q) => q.method === 'POST', code: 503, times: 5 });
    r.event(pod, 'Normal', 'F', '6');
    r.event(pod, 'Normal', 'F2', '7');
    await r.flush();
    expect(fake.requests.filter((q) => q.method === 'POST' && JSON.parse(q.body).reason === 'F')).toHaveLength(1);
    expect(fake.requests.filter((q) => q.method === 'POST' && JSON.parse(q.body).reason === 'F2')).toHaveLength(1);
    await r.shutdown();
    r.event(pod, 'Normal', 'G', 'after shutdown');
    await r.flush();
    expect(stored().some((e) => e.reason === 'G')).toBe(false);
  });

  it('combines similar events (same reason, 10 different messages within 10 minutes)', async () => {
    const r = recorder();
    for (let i = 1; i <= 9; i++) r.event(pod, 'Warning', 'FailedMount', `volume v${i} not found`);
    await r.flush();
    expect(stored()).toHaveLength(9);
    r.event(pod, 'Warning', 'FailedMount', 'volume v10 not found');
    await r.flush();
    const combined = stored().filter((e) => e.message!.startsWith('(combined from similar events): '));
    expect(combined.map((e) => e.message)).toEqual(['(combined from similar events): volume v10 not found']);
    r.event(pod, 'Warning', 'FailedMount', 'volume v11 not found');
    await r.flush();
    expect(stored()).toHaveLength(10); // the aggregate was patched, not created again
    const agg = stored().find((e) => e.metadata!.name === combined[0].metadata!.name)!;
    expect(agg).toMatchObject({ count: 2, message: '(combined from similar events): volume v11 not found' });
    // Ten minutes later the similarity window starts over.
    clock += 601_000;
    r.event(pod, 'Warning', 'FailedMount', 'volume v12 not found');
    await r.flush();
    expect(stored().find((e) => e.message === 'volume v12 not found')).toBeDefined();
  });

  it('builds references', () => {
    expect(getReference(pod, 'spec.containers{c}')).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'prod', uid: 'uid-1', resourceVersion: '42', fieldPath: 'spec.containers{c}' });
    expect(getReference({ kind: 'Node', name: 'n', apiVersion: 'v1' })).toEqual({ kind: 'Node', name: 'n', apiVersion: 'v1' });
    expect(() => getReference({ metadata: { name: 'x' } })).toThrow(/kind/);
  });
});
