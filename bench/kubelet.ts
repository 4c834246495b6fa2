// Benchmark (issue 5): time from pod creation to Running with all containers started, as seen
// through a watch, for 30 pods bound to one node (real containerd, real API server on etcd, one
// kubelet with production timings). Prints p50/p99 for the 30 created all at once, then created at a uniform
// 5/s as upstream's single-node throughput test (clusterloader2 node-throughput) does. Run: pnpm bench kubelet
import type { Pod } from 'kubernetes-types/core/v1';
import { Clientset, loadRestConfig, silentLogger, type Typed } from '@k8ts/client';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTestServer } from '../apiserver/test/harness.ts';
import { Kubelet } from '../kubelet/src/kubelet.ts';
import { startNodeEnv, type NodeEnv } from '../cluster/src/testing/node-env.ts';
import { podSandboxConfig } from '../kubelet/src/kuberuntime/sandbox-config.ts';
import { containerConfig } from '../kubelet/src/kuberuntime/container-config.ts';

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/**
 * containerd's own cost, with no kubelet and no API server: the same burst of `count` pods (sandbox,
 * then container create + start, the configs the kubelet would send) straight through the CRI, all
 * at once; and one pod alone. Latency per pod is from the start of the burst to StartContainer's return.
 */
export async function containerdFloor(env: NodeEnv, count: number, o: { cgroupParent?: (uid: string) => string; concurrency?: number } = {}): Promise<{ p50: number; p99: number; alone: Record<string, number> }> {
  const imageRef = (await env.cri.imageStatus({ image: 'busybox' }))!.id;
  const one = async (i: number, tag: string) => {
    const uid = `floor-${tag}-${i}-${Date.now()}`;
    const pod: Pod = { metadata: { name: `floor-${tag}-${i}`, namespace: 'default', uid }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } };
    const sc = podSandboxConfig(pod, 0, { podLogsDir: join(env.dir, 'floor-logs'), dns: { clusterDns: [], clusterDomain: 'cluster.local', resolvConf: '/etc/resolv.conf' } });
    if (o.cgroupParent) sc.linux = { ...sc.linux, cgroupParent: o.cgroupParent(uid) };
    const t: Record<string, number> = {};
    let t0 = performance.now();
    const sandbox = await env.cri.runPodSandbox(sc);
    t.runPodSandbox = performance.now() - t0;
    t0 = performance.now();
    const id = await env.cri.createContainer(sandbox, containerConfig({ pod, container: pod.spec!.containers[0]!, type: 'CONTAINER', restartCount: 0, imageRef, env: [], mounts: [], nodeMemoryBytes: 1 << 30 }), sc);
    t.createContainer = performance.now() - t0;
    t0 = performance.now();
    await env.cri.startContainer(id);
    t.startContainer = performance.now() - t0;
    return { sandbox, t };
  };
  const sandboxes: string[] = [];
  try {
    const alone = await one(0, 'alone');
    sandboxes.push(alone.sandbox);
    const start = performance.now();
    let slots = o.concurrency ?? count;
    const waiting: (() => void)[] = [];
    const lat = await Promise.all(Array.from({ length: count }, async (_, i) => {
      if (slots > 0) slots--; else await new Promise<void>((r) => waiting.push(r));
      const r = await one(i, 'burst').finally(() => { const next = waiting.shift(); if (next) next(); else slots++; });
      sandboxes.push(r.sandbox);
      return performance.now() - start;
    }));
    lat.sort((a, b) => a - b);
    return { p50: Math.round(quantile(lat, 0.5)), p99: Math.round(quantile(lat, 0.99)), alone: Object.fromEntries(Object.entries(alone.t).map(([k, v]) => [k, Math.round(v)])) };
  } finally {
    await Promise.all(sandboxes.map(async (s) => {
      await env.cri.stopPodSandbox(s).catch(() => undefined);
      await env.cri.removePodSandbox(s).catch(() => undefined);
    }));
  }
}

/** Where the time went: median of each step's duration over the pods, and the CRI calls the kubelet made. */
async function printBreakdown(kubelet: Kubelet, createdAt: Map<string, number>, createReturned: Map<string, number>, latency: Map<string, number>, uids: Map<string, string>): Promise<void> {
  const steps: [string, string][] = [['created', 'createReturned'], ['createReturned', 'seen'], ['created', 'seen'], ['seen', 'syncStart'], ['syncStart', 'sandboxCreated'], ['sandboxCreated', 'sandboxStatus'],
    ['sandboxStatus', 'imageReady'], ['imageReady', 'containerCreated'], ['containerCreated', 'containerStarted'],
    ['containerStarted', 'statusRunning'], ['statusRunning', 'statusWritten'], ['statusWritten', 'watch']];
  const parts: string[] = [];
  for (const [a, b] of steps) {
    const d: number[] = [];
    for (const [name, uid] of uids) {
      const t = { ...kubelet.startup.get(uid), created: createdAt.get(name), createReturned: createReturned.get(name), watch: createdAt.get(name)! + latency.get(name)! } as Record<string, number | undefined>;
      if (t[a] !== undefined && t[b] !== undefined) d.push(t[b]! - t[a]!);
    }
    d.sort((x, y) => x - y);
    if (d.length) parts.push(`${a}→${b} ${Math.round(quantile(d, 0.5))}`);
  }
  console.log(`median steps (ms): ${parts.join(', ')}`);
  const ops = new Map<string, { count: number; sum: number }>();
  for (const v of (await kubelet.metrics.runtimeOperationsDuration.get()).values) {
    const o = ops.get(String(v.labels.operation_type)) ?? { count: 0, sum: 0 };
    if (v.metricName?.endsWith('_count')) o.count = v.value;
    else if (v.metricName?.endsWith('_sum')) o.sum = v.value;
    else continue;
    ops.set(String(v.labels.operation_type), o);
  }
  console.log(`CRI calls by the kubelet: ${[...ops].map(([op, o]) => `${op} ${o.count}× avg ${Math.round((o.sum / Math.max(1, o.count)) * 1000)} ms`).join(', ')}`);
}

/** Creates `count` pods on the node (all at once, or `qps` per second) and reports create → Running as seen through a watch. */
async function measure(client: Clientset, kubelet: Kubelet, env: NodeEnv, nodeName: string, count: number, qps: number): Promise<{ p50: number; p99: number }> {
  const pods = client.pods('default');
  const prefix = qps > 0 ? 'paced' : 'burst';
  const createdAt = new Map<string, number>();
  const latency = new Map<string, number>();
  const uids = new Map<string, string>();
  const createReturned = new Map<string, number>();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const watch = await pods.watch({ fieldSelector: `spec.nodeName=${nodeName}` });
  const done = (async () => {
    for await (const ev of watch) {
      const p = ev.object as Typed<Pod>;
      const name = p.metadata.name!;
      const t0 = createdAt.get(name);
      const all = p.status?.containerStatuses ?? [];
      if (t0 !== undefined && !latency.has(name) && p.status?.phase === 'Running' && all.length > 0 && all.every((c) => c.state?.running)) {
        latency.set(name, performance.now() - t0);
        uids.set(name, p.metadata.uid!);
        if (latency.size === count) { watch.close(); return; }
      }
    }
  })();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, async (_, i) => {
    if (qps > 0) await new Promise((res) => setTimeout(res, Math.max(0, t0 + (i * 1000) / qps - performance.now())));
    const name = `${prefix}-${i}`;
    createdAt.set(name, performance.now());
    await pods.create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: { nodeName, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
    } as Typed<Pod>);
    createReturned.set(name, performance.now());
  }));
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${latency.size}/${count} pods Running after 120 s`)), 120_000))]);
  const sorted = [...latency.values()].sort((a, b) => a - b);
  const r = { p50: Math.round(quantile(sorted, 0.5)), p99: Math.round(quantile(sorted, 0.99)) };
  if ((kubelet as Partial<Kubelet>).startup) await printBreakdown(kubelet, createdAt, createReturned, latency, uids);
  loopDelay.disable();
  console.log(`bench process event loop delay: p50 ${Math.round(loopDelay.percentile(50) / 1e6)} ms, max ${Math.round(loopDelay.max / 1e6)} ms`);
  console.log(`pod startup (create → Running, ${count} pods, one node, ${qps > 0 ? `created at ${qps}/s` : 'created all at once'}): p50 ${r.p50} ms, p99 ${r.p99} ms`);
  await pods.deleteCollection({ fieldSelector: `spec.nodeName=${nodeName}` });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && ((await pods.list()).items.length > 0 || (await env.cri.listPodSandbox()).length > 0)) await new Promise((res) => setTimeout(res, 500));
  return r;
}

export async function run(count = 30): Promise<{ p50: number; p99: number }> {
  const env = await startNodeEnv('k8ts-klb');
  const server = await startTestServer();
  const client = new Clientset(loadRestConfig({ kubeconfig: server.kubeconfig }));
  const nodeName = `bench-${env.tag}`;
  // K8TS_BENCH_KUBELET=<path to a kubelet.ts>: measure another build of the kubelet (e.g. an older commit's) the same way.
  const KubeletClass = process.env.K8TS_BENCH_KUBELET ? ((await import(process.env.K8TS_BENCH_KUBELET)) as { Kubelet: typeof Kubelet }).Kubelet : Kubelet;
  const kubelet = new KubeletClass({
    client, cri: env.cri, nodeName, nodeIPs: [env.nodeAddr], podCIDR: env.podCidr,
    rootDir: join(env.dir, 'kubelet'), podLogsDir: join(env.dir, 'pods'), log: silentLogger(),
    cgroups: { root: `/k8ts-${nodeName}` },
    // K8TS_BENCH_SANDBOX_PARALLEL=N: at most N RunPodSandbox calls at once.
    maxParallelSandboxCreations: Number(process.env.K8TS_BENCH_SANDBOX_PARALLEL) || undefined,
  });
  try {
    await env.cri.pullImage({ image: 'busybox' }); // image pulls are not what this measures
    if (process.env.K8TS_BENCH_FLOOR !== '0') {
      const f = await containerdFloor(env, count);
      console.log(`containerd alone (CRI only, no kubelet): one pod ${JSON.stringify(f.alone)} ms; burst of ${count}: p50 ${f.p50} ms, p99 ${f.p99} ms`);
    }
    await kubelet.start();
    // All at once, then at upstream's single-node throughput test's pace (clusterloader2 node-throughput:
    // pods created at a uniform 5/s against a 5 s startup threshold). K8TS_BENCH_QPS=N sets that pace.
    const r = await measure(client, kubelet, env, nodeName, count, 0);
    const qps = Number(process.env.K8TS_BENCH_QPS ?? 5);
    if (qps > 0) await measure(client, kubelet, env, nodeName, count, qps);
    return r;
  } finally {
    await kubelet.stop();
    client.close();
    await server.stop();
    const left = await env.stop();
    if (left.length) console.error(`mounts left behind: ${left.join(', ')}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run(Number(process.argv[2] ?? 30));
  process.exit(0);
}
