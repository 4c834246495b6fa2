// Pods on a real three-node cluster: scheduling (spread, nodeSelector, unschedulable), restarts
// (CrashLoopBackOff, liveness), readiness, configMap and secret as volumes and env.
import { describe, it, expect } from 'vitest';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { useCluster, eventually, busyboxPod, podView, type PodView } from '../src/index.ts';

const cluster = useCluster({ nodes: 3, prefix: 'e2ep' });

async function pod(name: string): Promise<PodView | undefined> {
  const r = await cluster().kubectl(['get', 'pod', name, '-o', 'json']);
  return r.code === 0 ? podView(JSON.parse(r.stdout) as Pod) : undefined;
}

const until = (what: string, name: string, ok: (p: PodView) => boolean, timeoutMs = 60_000) =>
  eventually(`${name}: ${what}`, async () => {
    const p = await pod(name);
    return p && ok(p) ? p : undefined;
  }, timeoutMs, 500);

/** `kubectl apply -f -` of JSON manifests as YAML documents (JSON is YAML; a leading `---` makes kubectl read YAML). */
const apply = (...manifests: string[]) => cluster().kubectlOk(['apply', '-f', '-'], { input: manifests.map((m) => `---\n${m}\n`).join('') });

describe('pods on a three-node cluster', () => {
  it('spreads pods over the workers and never onto the tainted control plane', async () => {
    const names = ['spread-0', 'spread-1', 'spread-2', 'spread-3'];
    await apply(...names.map((n) => busyboxPod(n, ['sleep', '3600'], { container: { resources: { requests: { cpu: '300m' } } } })));
    const placed = await Promise.all(names.map((n) => until('Running', n, (p) => p.phase === 'Running')));
    const workers = cluster().state.nodes!.filter((n) => n.role === 'worker').map((n) => n.name).sort();
    expect([...new Set(placed.map((p) => p.nodeName))].sort()).toEqual(workers);
  }, 120_000);

  it('puts a pod with a nodeSelector on that node', async () => {
    const target = cluster().state.nodes!.filter((n) => n.role === 'worker')[1]!.name;
    await apply(busyboxPod('selected', ['sleep', '3600'], { spec: { nodeSelector: { 'kubernetes.io/hostname': target } } }));
    expect((await until('Running', 'selected', (p) => p.phase === 'Running')).nodeName).toBe(target);
  }, 90_000);

  it('keeps a pod that fits nowhere Pending with a FailedScheduling event', async () => {
    await apply(busyboxPod('huge', ['sleep', '3600'], { container: { resources: { requests: { cpu: '1000' } } } }));
    const events = await eventually('FailedScheduling event', async () => {
      const r = await cluster().kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=huge', '-o', 'json']);
      const items = (JSON.parse(r) as { items: Event[] }).items.filter((e) => e.reason === 'FailedScheduling');
      return items.length > 0 ? items : undefined;
    }, 60_000, 500);
    expect(events[0]!.type).toBe('Warning');
    expect(events[0]!.message).toMatch(/^0\/3 nodes are available: .*Insufficient cpu/);
    expect(await pod('huge')).toMatchObject({ phase: 'Pending', nodeName: undefined });
  }, 90_000);

  it('backs off a crashing container (CrashLoopBackOff) with a growing restart count', async () => {
    await apply(busyboxPod('crash', ['sh', '-c', 'echo boom; exit 3']));
    const first = await until('CrashLoopBackOff', 'crash', (p) => p.waitingReason === 'CrashLoopBackOff' && p.restartCount >= 1);
    expect(first.lastExitCode).toBe(3);
    const later = await until('restarted again', 'crash', (p) => p.restartCount > first.restartCount);
    expect(later.restartCount).toBeGreaterThan(first.restartCount);
  }, 120_000);

  it('restarts a container whose liveness probe fails', async () => {
    await apply(busyboxPod('live', ['sh', '-c', 'sleep 3; touch /tmp/dead; sleep 3600'], {
      container: { livenessProbe: { exec: { command: ['sh', '-c', 'test ! -e /tmp/dead'] }, periodSeconds: 1, failureThreshold: 1 } },
    }));
    const p = await until('restarted by the liveness probe', 'live', (x) => x.restartCount >= 1);
    expect(p.lastExitCode).toBe(137); // killed (SIGKILL after the 1 s grace period)
  }, 90_000);

  it('flips the Ready condition with the readiness probe', async () => {
    await apply(busyboxPod('ready', ['sh', '-c', 'touch /tmp/ready; sleep 8; rm /tmp/ready; sleep 3600'], {
      container: { readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 } },
    }));
    await until('Ready', 'ready', (p) => p.ready);
    const notReady = await until('not Ready', 'ready', (p) => !p.ready && p.phase === 'Running');
    expect(notReady.restartCount).toBe(0);
  }, 90_000);

  it('mounts a configMap and a secret as volumes and exposes them as env', async () => {
    await apply(
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { greeting: 'hello-cm' } }),
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, stringData: { password: 's3cret' } }),
      busyboxPod('vols', ['sh', '-c', 'test "$(cat /cfg/greeting)" = hello-cm && test "$(cat /sec/password)" = s3cret && test "$G" = hello-cm && test "$P" = s3cret'], {
        spec: { restartPolicy: 'Never', volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }, { name: 'sec', secret: { secretName: 'sec' } }] },
        container: {
          env: [{ name: 'G', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } }, { name: 'P', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } }],
          volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }, { name: 'sec', mountPath: '/sec' }],
        },
      }),
    );
    const p = await until('finished', 'vols', (x) => x.phase === 'Succeeded' || x.phase === 'Failed');
    expect(p).toMatchObject({ phase: 'Succeeded', exitCode: 0 });
  }, 90_000);
});
