// The kubelet against the REAL containerd (in its own network namespace, images from a local
// registry) and the real API server on etcd: registration, a pod running with an IP and logs,
// adoption after a kubelet restart, a liveness restart, deletion removing everything.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { Clientset, createLogger, loadRestConfig, silentLogger, type Typed } from '@k8ts/client';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';
import type { CriClient } from '../src/cri/client.ts';
import { startNodeEnv, type NodeEnv } from '../../cluster/src/testing/node-env.ts';
import { parseCriLog } from '../src/cri/logs.ts';
import { Kubelet } from '../src/kubelet.ts';
import { Backoff } from '../src/pod-workers/backoff.ts';
import { startKubeletServer } from '../src/server/server.ts';
import { selfSignedCert } from '../src/server/tls.ts';
import { get as httpsGet } from 'node:https';
import { connect as tlsConnect } from 'node:tls';

describe('kubelet with containerd', () => {
  let env: NodeEnv | undefined;
  let cri: CriClient | undefined;
  let server: TestServer | undefined;
  let client: Clientset | undefined;
  let kubelet: Kubelet | undefined;
  let nodeName = '';
  let nodeAddr = '';
  let octet = 0;
  let dir = '';

  const newKubelet = () => new Kubelet({
    client: client!, cri: cri!, nodeName, nodeIPs: [nodeAddr], podCIDR: env!.podCidr, taints: [],
    rootDir: join(dir, 'kubelet'), podLogsDir: join(dir, 'pods'),
    log: process.env.KUBELET_TEST_LOG ? createLogger({ component: 'kubelet', level: 'debug' }) : silentLogger(),
    crashLoopBackoff: new Backoff({ initialMs: 500, maxMs: 2000 }), plegPeriodMs: 500, resyncPeriodMs: 2000,
    cgroups: { root: cgroupRoot },
  });
  let cgroupRoot = '';

  beforeAll(async () => {
    env = await startNodeEnv();
    ({ cri, nodeAddr, octet, dir } = env);
    nodeName = `node-${env.tag}`;
    cgroupRoot = `/k8ts-test-${env.tag}`;
    server = await startTestServer();
    client = new Clientset(loadRestConfig({ kubeconfig: server.kubeconfig }));
    kubelet = newKubelet();
    await kubelet.start();
  }, 120_000);

  afterAll(async () => {
    await kubelet?.stop();
    client?.close();
    await server?.stop();
    const leftMounts = await env?.stop();
    expect(leftMounts ?? []).toEqual([]);
    // Every pod is gone, so the stopped kubelet removed its whole cgroup tree, in every hierarchy.
    if (cgroupRoot) expect(readdirSync('/sys/fs/cgroup').filter((h) => existsSync(join('/sys/fs/cgroup', h, cgroupRoot)))).toEqual([]);
  }, 60_000);

  const pods = () => client!.pods('default');
  const waitPod = async (name: string, ok: (p: Typed<Pod>) => boolean, timeoutMs = 30_000): Promise<Typed<Pod>> => {
    const deadline = Date.now() + timeoutMs;
    let p = await pods().get(name);
    while (!ok(p)) {
      if (Date.now() > deadline) throw new Error(`pod ${name} did not reach the condition: ${JSON.stringify(p.status)}`);
      await new Promise((r) => setTimeout(r, 200));
      p = await pods().get(name);
    }
    return p;
  };

  it('registers the node Ready with the runtime version', async () => {
    const node = await client!.nodes().get(nodeName);
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/1\./);
    expect(node.status?.addresses).toContainEqual({ type: 'InternalIP', address: nodeAddr });
    expect(node.metadata.labels?.['kubernetes.io/hostname']).toBe(nodeName);
  });

  it('runs a pod with an IP and its logs, and a restarted kubelet adopts it', async () => {
    const t0 = Date.now();
    const created = await pods().create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hello' },
      spec: { nodeName, terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'echo hello-from-pod; exec sleep 1000'] }] },
    } as Typed<Pod>);
    const p = await waitPod('hello', (x) => x.status?.phase === 'Running');
    console.log(`pod Running after ${Date.now() - t0} ms`);
    expect(p.status?.podIP).toMatch(new RegExp(`^10\\.251\\.${octet}\\.\\d+$`));
    const cs = p.status!.containerStatuses![0]!;
    expect(cs).toMatchObject({ name: 'app', ready: true, restartCount: 0 });
    expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(cs.imageID).toMatch(/^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
    const logFile = join(dir, 'pods', `default_hello_${created.metadata.uid}`, 'app', '0.log');
    const deadline = Date.now() + 5000;
    while (!(existsSync(logFile) && readFileSync(logFile, 'utf8').includes('hello')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(parseCriLog(readFileSync(logFile, 'utf8')).map((l) => l.content)).toEqual(['hello-from-pod']);

    await kubelet!.stop();
    kubelet = newKubelet();
    await kubelet.start();
    await new Promise((r) => setTimeout(r, 2500));
    const after = await pods().get('hello');
    expect(after.status?.containerStatuses?.[0]).toMatchObject({ containerID: cs.containerID, restartCount: 0, ready: true });
    expect((await cri!.listContainers()).filter((c) => c.labels['io.kubernetes.pod.uid'] === created.metadata.uid)).toHaveLength(1);
  }, 60_000);

  it('serves container logs and exec (WebSocket v4.channel.k8s.io through the runtime streaming server)', async () => {
    const srv = await startKubeletServer({
      address: '127.0.0.1', port: 0, cri: cri!, log: silentLogger(), pods: () => kubelet!.knownPods(),
      cert: await selfSignedCert(nodeName, ['127.0.0.1']),
    });
    try {
      const logs = await new Promise<string>((resolve, reject) => {
        httpsGet({ host: '127.0.0.1', port: srv.port, path: '/containerLogs/default/hello/app', rejectUnauthorized: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => { body += c.toString(); });
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
      expect(logs).toBe('hello-from-pod\n');
      const frames = await wsExec(srv.port, '/exec/default/hello/app?command=sh&command=-c&command=echo%20out-$HOSTNAME%3B%20echo%20err%20%3E%262&output=1&error=1');
      const text = (ch: number) => frames.filter((f) => f[0] === ch).map((f) => f.subarray(1).toString()).join('');
      expect(text(1)).toBe('out-hello\n');
      expect(text(2)).toBe('err\n');
      expect(JSON.parse(text(3))).toMatchObject({ status: 'Success' });
      // kubectl 1.30+ offers v5.channel.k8s.io, which containerd 1.6 does not speak: the kubelet bridges it.
      const v5 = await wsExec(srv.port, '/exec/default/hello/app?command=echo&command=v5&output=1', 'v5.channel.k8s.io');
      expect(v5.protocol).toBe('v5.channel.k8s.io');
      expect(v5.filter((f) => f[0] === 1).map((f) => f.subarray(1).toString()).join('')).toBe('v5\n');
      const hosts = await wsExec(srv.port, '/exec/default/hello/app?command=cat&command=/etc/hosts&output=1');
      const podIP = (await pods().get('hello')).status?.podIP;
      expect(hosts.filter((f) => f[0] === 1).map((f) => f.subarray(1).toString()).join('')).toContain(`\n${podIP}\thello\n`);
    } finally {
      await srv.close();
    }
  }, 30_000);

  /** The cgroup (memory hierarchy) of the container's process, read from /proc/<pid>/cgroup. */
  const memoryCgroupOf = async (containerID: string): Promise<string> => {
    const info = (await cri!.containerStatus(containerID.replace('containerd://', ''), true)).info;
    const pid = JSON.parse(info.info ?? '{}').pid as number;
    expect(pid).toBeGreaterThan(0);
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
    return line!.split(':')[2]!;
  };

  it('runs pods in cgroups per QoS class with the pod limits (cgroupfs)', async () => {
    const mk = (name: string, resources: object) => pods().create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '1000'], resources }] },
    } as Typed<Pod>);
    const g = await mk('guaranteed', { limits: { cpu: '250m', memory: '64Mi' } });
    const b = await mk('burstable', { requests: { cpu: '100m', memory: '16Mi' }, limits: { memory: '48Mi' } });
    const gp = await waitPod('guaranteed', (x) => x.status?.phase === 'Running');
    const bp = await waitPod('burstable', (x) => x.status?.phase === 'Running');
    expect(gp.status?.qosClass).toBe('Guaranteed');
    expect(bp.status?.qosClass).toBe('Burstable');
    const gCgroup = `${cgroupRoot}/kubepods/pod${g.metadata.uid}`;
    const bCgroup = `${cgroupRoot}/kubepods/burstable/pod${b.metadata.uid}`;
    expect(await memoryCgroupOf(gp.status!.containerStatuses![0]!.containerID!)).toMatch(new RegExp(`^${gCgroup}/[0-9a-f]{64}$`));
    expect(await memoryCgroupOf(bp.status!.containerStatuses![0]!.containerID!)).toMatch(new RegExp(`^${bCgroup}/[0-9a-f]{64}$`));
    const read = (h: string, cg: string, f: string) => readFileSync(join('/sys/fs/cgroup', h, cg, f), 'utf8').trim();
    expect(read('memory', gCgroup, 'memory.limit_in_bytes')).toBe(String(64 * 1024 * 1024));
    expect(read('cpu', gCgroup, 'cpu.cfs_quota_us')).toBe('25000');
    expect(read('cpu', gCgroup, 'cpu.shares')).toBe('256');
    expect(read('memory', bCgroup, 'memory.limit_in_bytes')).toBe(String(48 * 1024 * 1024));
    expect(read('cpu', bCgroup, 'cpu.shares')).toBe('102');
    expect(read('cpu', bCgroup, 'cpu.cfs_quota_us')).toBe('-1');
    expect(read('cpu', `${cgroupRoot}/kubepods/besteffort`, 'cpu.shares')).toBe('2');
    // The BestEffort pod from the first test sits under besteffort.
    const hello = await pods().get('hello');
    expect(await memoryCgroupOf(hello.status!.containerStatuses![0]!.containerID!)).toMatch(new RegExp(`^${cgroupRoot}/kubepods/besteffort/pod${hello.metadata.uid}/`));

    await pods().delete('guaranteed', { gracePeriodSeconds: 0 });
    await pods().delete('burstable', { gracePeriodSeconds: 0 });
    await waitGone('guaranteed');
    await waitGone('burstable');
    const deadline = Date.now() + 10_000;
    const left = () => readdirSync('/sys/fs/cgroup').filter((h) => existsSync(join('/sys/fs/cgroup', h, gCgroup)) || existsSync(join('/sys/fs/cgroup', h, bCgroup)));
    while (left().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(left()).toEqual([]);
  }, 60_000);

  it('serves /metrics in the Prometheus text format', async () => {
    const srv = await startKubeletServer({
      address: '127.0.0.1', port: 0, cri: cri!, log: silentLogger(), pods: () => kubelet!.knownPods(),
      cert: await selfSignedCert(nodeName, ['127.0.0.1']),
      metrics: async () => ({ contentType: kubelet!.metrics.contentType, text: await kubelet!.metrics.text() }),
    });
    try {
      await expect(kubelet!.cri.containerStatus('no-such-container')).rejects.toThrow(); // an error to count
      const scrape = () => new Promise<{ type: string; body: string }>((resolve, reject) => {
        httpsGet({ host: '127.0.0.1', port: srv.port, path: '/metrics', rejectUnauthorized: false }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => { text += c.toString(); });
          res.on('end', () => resolve({ type: String(res.headers['content-type']), body: text }));
        }).on('error', reject);
      });
      const valueIn = (body: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(body)?.[1] ?? NaN);
      // The previous test's pods are still being torn down: the gauges follow the next relist.
      let { type, body } = await scrape();
      for (const end = Date.now() + 15_000; valueIn(body, 'kubelet_running_pods') !== 1 && Date.now() < end;) {
        await new Promise((r) => setTimeout(r, 250));
        ({ type, body } = await scrape());
      }
      expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
      const value = (series: string) => valueIn(body, series);
      expect(value('kubelet_running_pods')).toBe(1); // hello: the QoS pods are gone, sick comes later
      expect(value('kubelet_running_containers{container_state="running"}')).toBe(1);
      expect(value('kubelet_runtime_operations_total{operation_type="run_podsandbox"}')).toBeGreaterThanOrEqual(2);
      expect(value('kubelet_runtime_operations_total{operation_type="list_containers"}')).toBeGreaterThan(0);
      expect(value('kubelet_runtime_operations_duration_seconds_count{operation_type="start_container"}')).toBeGreaterThanOrEqual(2);
      expect(body).toMatch(/^kubelet_pod_start_duration_seconds_count [1-9]/m);
      expect(body).toMatch(/^kubelet_pod_worker_duration_seconds_count\{operation="create"\} [1-9]/m);
      expect(body).toMatch(/^kubelet_pleg_relist_duration_seconds_count [1-9]/m);
      expect(value('kubelet_runtime_operations_errors_total{operation_type="container_status"}')).toBe(1);
      expect(body).toMatch(/^process_cpu_seconds_total /m);
    } finally {
      await srv.close();
    }
  }, 30_000);

  it('restarts a container whose liveness probe fails', async () => {
    await pods().create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sick' },
      spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{
        name: 'app', image: 'busybox', command: ['sh', '-c', 'touch /tmp/ok; sleep 2; rm /tmp/ok; exec sleep 1000'],
        livenessProbe: { exec: { command: ['cat', '/tmp/ok'] }, periodSeconds: 1, failureThreshold: 2 },
      }] },
    } as Typed<Pod>);
    const p = await waitPod('sick', (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 40_000);
    expect(p.status?.containerStatuses?.[0]?.lastState?.terminated).toBeDefined();
    await pods().delete('sick', { gracePeriodSeconds: 0 });
  }, 60_000);

  it('deleting pods removes their sandboxes, containers and objects', async () => {
    await pods().delete('hello');
    await waitGone('hello');
    await waitGone('sick');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && ((await cri!.listPodSandbox()).length > 0 || (await cri!.listContainers()).length > 0)) await new Promise((r) => setTimeout(r, 200));
    expect(await cri!.listContainers()).toEqual([]);
    expect(await cri!.listPodSandbox()).toEqual([]);
  }, 60_000);

  async function waitGone(name: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (await pods().get(name).then(() => false, () => true)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`pod ${name} was not deleted`);
  }
});

/** A minimal WebSocket client: upgrades, collects the server's binary frames until it closes. */
function wsExec(port: number, path: string, protocol = 'v4.channel.k8s.io'): Promise<Buffer[] & { protocol?: string }> {
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
        + `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`);
    });
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const frames: Buffer[] & { protocol?: string } = [];
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`exec timed out: ${buf.toString()}`)); }, 15_000);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) { clearTimeout(timer); sock.destroy(); reject(new Error(head)); return; }
        upgraded = true;
        frames.protocol = /^sec-websocket-protocol:\s*(\S+)/im.exec(head)?.[1];
        buf = buf.subarray(end + 4);
      }
      for (;;) {
        if (buf.length < 2) return;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
        else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
        if (buf.length < off + len) return;
        const opcode = buf[0]! & 0x0f;
        const payload = buf.subarray(off, off + len);
        buf = buf.subarray(off + len);
        if (opcode === 8) { clearTimeout(timer); sock.destroy(); resolve(frames); return; }
        if (opcode === 1 || opcode === 2) frames.push(Buffer.from(payload));
      }
    });
    sock.on('close', () => { clearTimeout(timer); resolve(frames); });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
