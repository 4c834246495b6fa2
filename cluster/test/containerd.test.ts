// End to end against the real runtime: local images in a local registry, a containerd with the
// generated config in a fresh network namespace, driven through the kubelet's CRI client.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { CriClient } from '@k8ts/kubelet/cri/client.ts';
import type { PodSandboxConfig } from '@k8ts/kubelet/cri/types.ts';
import { parseCriLog } from '@k8ts/kubelet/cri/logs.ts';
import { mountsUnder, shimPids, type Containerd } from '../src/containerd.ts';
import { startNodeEnv, type NodeEnv } from '../src/testing/node-env.ts';

describe('containerd CRI in a network namespace', () => {
  let env: NodeEnv;
  let tag: string;
  let dir: string;
  let nodeAddr: string;
  let containerd: Containerd | undefined;
  let cri: CriClient | undefined;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    env = await startNodeEnv('k8ts-test');
    ({ tag, dir, nodeAddr, containerd, cri } = env);
  }, 90_000);

  afterAll(async () => {
    const leftMounts = await env?.stop();
    console.log(`CRI timings (ms): ${JSON.stringify(timings)}`);
    expect(leftMounts).toEqual([]);
  }, 60_000);

  it('answers Version and Status', async () => {
    const v = await cri!.version();
    expect(v.runtimeName).toBe('containerd');
    expect(v.runtimeApiVersion).toBe('v1');
    const st = await cri!.status();
    const cond = Object.fromEntries((st.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(cond).toEqual({ RuntimeReady: true, NetworkReady: true });
  });

  it('pulls busybox and pause through the registry mirror', async () => {
    const ref = await cri!.pullImage({ image: 'busybox' });
    expect(ref).toMatch(/^sha256:[0-9a-f]{64}$/);
    const img = await cri!.imageStatus({ image: 'docker.io/library/busybox:latest' });
    expect(img?.id).toBe(ref);
    expect(img?.repoTags).toContain('docker.io/library/busybox:latest');
    await cri!.removeImage({ image: 'busybox' });
    expect(await cri!.imageStatus({ image: 'busybox' })).toBeNull();
    await cri!.removeImage({ image: 'busybox' }); // idempotent
    expect(await cri!.pullImage({ image: 'docker.io/library/busybox' })).toBe(ref);
    await cri!.pullImage({ image: 'registry.k8s.io/pause:3.10' });
    const tags = (await cri!.listImages()).flatMap((i) => i.repoTags);
    expect(tags).toEqual(expect.arrayContaining(['docker.io/library/busybox:latest', 'registry.k8s.io/pause:3.10']));
  }, 60_000);

  it('runs a pod with a CNI address, logs, exec, then stops and removes it', async () => {
    const logDirectory = join(dir, 'pods', `default_hello_uid-${tag}`);
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'hello', namespace: 'default', uid: `uid-${tag}`, attempt: 0 },
      hostname: 'hello',
      logDirectory,
      labels: { 'io.kubernetes.pod.name': 'hello' },
      linux: { securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    };
    let t = performance.now();
    const sandboxId = await cri!.runPodSandbox(sandboxConfig);
    timings.RunPodSandbox = Math.round(performance.now() - t);

    const ps = (await cri!.podSandboxStatus(sandboxId)).status!;
    expect(ps.state).toBe('SANDBOX_READY');
    const podIp = ps.network?.ip ?? '';
    expect(podIp).toMatch(new RegExp(`^10\\.251\\.${env.octet}\\.\\d+$`));

    t = performance.now();
    const containerId = await cri!.createContainer(sandboxId, {
      metadata: { name: 'app', attempt: 0 },
      image: { image: 'busybox' },
      command: ['sh', '-c', 'echo hello; sleep 1000'],
      logPath: 'app/0.log',
      labels: { 'io.kubernetes.container.name': 'app' },
    }, sandboxConfig);
    await cri!.startContainer(containerId);
    timings.CreateStartContainer = Math.round(performance.now() - t);

    const cs = (await cri!.containerStatus(containerId)).status!;
    expect(cs.state).toBe('CONTAINER_RUNNING');
    expect(cs.logPath).toBe(join(logDirectory, 'app/0.log'));

    const log = await waitFor(() => (existsSync(cs.logPath) ? readFileSync(cs.logPath, 'utf8') : ''), (s) => s.includes('hello'));
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F hello\n$/);
    expect(parseCriLog(log).map((l) => [l.stream, l.partial, l.content])).toEqual([['stdout', false, 'hello']]);

    t = performance.now();
    const hi = await cri!.execSync(containerId, ['echo', 'hi'], 10);
    timings.ExecSync = Math.round(performance.now() - t);
    expect([hi.stdout.toString(), hi.stderr.toString(), hi.exitCode]).toEqual(['hi\n', '', 0]);
    const addrs = await cri!.execSync(containerId, ['ip', '-o', '-4', 'addr'], 10);
    expect(addrs.stdout.toString()).toMatch(/\blo\s+inet 127\.0\.0\.1\/8/);
    expect(addrs.stdout.toString()).toContain(`eth0    inet ${podIp}/24`);
    // Streaming exec URLs point at the node address, reachable from the root namespace.
    const url = await cri!.exec({ containerId, cmd: ['sh'], stdin: true, stdout: true });
    expect(url).toMatch(new RegExp(`^http://${nodeAddr.replace(/\./g, '\\.')}:\\d+/exec/`));
    expect((await fetch(url)).status).toBeGreaterThanOrEqual(400); // an HTTP answer: reachable, but wants an upgrade
    const failing = await cri!.execSync(containerId, ['sh', '-c', 'echo oops >&2; exit 7'], 10);
    expect([failing.stderr.toString(), failing.exitCode]).toEqual(['oops\n', 7]);

    t = performance.now();
    await cri!.stopContainer(containerId, 2);
    timings.StopContainer = Math.round(performance.now() - t);
    const stopped = (await cri!.containerStatus(containerId)).status!;
    expect(stopped.state).toBe('CONTAINER_EXITED');
    expect(stopped.exitCode).toBe(143); // sh killed by SIGTERM
    await cri!.removeContainer(containerId);
    await cri!.removeContainer(containerId); // idempotent

    t = performance.now();
    await cri!.stopPodSandbox(sandboxId);
    timings.StopPodSandbox = Math.round(performance.now() - t);
    expect((await cri!.podSandboxStatus(sandboxId)).status?.state).toBe('SANDBOX_NOTREADY');
    await cri!.removePodSandbox(sandboxId);
    expect(await cri!.listContainers()).toEqual([]);
    expect(await cri!.listPodSandbox()).toEqual([]);
  }, 60_000);

  it('publishes a hostPort on the node address through the portmap plugin', async () => {
    const hostPort = 30000 + (parseInt(tag.slice(2), 16) % 2000);
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'web', namespace: 'default', uid: `uid-web-${tag}`, attempt: 0 },
      logDirectory: join(dir, 'pods', `default_web_uid-web-${tag}`),
      portMappings: [{ protocol: 'TCP', containerPort: 8080, hostPort }],
    };
    let t = performance.now();
    const sandboxId = await cri!.runPodSandbox(sandboxConfig);
    timings.RunPodSandboxWithHostPort = Math.round(performance.now() - t);
    t = performance.now();
    const containerId = await cri!.createContainer(sandboxId, {
      metadata: { name: 'httpd' }, image: { image: 'busybox' },
      command: ['sh', '-c', 'mkdir -p /www && echo served-by-pod > /www/index.html && exec httpd -f -p 8080 -h /www'],
      logPath: 'httpd/0.log',
    }, sandboxConfig);
    await cri!.startContainer(containerId);
    timings.CreateStartContainer2 = Math.round(performance.now() - t);
    const body = await waitForAsync(async () => {
      try { return await (await fetch(`http://${nodeAddr}:${hostPort}/index.html`, { signal: AbortSignal.timeout(1000) })).text(); } catch { return ''; }
    }, (b) => b !== '');
    expect(body).toBe('served-by-pod\n');
    await cri!.stopPodSandbox(sandboxId);
    await cri!.removePodSandbox(sandboxId);
    expect(await cri!.listContainers({ podSandboxId: sandboxId })).toEqual([]);
  }, 60_000);

  it('stop() kills containers and shims a running pod leaves behind and unmounts everything', async () => {
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'left', namespace: 'default', uid: `uid-left-${tag}`, attempt: 0 },
      logDirectory: join(dir, 'pods', `default_left_uid-left-${tag}`),
    };
    const sandboxId = await cri!.runPodSandbox(sandboxConfig);
    const containerId = await cri!.createContainer(sandboxId, {
      metadata: { name: 'sleeper' }, image: { image: 'busybox' }, command: ['sleep', '1000'], logPath: 'sleeper/0.log',
    }, sandboxConfig);
    await cri!.startContainer(containerId);
    const info = JSON.parse((await cri!.containerStatus(containerId, true)).info.info ?? '{}') as { pid?: number };
    const pid = info.pid ?? 0;
    expect(pid).toBeGreaterThan(0);
    // containerd 1.6 names a shim's socket by the hash of "<containerd address>/<namespace>/<sandbox id>".
    const shimSocket = join('/run/containerd/s', createHash('sha256').update(`${containerd!.socket}/k8s.io/${sandboxId}`).digest('hex'));
    expect(existsSync(shimSocket)).toBe(true);
    const shims = shimPids(containerd!.socket);
    expect(shims.length).toBeGreaterThan(0);
    const nodeDir = containerd!.paths.dir;
    expect(mountsUnder(nodeDir).length).toBeGreaterThan(0);

    cri!.close();
    cri = undefined;
    await containerd!.stop({ keepDir: true });
    containerd = undefined;
    await new Promise((r) => setTimeout(r, 100));
    for (const p of [pid, ...shims]) expect(processState(p)).toMatch(/^(gone|Z)$/);
    expect(mountsUnder(nodeDir)).toEqual([]);
    expect(readdirSync('/var/lib/cni/results').filter((f) => f.includes(sandboxId))).toEqual([]);
    expect(existsSync(shimSocket)).toBe(false);
  }, 60_000);
});

/** 'gone', or the state letter of a live process ('Z' for a zombie nobody reaped yet). */
function processState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').charAt(0);
  } catch {
    return 'gone';
  }
}

async function waitForAsync<T>(get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitFor<T>(get: () => T, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
