// The kubelet against the in-process fake CRI and a real API server (in-memory storage): pod
// lifecycle decisions end to end with fast timings.
import { describe, it, expect, beforeAll, afterAll, onTestFinished } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { Clientset, createLogger, loadRestConfig, silentLogger, type Typed } from '@k8ts/client';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';
import { startFakeCriServer, type FakeCriServer } from '../src/cri/fake-server.ts';
import { connectCri, type CriClient } from '../src/cri/client.ts';
import { Kubelet } from '../src/kubelet.ts';
import { Backoff } from '../src/pod-workers/backoff.ts';
import { startKubeletServer } from '../src/server/server.ts';
import { selfSignedCert } from '../src/server/tls.ts';
import { get as httpsGet } from 'node:https';
import type { MachineInfo } from '../src/node/node-status.ts';

const machine: MachineInfo = {
  cpus: 4, memoryBytes: 8 * 1024 ** 3, ephemeralStorageBytes: 50 * 1024 ** 3, kernelVersion: '6.1.0', osImage: 'Test',
  machineID: 'm', systemUUID: 's', bootID: 'b', architecture: 'amd64',
};

describe('kubelet with a fake CRI', () => {
  let server: TestServer;
  let fake: FakeCriServer;
  let cri: CriClient;
  let client: Clientset;
  let kubelet: Kubelet | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-fake-'));
  const execCalls: string[] = [];
  let readyCheck = 1;
  const crashStarts: number[] = [];

  const newKubelet = () => new Kubelet({
    client, cri, nodeName: 'node-a', nodeIPs: ['192.168.50.2'], podCIDR: '10.88.0.0/24', taints: [],
    rootDir: join(dir, 'root'), podLogsDir: join(dir, 'logs'), log: process.env.KUBELET_TEST_LOG ? createLogger({ component: 'kubelet', level: 'debug' }) : silentLogger(), machine: () => machine,
    crashLoopBackoff: new Backoff({ initialMs: 400, maxMs: 1600 }), imageBackoff: new Backoff({ initialMs: 400, maxMs: 1600 }),
    plegPeriodMs: 100, resyncPeriodMs: 1000, leasePeriodMs: 1000,
  });

  beforeAll(async () => {
    server = await startTestServer({ storage: 'memory' });
    fake = await startFakeCriServer({
      images: ['busybox', 'registry.k8s.io/pause:3.10'],
      pullable: (ref) => !ref.includes('missing'),
      exec: (_id, cmd) => {
        execCalls.push(cmd.join(' '));
        if (cmd[0] === 'ready-check') return { exitCode: readyCheck, stdout: readyCheck ? 'not yet' : '' };
        return { exitCode: cmd.join(' ').includes('fail') ? 1 : 0 };
      },
      onStart: (c) => {
        const cmd = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
        const m = /exit (\d+)/.exec(cmd);
        if (c.labels?.['io.kubernetes.pod.name'] === 'crasher') crashStarts.push(Date.now());
        const stdout = /echo (\w+)/.exec(cmd)?.[1];
        return { stdout: stdout ? [stdout] : [], exitCode: m ? Number(m[1]) : undefined, afterMs: /slow/.test(cmd) ? 300 : 20 };
      },
    });
    cri = await connectCri(fake.socketPath, { timeoutMs: 5000 });
    client = new Clientset(loadRestConfig({ kubeconfig: server.kubeconfig }));
    kubelet = newKubelet();
    await kubelet.start();
  }, 60_000);

  afterAll(async () => {
    await kubelet?.stop();
    cri?.close();
    client?.close();
    await fake?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const pods = () => client.pods('default');
  const create = (name: string, spec: Partial<Pod['spec']> & { containers: NonNullable<Pod['spec']>['containers'] }) =>
    pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-a', ...spec } } as Typed<Pod>);
  const waitPod = async (name: string, ok: (p: Typed<Pod>) => boolean, timeoutMs = 8000): Promise<Typed<Pod>> => {
    const deadline = Date.now() + timeoutMs;
    let p = await pods().get(name);
    while (!ok(p)) {
      if (Date.now() > deadline) throw new Error(`pod ${name} did not reach the condition: ${JSON.stringify(p.status)}`);
      await new Promise((r) => setTimeout(r, 100));
      p = await pods().get(name);
    }
    return p;
  };
  const containersOf = (uid: string) => [...fake.containers.values()].filter((c) => c.config.labels?.['io.kubernetes.pod.uid'] === uid);
  const sandboxesOf = (uid: string) => [...fake.sandboxes.values()].filter((s) => s.config.metadata.uid === uid);

  it('registers the node as Ready and holds its lease', async () => {
    const node = await client.nodes().get('node-a');
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toBe('fake://0.1.0');
    expect(node.spec?.podCIDR).toBe('10.88.0.0/24');
    expect(node.status?.capacity?.pods).toBe('110');
    const lease = await client.leases('kube-node-lease').get('node-a');
    expect(lease.spec?.holderIdentity).toBe('node-a');
    expect(lease.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: 'node-a', uid: node.metadata.uid });
    await new Promise((r) => setTimeout(r, 1500)); // renewed every second here (10 s by default)
    const renewed = await client.leases('kube-node-lease').get('node-a');
    expect(Date.parse(renewed.spec!.renewTime!)).toBeGreaterThan(Date.parse(lease.spec!.renewTime!));
  });

  it('runs a pod: Running with an IP, env from fieldRef, logs in the pod log dir, labels on runtime objects', async () => {
    const created = await create('web', { containers: [{
      name: 'app', image: 'busybox', command: ['sh', '-c', 'echo hello; sleep 1000'],
      env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'GREETING', value: 'hi-$(POD)' }],
    }] });
    const p = await waitPod('web', (x) => x.status?.phase === 'Running');
    expect(p.status?.podIP).toMatch(/^10\.88\.0\.\d+$/);
    expect(p.status?.hostIP).toBe('192.168.50.2');
    expect(p.status?.containerStatuses?.[0]).toMatchObject({ name: 'app', ready: true, restartCount: 0, started: true });
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const [c] = containersOf(created.metadata.uid!);
    const own = (envs: { key: string }[] | undefined) => (envs ?? []).filter((e) => !e.key.startsWith('KUBERNETES_'));
    expect(own(c!.config.envs)).toEqual([{ key: 'POD', value: 'web' }, { key: 'GREETING', value: 'hi-web' }]);
    expect(c!.config.envs?.find((e) => e.key === 'KUBERNETES_SERVICE_HOST')?.value).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(c!.config.labels).toMatchObject({ 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.container.name': 'app' });
    const logFile = join(dir, 'logs', `default_web_${created.metadata.uid}`, 'app', '0.log');
    expect(existsSync(logFile)).toBe(true);
    expect(readFileSync(logFile, 'utf8')).toMatch(/ stdout F hello\n$/);
    const [s] = sandboxesOf(created.metadata.uid!);
    expect(s!.config.hostname).toBe('web');
    // Status is written only when it changes: resyncs (every second here) leave the object alone.
    const rv = (await pods().get('web')).metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 2500));
    expect((await pods().get('web')).metadata.resourceVersion).toBe(rv);
    expect(s!.config.labels).toMatchObject({ 'io.kubernetes.pod.uid': created.metadata.uid });
  });

  it('serves /healthz, /pods and /containerLogs over HTTPS', async () => {
    const srv = await startKubeletServer({
      address: '127.0.0.1', port: 0, cri, log: silentLogger(), pods: () => kubelet!.knownPods(),
      cert: await selfSignedCert('node-a', ['127.0.0.1']),
    });
    const get = (path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpsGet({ host: '127.0.0.1', port: srv.port, path, rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    try {
      expect(await get('/healthz')).toEqual({ status: 200, body: 'ok' });
      const list = JSON.parse((await get('/pods')).body) as { kind: string; items: Pod[] };
      expect(list.kind).toBe('PodList');
      expect(list.items.map((p) => p.metadata?.name)).toContain('web');
      expect(await get('/containerLogs/default/web/app')).toEqual({ status: 200, body: 'hello\n' });
      expect(await get('/containerLogs/default/web/app?tailLines=0')).toEqual({ status: 200, body: '' });
      expect((await get('/containerLogs/default/web/app?timestamps=true')).body).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z hello\n$/);
      expect(await get('/containerLogs/default/web/nope')).toEqual({ status: 400, body: 'container nope is not valid for pod web' });
      expect((await get('/containerLogs/default/ghost/app')).status).toBe(404);
      expect((await get('/containerLogs/default/web/app?previous=true')).body).toBe('previous terminated container "app" in pod "web" not found');
    } finally {
      await srv.close();
    }
  });

  it('backs off a crashing container (CrashLoopBackOff, doubling delays) and counts restarts', async () => {
    const created = await create('crasher', { containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'exit 1'] }] });
    onTestFinished(async () => { await pods().delete('crasher', { gracePeriodSeconds: 0 }).catch(() => undefined); });
    const p = await waitPod('crasher', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 3, 15_000);
    const cs = p.status!.containerStatuses![0]!;
    expect(p.status?.phase).toBe('Running');
    const seen = await waitPod('crasher', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff', 5000);
    expect(seen.status?.containerStatuses?.[0]?.state?.waiting?.message).toMatch(/^back-off \d+s restarting failed container=app pod=crasher_default\(/);
    expect(seen.status?.containerStatuses?.[0]?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(cs.restartCount).toBeGreaterThanOrEqual(3);
    // The gaps between starts grow: at once, then at least 0.4 s, 0.8 s, 1.6 s.
    const gaps = crashStarts.slice(1).map((t, i) => t - crashStarts[i]!);
    // Exited instances are garbage-collected down to the newest two (for lastState and previous logs).
    expect(containersOf(created.metadata.uid!).length).toBeLessThanOrEqual(2);
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    // As upstream, the first crash restarts at once; each later restart waits at least its backoff.
    gaps.slice(1).forEach((g, i) => expect(g).toBeGreaterThanOrEqual(Math.min(400 * 2 ** i, 1600)));
  }, 25_000);

  it('restartPolicy Never: a failing container fails the pod and its sandbox is stopped', async () => {
    const created = await create('once', { restartPolicy: 'Never', containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'exit 3'] }] });
    const p = await waitPod('once', (x) => x.status?.phase === 'Failed');
    expect(p.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(p.status?.containerStatuses?.[0]?.restartCount).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(sandboxesOf(created.metadata.uid!).map((s) => s.state)).toEqual(['SANDBOX_NOTREADY']);
    expect(containersOf(created.metadata.uid!)).toHaveLength(1);
    const ok = await create('ok-once', { restartPolicy: 'OnFailure', containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'exit 0'] }] });
    const q = await waitPod('ok-once', (x) => x.status?.phase === 'Succeeded');
    expect(q.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe('Completed');
    expect(q.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    expect(containersOf(ok.metadata.uid!)).toHaveLength(1);
  });

  it('runs init containers one after another before the app container', async () => {
    const created = await create('inits', {
      initContainers: [
        { name: 'first', image: 'busybox', command: ['sh', '-c', 'slow; exit 0'] },
        { name: 'second', image: 'busybox', command: ['sh', '-c', 'exit 0'] },
      ],
      containers: [{ name: 'app', image: 'busybox', command: ['sleep', '1000'] }],
    });
    const pending = await waitPod('inits', (x) => x.status?.initContainerStatuses?.[0]?.state?.running !== undefined);
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('PodInitializing');
    const p = await waitPod('inits', (x) => x.status?.phase === 'Running');
    expect(p.status?.initContainerStatuses?.map((s) => s.state?.terminated?.reason)).toEqual(['Completed', 'Completed']);
    expect(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    const order = containersOf(created.metadata.uid!).sort((a, b) => a.createdAt - b.createdAt).map((c) => c.config.metadata.name);
    expect(order).toEqual(['first', 'second', 'app']);
    const [first, second] = containersOf(created.metadata.uid!).sort((a, b) => a.createdAt - b.createdAt);
    expect(second!.startedAt).toBeGreaterThanOrEqual(first!.finishedAt);
  });

  it('reports ErrImagePull / ImagePullBackOff and CreateContainerConfigError, and recovers when the ConfigMap appears', async () => {
    await create('noimage', { containers: [{ name: 'app', image: 'example.com/missing:1' }] });
    const a = await waitPod('noimage', (x) => ['ErrImagePull', 'ImagePullBackOff'].includes(x.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? ''));
    expect(a.status?.phase).toBe('Pending');
    await waitPod('noimage', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
    await create('needscm', { containers: [{ name: 'app', image: 'busybox', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'x' } } }] }] });
    const b = await waitPod('needscm', (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError');
    expect(b.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe('configmap "cfg" not found');
    await client.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { x: 'from-cm' } } as never);
    const c = await waitPod('needscm', (x) => x.status?.phase === 'Running');
    expect(containersOf(c.metadata.uid!)[0]!.config.envs?.filter((e) => !e.key.startsWith('KUBERNETES_'))).toEqual([{ key: 'X', value: 'from-cm' }]);
    await pods().delete('noimage', { gracePeriodSeconds: 0 });
  });

  it('terminates a deleted pod gracefully: StopContainer, sandbox and containers removed, pod object deleted', async () => {
    const created = await create('doomed', { terminationGracePeriodSeconds: 5, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '1000'] }] });
    await waitPod('doomed', (x) => x.status?.phase === 'Running');
    const before = fake.calls.length;
    await pods().delete('doomed');
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      const gone = await pods().get('doomed').then(() => false, () => true);
      if (gone) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await pods().get('doomed').then(() => 'exists', (e: { code?: number }) => e.code)).toBe(404);
    const calls = fake.calls.slice(before);
    expect(calls).toContain('StopContainer');
    expect(calls).toContain('RemovePodSandbox');
    expect(sandboxesOf(created.metadata.uid!)).toEqual([]);
    expect(containersOf(created.metadata.uid!)).toEqual([]);
    expect(existsSync(join(dir, 'root', 'pods', created.metadata.uid!))).toBe(false);
  });

  it('records events, runs postStart / preStop hooks and writes ConfigMap volumes (kept in sync)', async () => {
    const web = await pods().get('web');
    const deadline = Date.now() + 5000;
    let reasons: string[] = [];
    while (Date.now() < deadline) {
      const evs = (await client.events('default').list()).items.filter((e) => e.involvedObject.uid === web.metadata.uid);
      reasons = evs.map((e) => e.reason ?? '');
      if (['Pulling', 'Pulled', 'Created', 'Started'].every((r) => reasons.includes(r))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(reasons).toEqual(expect.arrayContaining(['Pulling', 'Pulled', 'Created', 'Started']));

    await client.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'files' }, data: { 'a.conf': 'one' } } as never);
    const created = await create('hooked', {
      terminationGracePeriodSeconds: 3,
      volumes: [{ name: 'cfg', configMap: { name: 'files' } }, { name: 'scratch', emptyDir: {} }],
      containers: [{
        name: 'app', image: 'busybox', command: ['sleep', '1000'],
        volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'scratch', mountPath: '/scratch' }],
        lifecycle: { postStart: { exec: { command: ['sh', '-c', 'poststart'] } }, preStop: { exec: { command: ['sh', '-c', 'prestop'] } } },
      }],
    });
    await waitPod('hooked', (x) => x.status?.phase === 'Running');
    expect(execCalls).toContain('sh -c poststart');
    const [c] = containersOf(created.metadata.uid!);
    const mounts = c!.config.mounts ?? [];
    expect(mounts.map((m) => [m.containerPath, m.readonly])).toEqual([['/etc/cfg', true], ['/scratch', false], ['/etc/hosts', false]]);
    const podIP = (await pods().get('hooked')).status?.podIP;
    expect(readFileSync(mounts[2]!.hostPath, 'utf8')).toContain(`\n${podIP}\thooked\n`);
    const cfgFile = join(mounts[0]!.hostPath, 'a.conf');
    expect(readFileSync(cfgFile, 'utf8')).toBe('one');
    await client.configMaps('default').patch('files', { data: { 'a.conf': 'two' } }, 'merge');
    const until = Date.now() + 5000;
    while (readFileSync(cfgFile, 'utf8') !== 'two' && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(readFileSync(cfgFile, 'utf8')).toBe('two');
    await pods().delete('hooked');
    const gone = Date.now() + 8000;
    while (Date.now() < gone && await pods().get('hooked').then(() => true, () => false)) await new Promise((r) => setTimeout(r, 100));
    expect(execCalls).toContain('sh -c prestop');
    expect(existsSync(cfgFile)).toBe(false);
  });

  it('flips Ready with the readiness probe', async () => {
    await create('probed', { containers: [{
      name: 'app', image: 'busybox', command: ['sleep', '1000'],
      readinessProbe: { exec: { command: ['ready-check'] }, periodSeconds: 1, successThreshold: 1, failureThreshold: 1 },
    }] });
    const notReady = await waitPod('probed', (x) => x.status?.phase === 'Running');
    expect(notReady.status?.containerStatuses?.[0]?.ready).toBe(false);
    expect(notReady.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady' });
    readyCheck = 0;
    const ready = await waitPod('probed', (x) => x.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
    expect(ready.status?.containerStatuses?.[0]?.ready).toBe(true);
    readyCheck = 1;
    await waitPod('probed', (x) => x.status?.containerStatuses?.[0]?.ready === false);
    const evs = (await client.events('default').list()).items.filter((e) => e.involvedObject.name === 'probed' && e.reason === 'Unhealthy');
    expect(evs[0]?.message).toBe('Readiness probe failed: not yet');
    expect(execCalls.filter((c) => c === 'ready-check').length).toBeGreaterThanOrEqual(3);
    await pods().delete('probed', { gracePeriodSeconds: 0 });
  }, 20_000);

  it('a restarted kubelet adopts running containers and cleans up pods deleted while it was down', async () => {
    const web = await pods().get('web');
    const before = containersOf(web.metadata.uid!).map((c) => c.id);
    await kubelet!.stop();
    kubelet = undefined;
    const orphan = await create('orphan', { containers: [{ name: 'app', image: 'busybox' }] });
    // Force-deleted while no kubelet runs: its runtime objects (made by hand here) must go.
    const sid = await cri.runPodSandbox({ metadata: { name: 'orphan', namespace: 'default', uid: orphan.metadata.uid!, attempt: 0 }, labels: { 'io.kubernetes.pod.uid': orphan.metadata.uid! } });
    await pods().delete('orphan', { gracePeriodSeconds: 0 });
    const createsBefore = fake.calls.filter((c) => c === 'CreateContainer').length;
    kubelet = newKubelet();
    await kubelet.start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.calls.filter((c) => c === 'CreateContainer').length).toBe(createsBefore);
    expect(containersOf(web.metadata.uid!).map((c) => c.id)).toEqual(before);
    const p = await pods().get('web');
    expect(p.status?.containerStatuses?.[0]).toMatchObject({ restartCount: 0, ready: true });
    expect(p.status?.phase).toBe('Running');
    expect(fake.sandboxes.has(sid)).toBe(false);
  });

  it('reports the node NotReady when the runtime goes away', async () => {
    await fake.stop();
    const deadline = Date.now() + 8000;
    let ready;
    while (Date.now() < deadline) {
      ready = (await client.nodes().get('node-a')).status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status === 'False') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready).toMatchObject({ status: 'False', reason: 'KubeletNotReady' });
    expect(ready?.message).toMatch(/^container runtime is down/);
  });
});
