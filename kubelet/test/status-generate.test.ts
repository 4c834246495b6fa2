import { describe, it, expect } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { generatePodStatus, podStatusEqual } from '../src/status/generate.ts';
import type { ContainerRuntimeStatus, PodRuntimeState } from '../src/kuberuntime/runtime-state.ts';

const now = new Date('2026-01-02T03:04:05.678Z');
const pod = (restartPolicy = 'Always', init: string[] = []): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { restartPolicy, nodeName: 'n1', initContainers: init.map((name) => ({ name, image: 'busybox' })), containers: [{ name: 'app', image: 'busybox' }] },
});
const sec = (s: number) => s * 1e9 + 1_767_322_800e9;
let t = 1;
const ctr = (name: string, o: Partial<ContainerRuntimeStatus> = {}): ContainerRuntimeStatus => ({
  id: `id${t}`, podSandboxId: 's1', name, type: 'CONTAINER', state: 'CONTAINER_RUNNING', createdAt: t++, startedAt: sec(1), finishedAt: 0,
  exitCode: 0, reason: '', message: '', image: 'busybox', imageRef: 'sha256:abc', restartCount: 0, hash: '', logPath: '', ...o,
});
const state = (containers: ContainerRuntimeStatus[], ip = '10.0.0.5'): PodRuntimeState => ({
  uid: 'u1', name: 'p', namespace: 'default',
  sandboxes: [{ id: 's1', attempt: 0, state: 'SANDBOX_READY', createdAt: 1, ip, additionalIps: [], hostNetwork: false }],
  containers: [...containers].sort((a, b) => b.createdAt - a.createdAt),
});
const gen = (p: Pod, s: PodRuntimeState, reasons: [string, string][] = []) =>
  generatePodStatus({ pod: p, state: s, reasons: new Map(reasons.map(([k, r]) => [k, { reason: r, message: `${r}!` }])), nodeIPs: ['192.168.1.2'], now });
const cond = (st: ReturnType<typeof gen>) => Object.fromEntries((st.conditions ?? []).map((c) => [c.type, `${c.status}${c.reason ? `/${c.reason}` : ''}`]));

describe('generatePodStatus', () => {
  it('reports a running pod: phase, IPs, conditions, container state', () => {
    const s = gen(pod(), state([ctr('app', { id: 'abc' })]));
    expect(s.phase).toBe('Running');
    expect([s.podIP, s.podIPs, s.hostIP, s.startTime]).toEqual(['10.0.0.5', [{ ip: '10.0.0.5' }], '192.168.1.2', '2026-01-02T03:04:05Z']);
    expect(cond(s)).toEqual({ PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
    expect(s.containerStatuses).toEqual([{
      name: 'app', image: 'busybox', imageID: 'sha256:abc', containerID: 'containerd://abc', ready: true, started: true, restartCount: 0,
      state: { running: { startedAt: '2026-01-02T03:00:01Z' } }, lastState: {},
    }]);
  });

  it('reports the QoS class (computed, or kept as the API server set it)', () => {
    expect(gen(pod(), state([])).qosClass).toBe('BestEffort');
    const g = pod();
    g.spec!.containers[0]!.resources = { limits: { cpu: '1', memory: '1Gi' } };
    expect(gen(g, state([])).qosClass).toBe('Guaranteed');
    expect(gen({ ...g, status: { qosClass: 'Guaranteed' } }, state([])).qosClass).toBe('Guaranteed');
  });

  it('shows ContainerCreating, ErrImagePull and CreateContainerConfigError as waiting reasons of a Pending pod', () => {
    expect(gen(pod(), state([])).containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    for (const r of ['ErrImagePull', 'ImagePullBackOff', 'CreateContainerConfigError']) {
      const s = gen(pod(), state([]), [['app', r]]);
      expect(s.phase).toBe('Pending');
      expect(s.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: r, message: `${r}!` } });
      expect(cond(s).Ready).toBe('False/ContainersNotReady');
      expect(s.conditions?.find((c) => c.type === 'Ready')?.message).toBe('containers with unready status: [app]');
    }
  });

  it('shows CrashLoopBackOff with the last termination and the restart count; the pod stays Running', () => {
    const old = ctr('app', { state: 'CONTAINER_EXITED', exitCode: 1, reason: 'Error', finishedAt: sec(2), restartCount: 0 });
    const latest = ctr('app', { id: 'last', state: 'CONTAINER_EXITED', exitCode: 1, reason: 'Error', finishedAt: sec(3), restartCount: 1 });
    const s = gen(pod(), state([old, latest]), [['app', 'CrashLoopBackOff']]);
    const cs = s.containerStatuses![0]!;
    expect(cs.state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'CrashLoopBackOff!' } });
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error', containerID: 'containerd://last', finishedAt: '2026-01-02T03:00:03Z' });
    expect(cs.restartCount).toBe(1);
    expect(s.phase).toBe('Running');
  });

  it('derives terminal phases from exit codes and the restart policy', () => {
    const done = (code: number) => [ctr('app', { state: 'CONTAINER_EXITED', exitCode: code, finishedAt: sec(4) })];
    expect(gen(pod('Never'), state(done(0))).phase).toBe('Succeeded');
    expect(gen(pod('Never'), state(done(2))).phase).toBe('Failed');
    expect(gen(pod('OnFailure'), state(done(0))).phase).toBe('Succeeded');
    const failed = gen(pod('Never'), state(done(2)));
    expect(failed.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(cond(failed).Ready).toBe('False/PodCompleted');
    expect(gen(pod('Never'), state(done(0))).containerStatuses?.[0]?.state?.terminated?.reason).toBe('Completed');
  });

  it('keeps app containers in PodInitializing until init containers complete', () => {
    const p = pod('Always', ['setup']);
    const s = gen(p, state([ctr('setup', { type: 'INIT' })]));
    expect(s.phase).toBe('Pending');
    expect(cond(s).Initialized).toBe('False/ContainersNotInitialized');
    expect(s.conditions?.find((c) => c.type === 'Initialized')?.message).toBe('containers with incomplete status: [setup]');
    expect(s.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    const after = gen(p, state([ctr('setup', { type: 'INIT', state: 'CONTAINER_EXITED', exitCode: 0 }), ctr('app')]));
    expect(after.phase).toBe('Running');
    expect(after.initContainerStatuses?.[0]?.state?.terminated?.reason).toBe('Completed');
    expect(gen(pod('Never', ['setup']), state([ctr('setup', { type: 'INIT', state: 'CONTAINER_EXITED', exitCode: 3 })])).phase).toBe('Failed');
  });

  it('keeps transition times and start time across syncs; equality ignores times', () => {
    const first = gen(pod(), state([]));
    const p2 = { ...pod(), status: first };
    const later = generatePodStatus({ pod: p2, state: state([ctr('app')]), reasons: new Map(), nodeIPs: ['192.168.1.2'], now: new Date('2026-01-02T04:00:00Z') });
    expect(later.startTime).toBe(first.startTime);
    expect(later.conditions?.find((c) => c.type === 'Initialized')?.lastTransitionTime).toBe('2026-01-02T03:04:05Z');
    expect(later.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe('2026-01-02T04:00:00Z');
    expect(podStatusEqual(first, gen(pod(), state([])))).toBe(true);
    expect(podStatusEqual(first, later)).toBe(false);
  });
});

describe('service environment variables', async () => {
  const { serviceEnv, makeEnvironment } = await import('../src/kuberuntime/env.ts');
  const svc = (ns: string, name: string, ip: string, ports: { name?: string; port: number; protocol?: string }[]) =>
    ({ metadata: { name, namespace: ns }, spec: { clusterIP: ip, ports } });
  it('renders docker-link variables like upstream', () => {
    expect(serviceEnv([svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }])])).toEqual({
      KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443', KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443', KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443', KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
    });
    expect(serviceEnv([svc('x', 'headless', 'None', [{ port: 80 }])])).toEqual({});
  });
  it('gives pods their namespace services plus the master service, before their own env', async () => {
    const all = [svc('default', 'kubernetes', '10.96.0.1', [{ port: 443 }]), svc('app', 'my-db', '10.96.0.9', [{ port: 5432 }]), svc('other', 'x', '10.96.0.7', [{ port: 1 }])];
    const src = { configMap: async () => undefined, secret: async () => undefined, services: (ns: string) => all.filter((s) => s.metadata.namespace === ns) };
    const pod = { metadata: { name: 'p', namespace: 'app' }, spec: { containers: [{ name: 'c', env: [{ name: 'DB', value: '$(MY_DB_SERVICE_HOST):$(MY_DB_SERVICE_PORT)' }] }] } };
    const env = await makeEnvironment(pod as never, pod.spec.containers[0] as never, src as never, { podIPs: [], hostIPs: [] });
    const m = Object.fromEntries(env.map((e) => [e.key, e.value]));
    expect(m.DB).toBe('10.96.0.9:5432');
    expect(m.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
    expect(m.X_SERVICE_HOST).toBeUndefined();
    const noLinks = { ...pod, spec: { ...pod.spec, enableServiceLinks: false } };
    const env2 = Object.fromEntries((await makeEnvironment(noLinks as never, pod.spec.containers[0] as never, src as never, { podIPs: [], hostIPs: [] })).map((e) => [e.key, e.value]));
    expect([env2.MY_DB_SERVICE_HOST, env2.KUBERNETES_SERVICE_HOST]).toEqual([undefined, '10.96.0.1']);
  });
});
