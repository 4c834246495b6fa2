// kubectl logs with -l, --prefix, --all-containers, --max-log-requests, --tail defaulting to 10 with a
// selector, and TYPE/NAME (the first pod by ByLogging), against the real API server, whose pods/log requests
// go to a stand-in kubelet (HTTPS, certificate from the cluster CA) that answers each container's log with
// lines naming the pod, container and query. Compared with the real kubectl 1.32.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { startEnv, both, type Env } from './helpers.ts';
import { issueKubeletServingCert } from '../../apiserver/src/pki/certs.ts';
import { byLoggingLess, sortByLogging, selectorForObject, logRequests, PrefixingWriter, allContainerNames } from '../src/cmd/logs-select.ts';

let env: Env;
let kubelet: Server;
const seen: string[] = [];

async function req(method: string, path: string, body?: unknown, contentType?: string): Promise<any> {
  const r = await env.server.req(method, path, { body, contentType });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

const spec = (names: string[], init: string[] = []) => ({
  nodeName: 'node1',
  initContainers: init.map((name) => ({ name, image: 'busybox' })),
  containers: names.map((name) => ({ name, image: 'nginx' })),
});

beforeAll(async () => {
  env = await startEnv();
  const cert = await issueKubeletServingCert(env.server.api.ca, { nodeName: 'node1', ips: ['127.0.0.1'] });
  kubelet = createServer({ key: cert.keyPem, cert: cert.certPem }, (r, res) => {
    const u = new URL(r.url ?? '/', 'https://x');
    seen.push(u.pathname + u.search);
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(u.pathname);
    if (!m) { res.writeHead(404); res.end('no'); return; }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    const q = [...u.searchParams].map(([k, v]) => `${k}=${v}`).join('&') || '-';
    res.write(`${m[2]}/${m[3]} one ${q}\n`);
    res.end(`${m[2]}/${m[3]} two, no newline`);
  });
  await new Promise<void>((ok) => kubelet.listen(0, '127.0.0.1', ok));
  const port = (kubelet.address() as AddressInfo).port;
  await req('POST', '/api/v1/nodes', { metadata: { name: 'node1' } });
  await req('PATCH', '/api/v1/nodes/node1/status', {
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  }, 'application/merge-patch+json');
  const dep = await req('POST', '/apis/apps/v1/namespaces/default/deployments', {
    metadata: { name: 'web' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: spec(['app']) } },
  });
  void dep;
  await req('POST', '/apis/apps/v1/namespaces/default/deployments', {
    metadata: { name: 'empty' }, spec: { replicas: 0, selector: { matchLabels: { app: 'empty' } }, template: { metadata: { labels: { app: 'empty' } }, spec: spec(['app']) } },
  });
  // ByLogging picks web-b: running and ready beats pending and not ready.
  for (const [name, phase, ready] of [['web-a', 'Pending', 'False'], ['web-b', 'Running', 'True'], ['web-c', 'Running', 'False']]) {
    await req('POST', '/api/v1/namespaces/default/pods', { metadata: { name, labels: { app: 'web' } }, spec: spec(['app']) });
    await req('PATCH', `/api/v1/namespaces/default/pods/${name}/status`, { status: { phase, conditions: [{ type: 'Ready', status: ready }] } }, 'application/merge-patch+json');
  }
  await req('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'multi', labels: { app: 'multi' } }, spec: spec(['main', 'side'], ['setup']) });
  await req('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'annotated', labels: { app: 'multi' }, annotations: { 'kubectl.kubernetes.io/default-container': 'side' } }, spec: spec(['main', 'side']) });
  await req('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'unscheduled', labels: { app: 'lost' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
}, 120_000);
afterAll(async () => {
  kubelet?.close();
  await env?.stop();
});

/** Streams come in Go map order: compare their lines (a stream's last line has no newline) as a multiset. */
const sortLines = (s: string) => s.split(/\n|(?<=no newline)/).filter(Boolean).sort().join('\n');

async function expectSame(args: string[], unordered = false): Promise<void> {
  const { real, ours } = await both(env, args);
  expect(ours.code).toBe(real.code);
  if (unordered) {
    expect(sortLines(ours.stdout)).toBe(sortLines(real.stdout));
    expect(sortLines(ours.stderr)).toBe(sortLines(real.stderr));
  } else {
    expect({ stdout: ours.stdout, stderr: ours.stderr }).toEqual({ stdout: real.stdout, stderr: real.stderr });
  }
}

describe('kubectl logs, same as the real kubectl', () => {
  it('a pod', () => expectSame(['logs', 'web-b']), 30_000);
  it('a pod with --tail and --prefix', () => expectSame(['logs', 'web-b', '--tail=2', '--prefix']), 30_000);
  it('-l reads the last 10 lines of each pod', () => expectSame(['logs', '-l', 'app=web'], true), 30_000);
  it('-l --prefix', () => expectSame(['logs', '-l', 'app=web', '--prefix'], true), 30_000);
  it('-l --tail=-1 --timestamps', () => expectSame(['logs', '-l', 'app=web', '--tail=-1', '--timestamps'], true), 30_000);
  it('-l -f within --max-log-requests', () => expectSame(['logs', '-l', 'app=web', '-f', '--prefix'], true), 30_000);
  it('-l -f beyond --max-log-requests', () => expectSame(['logs', '-l', 'app=web', '-f', '--max-log-requests=2']), 30_000);
  it('--all-containers --prefix', () => expectSame(['logs', 'multi', '--all-containers', '--prefix'], true), 30_000);
  it('-l --all-containers', () => expectSame(['logs', '-l', 'app=multi', '--all-containers', '--prefix'], true), 30_000);
  it('defaulted container of several, and init ones', () => expectSame(['logs', 'multi']), 30_000);
  it('default-container annotation', () => expectSame(['logs', 'annotated', '--prefix']), 30_000);
  it('-l over pods with several containers', () => expectSame(['logs', '-l', 'app=multi'], true), 30_000);
  it('container as second argument', () => expectSame(['logs', 'multi', 'side']), 30_000);
  it('unknown container', () => expectSame(['logs', 'multi', '-c', 'nope']), 30_000);
  it('deployment/web picks a pod', () => expectSame(['logs', 'deployment/web', '--prefix']), 30_000);
  it('deploy/web --all-containers', () => expectSame(['logs', 'deploy/web', '--all-containers'], true), 30_000);
  it('no pods for the selector', () => expectSame(['logs', '-l', 'app=none']), 30_000);
  it('an unscheduled pod', () => expectSame(['logs', '-l', 'app=lost']), 30_000);
  it('a selector and a name', () => expectSame(['logs', '-l', 'app=web', 'web-b']), 30_000);
  it('--all-containers with a container', () => expectSame(['logs', 'multi', '-c', 'main', '--all-containers']), 30_000);
  it('no pod named', () => expectSame(['logs']), 30_000);
  it('a missing pod', () => expectSame(['logs', 'nope']), 30_000);
  it('a controller without pods waits, then times out', () => expectSame(['logs', 'deploy/empty', '--pod-running-timeout=2s']), 30_000);
  it('a missing deployment', () => expectSame(['logs', 'deploy/nope']), 30_000);
  it('--max-log-requests=0', () => expectSame(['logs', '-l', 'app=web', '--max-log-requests=0'], true), 30_000);
  it('--max-log-requests=0 -f', () => expectSame(['logs', '-l', 'app=web', '--max-log-requests=0', '-f']), 30_000);
  it('the requests carry the options', async () => {
    seen.length = 0;
    const r = await env.ours(['logs', '-l', 'app=web', '--since=1h', '--limit-bytes=100', '-p']);
    expect(r.stderr).toBe('');
    expect(seen.sort()).toEqual(['web-a', 'web-b', 'web-c'].map((p) => `/containerLogs/default/${p}/app?previous=true&tailLines=10&sinceSeconds=3600&limitBytes=100`));
  }, 30_000);
});

describe('logs selection', () => {
  it('ByLogging: assigned, running, ready, longer ready, more restarts, older first', () => {
    const p = (name: string, o: Record<string, any> = {}) => ({ metadata: { name, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z' }, spec: { nodeName: o.node ?? 'n' }, status: { phase: o.phase ?? 'Running', conditions: o.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: o.ready }] : [], containerStatuses: [{ restartCount: o.restarts ?? 0 }] } });
    expect(byLoggingLess(p('a'), p('b', { node: '' }))).toBe(true);
    expect(sortByLogging([p('pending', { phase: 'Pending' }), p('unknown', { phase: 'Unknown' }), p('run')]).map((x) => x.metadata.name)).toEqual(['run', 'unknown', 'pending']);
    expect(sortByLogging([p('new', { ready: '2024-02-01T00:00:00Z' }), p('old', { ready: '2024-01-01T00:00:00Z' }), p('no')]).map((x) => x.metadata.name)).toEqual(['old', 'new', 'no']);
    expect(sortByLogging([p('calm'), p('crashy', { restarts: 3 })]).map((x) => x.metadata.name)).toEqual(['crashy', 'calm']);
    expect(sortByLogging([p('young', { created: '2024-03-01T00:00:00Z' }), p('aged')]).map((x) => x.metadata.name)).toEqual(['aged', 'young']);
  });
  it('selectors of controllers and services', () => {
    expect(selectorForObject({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { selector: { matchLabels: { b: '1', a: '2' } } } })).toBe('a=2,b=1');
    expect(selectorForObject({ apiVersion: 'v1', kind: 'Service', spec: { selector: { app: 'x' } } })).toBe('app=x');
    expect(() => selectorForObject({ apiVersion: 'v1', kind: 'ConfigMap' })).toThrow(/not implemented/);
  });
  it('requests per container and the prefix', () => {
    const notes: string[] = [];
    const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'a' }, { name: 'b' }], ephemeralContainers: [{ name: 'e' }] } };
    expect(allContainerNames(pod)).toBe('a, b, e (ephem), i (init)');
    expect(logRequests([pod], { allContainers: true }, (s) => notes.push(s)).map((r) => r.container)).toEqual(['i', 'a', 'b', 'e']);
    expect(logRequests([pod], {}, (s) => notes.push(s))).toEqual([{ pod: 'p', namespace: 'ns', container: 'a' }]);
    expect(notes).toEqual(['Defaulted container "a" out of: a, b, e (ephem), i (init)\n']);
    let out = '';
    const w = new PrefixingWriter({ pod: 'p', namespace: 'ns', container: 'a' }, (s) => { out += s; });
    w.push('x\ny'); w.push('z\n'); w.push('tail'); w.end();
    expect(out).toBe('[pod/p/a] x\n[pod/p/a] yz\n[pod/p/a] tail');
  });
});
