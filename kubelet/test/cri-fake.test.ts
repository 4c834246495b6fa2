import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectCri, type CriClient } from '../src/cri/client.ts';
import { CriError, isNotFound, isUnavailable } from '../src/cri/errors.ts';
import { normalizeImageRef } from '../src/cri/image-ref.ts';
import { parseCriLog } from '../src/cri/logs.ts';
import { startFakeCriServer, type FakeCriServer } from '../src/cri/fake-server.ts';
import type { ContainerConfig, PodSandboxConfig } from '../src/cri/types.ts';

const logRoot = mkdtempSync(join(tmpdir(), 'k8ts-fakecri-logs-'));
afterAll(() => rmSync(logRoot, { recursive: true, force: true }));

const sandboxConfig = (name: string): PodSandboxConfig => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 },
  hostname: name,
  logDirectory: join(logRoot, `default_${name}_uid-${name}`),
  labels: { 'io.kubernetes.pod.name': name, app: 'web' },
  annotations: { note: 'kept' },
});
const containerConfig = (name: string, image = 'busybox'): ContainerConfig => ({
  metadata: { name, attempt: 0 },
  image: { image },
  command: ['sh', '-c', 'sleep 1000'],
  logPath: `${name}/0.log`,
  labels: { 'io.kubernetes.container.name': name },
});

describe('CRI client against the fake CRI server', () => {
  let fake: FakeCriServer;
  let cri: CriClient;

  beforeAll(async () => {
    fake = await startFakeCriServer({
      images: ['registry.k8s.io/pause:3.10'],
      pullable: (ref) => !ref.includes('missing'),
      onStart: (c) => (c.metadata.name === 'job' ? { stdout: ['working', 'done'], stderr: ['warn'], exitCode: 3, afterMs: 20 } : undefined),
      exec: (_id, cmd) => (cmd[0] === 'false' ? { stderr: 'nope', exitCode: 1 } : { stdout: `${cmd.slice(1).join(' ')}\n` }),
    });
    cri = await connectCri(fake.socketPath, { timeoutMs: 5000 });
  });
  afterAll(async () => {
    cri?.close();
    await fake?.stop();
  });

  it('reports version and runtime conditions', async () => {
    expect(await cri.version()).toEqual({ version: '0.1.0', runtimeName: 'fake', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' });
    const st = await cri.status();
    expect(st.status?.conditions.map((c) => [c.type, c.status])).toEqual([['RuntimeReady', true], ['NetworkReady', true]]);
  });

  it('pulls, lists, inspects and removes images with normalised references', async () => {
    expect(await cri.imageStatus({ image: 'busybox' })).toBeNull();
    const ref = await cri.pullImage({ image: 'busybox' });
    expect(ref).toMatch(/^sha256:[0-9a-f]{64}$/);
    const img = await cri.imageStatus({ image: 'docker.io/library/busybox:latest' });
    expect(img?.id).toBe(ref);
    expect(img?.repoTags).toEqual(['docker.io/library/busybox:latest']);
    expect((await cri.listImages()).map((i) => i.repoTags[0]).sort()).toEqual(['docker.io/library/busybox:latest', 'registry.k8s.io/pause:3.10']);
    const err = await cri.pullImage({ image: 'example.com/missing:1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CriError);
    expect((err as CriError).codeName).toBe('UNKNOWN');
    expect((err as CriError).details).toContain('not found');
    await cri.pullImage({ image: 'nginx:1.27' });
    await cri.removeImage({ image: 'nginx:1.27' });
    expect(await cri.imageStatus({ image: 'nginx:1.27' })).toBeNull();
    await cri.removeImage({ image: 'nginx:1.27' }); // idempotent
  });

  it('runs a pod: sandbox with an IP, containers through their states, exec, stop and remove', async () => {
    const sc = sandboxConfig('web');
    const sandboxId = await cri.runPodSandbox(sc);
    const ps = await cri.podSandboxStatus(sandboxId);
    expect(ps.status?.state).toBe('SANDBOX_READY');
    expect(ps.status?.network?.ip).toMatch(/^10\.88\.0\.\d+$/);
    expect(ps.status?.metadata).toEqual({ name: 'web', namespace: 'default', uid: 'uid-web', attempt: 0 });
    expect(ps.status?.annotations).toEqual({ note: 'kept' });
    expect(ps.status?.createdAt).toBeGreaterThan(0);

    const dup = await cri.runPodSandbox(sc).catch((e: unknown) => e);
    expect((dup as CriError).details).toContain('is reserved');

    const cid = await cri.createContainer(sandboxId, containerConfig('app'), sc);
    expect((await cri.containerStatus(cid)).status?.state).toBe('CONTAINER_CREATED');
    await cri.startContainer(cid);
    const cs = (await cri.containerStatus(cid)).status!;
    expect(cs.state).toBe('CONTAINER_RUNNING');
    expect(cs.startedAt).toBeGreaterThanOrEqual(cs.createdAt);
    expect(cs.logPath).toBe(`${sc.logDirectory}/app/0.log`);
    expect(cs.labels).toEqual({ 'io.kubernetes.container.name': 'app' });

    const hi = await cri.execSync(cid, ['echo', 'hi'], 5);
    expect(hi.stdout.toString()).toBe('hi\n');
    expect(hi.exitCode).toBe(0);
    const bad = await cri.execSync(cid, ['false']);
    expect([bad.exitCode, bad.stderr.toString()]).toEqual([1, 'nope']);
    expect(await cri.exec({ containerId: cid, cmd: ['sh'], stdout: true })).toMatch(/^http:\/\//);

    expect((await cri.listContainers({ podSandboxId: sandboxId })).map((c) => c.id)).toEqual([cid]);
    expect(await cri.listContainers({ state: { state: 'CONTAINER_EXITED' } })).toEqual([]);
    expect((await cri.listPodSandbox({ labelSelector: { app: 'web' } })).map((s) => s.id)).toEqual([sandboxId]);
    expect(await cri.listPodSandbox({ labelSelector: { app: 'db' } })).toEqual([]);

    await cri.stopContainer(cid, 0);
    const stopped = (await cri.containerStatus(cid)).status!;
    expect([stopped.state, stopped.exitCode, stopped.reason]).toEqual(['CONTAINER_EXITED', 137, 'Error']);
    expect(stopped.finishedAt).toBeGreaterThan(0);
    const execErr = await cri.execSync(cid, ['echo']).catch((e: unknown) => e);
    expect((execErr as CriError).codeName).toBe('FAILED_PRECONDITION');

    await cri.removeContainer(cid);
    await cri.removeContainer(cid); // idempotent
    expect(isNotFound(await cri.containerStatus(cid).catch((e: unknown) => e))).toBe(true);

    await cri.stopPodSandbox(sandboxId);
    expect((await cri.podSandboxStatus(sandboxId)).status?.state).toBe('SANDBOX_NOTREADY');
    await cri.removePodSandbox(sandboxId);
    await cri.removePodSandbox(sandboxId); // idempotent
    expect(isNotFound(await cri.podSandboxStatus(sandboxId).catch((e: unknown) => e))).toBe(true);
    expect(await cri.listContainers()).toEqual([]);
  });

  it('lets tests script container exits and refuses containers for unknown images', async () => {
    const sc = sandboxConfig('batch');
    const sandboxId = await cri.runPodSandbox(sc);
    const noImage = await cri.createContainer(sandboxId, containerConfig('x', 'never-pulled:1'), sc).catch((e: unknown) => e);
    expect(isNotFound(noImage)).toBe(true);

    const job = await cri.createContainer(sandboxId, containerConfig('job'), sc);
    await cri.startContainer(job);
    await new Promise((r) => setTimeout(r, 60));
    const st = (await cri.containerStatus(job)).status!;
    expect([st.state, st.exitCode, st.reason]).toEqual(['CONTAINER_EXITED', 3, 'Error']);
    const log = parseCriLog(readFileSync(st.logPath, 'utf8'));
    expect(log.map((l) => [l.stream, l.content])).toEqual([['stdout', 'working'], ['stdout', 'done'], ['stderr', 'warn']]);
    expect(log[0]!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);

    const app = await cri.createContainer(sandboxId, containerConfig('app'), sc);
    await cri.startContainer(app);
    fake.exitContainer(app, 0);
    const done = (await cri.containerStatus(app)).status!;
    expect([done.state, done.exitCode, done.reason]).toEqual(['CONTAINER_EXITED', 0, 'Completed']);
    expect((await cri.listContainers({ state: { state: 'CONTAINER_EXITED' }, podSandboxId: sandboxId })).length).toBe(2);

    await cri.removePodSandbox(sandboxId);
    expect(await cri.listContainers({ podSandboxId: sandboxId })).toEqual([]);
  });

  it('passes injected gRPC errors through with their codes and records calls', async () => {
    fake.failNext('StartContainer', 'DEADLINE_EXCEEDED', 'slow runtime');
    const err = await cri.startContainer('whatever').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CriError);
    expect([(err as CriError).codeName, (err as CriError).rpc, (err as CriError).details]).toEqual(['DEADLINE_EXCEEDED', 'StartContainer', 'slow runtime']);
    expect(fake.calls).toContain('StartContainer');
  });
});

describe('CRI client when the runtime is down', () => {
  it('connectCri fails with a clear UNAVAILABLE error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-cri-down-'));
    try {
      const err = await connectCri(join(dir, 'nothing.sock'), { connectTimeoutMs: 2000 }).catch((e: unknown) => e);
      expect(isUnavailable(err)).toBe(true);
      expect((err as Error).message).toMatch(/container runtime is unavailable at .*nothing\.sock/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('calls fail with UNAVAILABLE after the runtime went away', async () => {
    const fake = await startFakeCriServer();
    const cri = await connectCri(fake.socketPath, { timeoutMs: 2000 });
    await fake.stop();
    const err = await cri.version().catch((e: unknown) => e);
    cri.close();
    expect(isUnavailable(err)).toBe(true);
  });
});

describe('normalizeImageRef', () => {
  it('applies the docker.io defaults', () => {
    expect(normalizeImageRef('busybox')).toBe('docker.io/library/busybox:latest');
    expect(normalizeImageRef('me/app:v1')).toBe('docker.io/me/app:v1');
    expect(normalizeImageRef('registry.k8s.io/pause:3.10')).toBe('registry.k8s.io/pause:3.10');
    expect(normalizeImageRef('localhost:5000/x')).toBe('localhost:5000/x:latest');
    expect(normalizeImageRef('busybox@sha256:abc')).toBe('docker.io/library/busybox@sha256:abc');
  });
});
