// kubectl events against the real API server with Events written through the API, compared with the
// real kubectl 1.32 byte for byte (ages aside), including -w.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startEnv, both, normaliseAges, type Env } from './helpers.ts';
import { start, lines, hasLine } from './watching.ts';
import { eventInterval, sortEvents, typedEvent, type CoreEvent } from '../src/cmd/events.ts';
import { toOrderedJson } from '../src/printers/json.ts';

let env: Env;
const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
const microAgo = (min: number) => new Date(Date.now() - min * 60_000).toISOString().replace(/\.(\d+)Z$/, (_m, ms: string) => `.${ms.padEnd(6, '0')}Z`);

async function postEvent(ns: string, e: Record<string, unknown>): Promise<void> {
  const r = await env.server.req('POST', `/api/v1/namespaces/${ns}/events`, { body: { apiVersion: 'v1', kind: 'Event', ...e } });
  expect(r.status, r.text).toBe(201);
}

beforeAll(async () => {
  env = await startEnv();
  expect((await env.server.req('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } } })).status).toBe(201);
  const pod = { kind: 'Pod', name: 'p1', namespace: 'default', apiVersion: 'v1' };
  await postEvent('default', { metadata: { name: 'p1.a' }, involvedObject: pod, reason: 'Scheduled', message: 'Successfully assigned default/p1 to node1', type: 'Normal', firstTimestamp: ago(30), lastTimestamp: ago(30), count: 1, source: { component: 'default-scheduler' } });
  await postEvent('default', { metadata: { name: 'p1.b' }, involvedObject: pod, reason: 'BackOff', message: 'Back-off pulling image "busybox"\n  ', type: 'Warning', firstTimestamp: ago(120), lastTimestamp: ago(20), count: 4, source: { component: 'kubelet', host: 'node1' } });
  await postEvent('default', { metadata: { name: 'web.c' }, involvedObject: { kind: 'Deployment', name: 'web', namespace: 'default', apiVersion: 'apps/v1' }, reason: 'ScalingReplicaSet', message: 'Scaled up replica set web-abc to 1', type: 'Normal', eventTime: microAgo(45), reportingComponent: 'deployment-controller', reportingInstance: 'cm-1', action: 'Scale' });
  await postEvent('default', { metadata: { name: 'web.d' }, involvedObject: { kind: 'Deployment', name: 'web', namespace: 'default', apiVersion: 'apps/v1' }, reason: 'Flapping', message: 'line one\nline two', type: 'Warning', eventTime: microAgo(180), series: { count: 3, lastObservedTime: microAgo(15) }, reportingComponent: 'x', reportingInstance: 'y', action: 'Check' });
  await postEvent('other', { metadata: { name: 'q.e' }, involvedObject: { kind: 'Pod', name: 'q', namespace: 'other', apiVersion: 'v1' }, reason: 'Failed', message: 'Error: ErrImagePull', type: 'Warning', firstTimestamp: ago(60), lastTimestamp: ago(60), count: 1 });
}, 60_000);
afterAll(async () => { await env?.stop(); });

describe('kubectl events (golden)', () => {
  const cases: string[][] = [
    ['events'],
    ['events', '-A'],
    ['events', '--for', 'pod/p1'],
    ['events', '--for', 'deploy/web'],
    ['events', '--for', 'deployments.apps/web', '-A'],
    ['events', '--types', 'Warning'],
    ['events', '--types', 'warning,normal', '-A'],
    ['events', '--types=Normal', '--types=Normal'],
    ['events', '--no-headers', '-A'],
    ['events', '-n', 'other'],
    ['events', '-n', 'empty'],
    ['events', '-A', '--for', 'pod/none'],
    ['events', '-o', 'json'],
    ['events', '-o', 'yaml', '-A'],
    ['events', '-o', 'name'],
    ['events', '-o', 'jsonpath={.items[*].reason}'],
    ['events', '-o', 'wide'],
    ['events', '--types', 'bad'],
    ['events', '--for', 'p1'],
    ['events', '--for', 'foo/p1'],
    ['events', '--for', 'a/b/c'],
    ['events', 'ignored-argument'],
  ];
  for (const args of cases) {
    it(args.join(' '), async () => {
      const { real, ours, same } = await both(env, args);
      expect({ code: ours.code, stderr: ours.stderr }).toEqual({ code: real.code, stderr: real.stderr });
      if (!same) expect(normaliseAges(ours.stdout)).toBe(normaliseAges(real.stdout));
    }, 30_000);
  }

  it('prints the table sorted by when each event last happened', async () => {
    const r = await env.ours(['events', '-A']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split(/ {3,}/));
    expect(rows).toEqual([
      ['NAMESPACE', 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
      ['other', '60m', 'Warning', 'Failed', 'Pod/q', 'Error: ErrImagePull'],
      ['default', '45m', 'Normal', 'ScalingReplicaSet', 'Deployment/web', 'Scaled up replica set web-abc to 1'],
      ['default', '30m', 'Normal', 'Scheduled', 'Pod/p1', 'Successfully assigned default/p1 to node1'],
      ['default', '20m (x4 over 120m)', 'Warning', 'BackOff', 'Pod/p1', 'Back-off pulling image "busybox"'],
      ['default', '15m (x3 over 3h)', 'Warning', 'Flapping', 'Deployment/web', 'line one'],
      ['line two'],
    ]);
  }, 30_000);

  it('-w prints the events there are, then new ones (not deletions); SIGINT exits 1 as kubectl does', async () => {
    const real = start(env, 'real', ['events', '-w']);
    const ours = start(env, 'ours', ['events', '-w']);
    await Promise.all([real.until((s) => lines(s) >= 6), ours.until((s) => lines(s) >= 6)]);
    expect((await env.server.req('DELETE', '/api/v1/namespaces/default/events/p1.a')).status).toBe(200);
    await postEvent('default', { metadata: { name: 'p1.new' }, involvedObject: { kind: 'Pod', name: 'p1', namespace: 'default', apiVersion: 'v1' }, reason: 'Pulled', message: 'Container image "busybox" already present on machine', type: 'Normal', firstTimestamp: ago(12), lastTimestamp: ago(12), count: 1 });
    await Promise.all([real.until((s) => hasLine(s, 'Pulled')), ours.until((s) => hasLine(s, 'Pulled'))]);
    const [r, o] = await Promise.all([real.interrupt(), ours.interrupt()]);
    expect(o.code).toBe(r.code);
    expect(o.code).toBe(1);
    expect(normaliseAges(o.stdout)).toBe(normaliseAges(r.stdout));
    expect(o.stdout.split('\n')[0]).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$/);
    expect(lines(o.stdout)).toBe(7);
  }, 60_000);

  it('-w -o yaml separates the events with ---', async () => {
    const real = start(env, 'real', ['events', '-w', '-o', 'yaml', '--for', 'pod/p1']);
    const ours = start(env, 'ours', ['events', '-w', '-o', 'yaml', '--for', 'pod/p1']);
    // Both events, the second one whole (its last field is the top-level type).
    const both2 = (s: string) => s.includes('---') && s.includes('Pulled') && /\ntype: \S+\n$/.test(s);
    await Promise.all([real.until(both2), ours.until(both2)]);
    const [r, o] = await Promise.all([real.interrupt(), ours.interrupt()]);
    expect(o).toEqual(r);
  }, 60_000);

  it('-w -o json prints each event as the typed object', async () => {
    const real = start(env, 'real', ['events', '-w', '-o', 'json', '--for', 'pod/p1', '--types', 'Warning']);
    const ours = start(env, 'ours', ['events', '-w', '-o', 'json', '--for', 'pod/p1', '--types', 'Warning']);
    const whole = (s: string) => s.includes('BackOff') && /\n}\n$/.test(s);
    await Promise.all([real.until(whole), ours.until(whole)]);
    const [r, o] = await Promise.all([real.interrupt(), ours.interrupt()]);
    expect(o).toEqual(r);
  }, 60_000);
});

describe('events helpers', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  it('LAST SEEN: first time, or last time with the count', () => {
    expect(eventInterval({ firstTimestamp: '2026-01-01T11:30:00Z', count: 1 }, now)).toBe('30m');
    expect(eventInterval({ firstTimestamp: '2026-01-01T10:00:00Z', lastTimestamp: '2026-01-01T11:50:00Z', count: 4 }, now)).toBe('10m (x4 over 120m)');
    expect(eventInterval({ eventTime: '2026-01-01T09:00:00.000000Z', series: { count: 2, lastObservedTime: '2026-01-01T11:00:00.000000Z' } }, now)).toBe('60m (x2 over 3h)');
    expect(eventInterval({}, now)).toBe('<unknown>');
  });
  it('sorts by series time, else last timestamp, else event time, keeping ties in order', () => {
    const e = (n: string, x: Partial<CoreEvent>): CoreEvent => ({ metadata: { name: n }, ...x });
    const sorted = sortEvents([
      e('a', { lastTimestamp: '2026-01-01T11:00:00Z' }), e('b', { eventTime: '2026-01-01T10:00:00.000000Z' }),
      e('c', { series: { lastObservedTime: '2026-01-01T09:00:00.000000Z' }, lastTimestamp: '2026-01-01T11:59:00Z' }), e('d', {}), e('e', {}),
    ]);
    expect(sorted.map((x) => x.metadata?.name)).toEqual(['d', 'e', 'c', 'b', 'a']);
  });
  it('serializes like the Go struct: field order, null times, empty reporting fields', () => {
    expect(toOrderedJson(typedEvent({ type: 'Normal', reason: 'R', metadata: { namespace: 'n', name: 'x', uid: 'u' }, involvedObject: { name: 'p', kind: 'Pod' } }))).toBe(`{
    "kind": "Event",
    "apiVersion": "v1",
    "metadata": {
        "name": "x",
        "namespace": "n",
        "uid": "u",
        "creationTimestamp": null
    },
    "involvedObject": {
        "kind": "Pod",
        "name": "p"
    },
    "reason": "R",
    "source": {},
    "firstTimestamp": null,
    "lastTimestamp": null,
    "type": "Normal",
    "eventTime": null,
    "reportingComponent": "",
    "reportingInstance": ""
}
`);
  });
});
