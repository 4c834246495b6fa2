// Scheduler throughput benchmark (issue 4): simulated nodes (Node objects only, no kubelet), pods created
// first, then the real kube-scheduler process schedules them with the API server and etcd in the loop.
// Throughput is pods/s from the first binding to the last, seen through one watch on the pods. Baseline in the
// same run: the same number of bindings POSTed straight to the API server (concurrency 64, nodes round-robin).
// Upstream's node/pod templates (scheduler_perf node-default.yaml, pod-default.yaml): nodes cpu 4, memory
// 32Gi, pods 110; pods request cpu 100m, memory 500Mi. The scheduler's client gets QPS/burst 5000 as
// upstream's scheduler_perf gives it; otherwise the default 50 QPS would cap bindings at 50/s.
// Flags (after `pnpm bench scheduler`): --nodes=N (default 5000), --pods=N (default 10000), --cpu-prof
// (runs the scheduler and the API server under `node --cpu-prof` and prints their top self-time functions over
// the scheduler's window; the API server's profile is written when it stops, at the end).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEtcd } from '../cluster/src/etcd.ts';
import { freePort } from '../cluster/src/ports.ts';
import { startProcess, type Managed } from '../cluster/src/process.ts';
import { writeUserKubeconfig, componentIdentities } from '../cluster/src/kubeconfig.ts';
import { loadCA, issueClientCert } from '../apiserver/src/pki/index.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function flag(name: string): string | undefined {
  for (const [i, a] of process.argv.entries()) {
    if (a === `--${name}`) return process.argv[i + 1]?.startsWith('-') ? 'true' : (process.argv[i + 1] ?? 'true');
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

function positive(name: string, def: number): number {
  const v = flag(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
}

export function nodeBody(name: string, zone: string): string {
  const resources = { cpu: '4', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': zone } },
    spec: {},
    status: {
      capacity: resources, allocatable: resources,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'v1.32.0', containerRuntimeVersion: 'containerd://1.7', kernelVersion: '', osImage: '', machineID: '', systemUUID: '', bootID: '', kubeProxyVersion: '' },
    },
  });
}

export function podBody(name: string, namespace: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }] },
  });
}

async function pool(total: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < total; i = next++) await fn(i);
  }));
}

interface Call { status: number; text: string }

/** Counts pods of a namespace that get spec.nodeName through one watch; records the first and last binding times. */
class BindingWatch {
  bound = new Set<string>();
  first = 0;
  last = 0;
  /** The same instants on the monotonic clock in µs (V8 CPU profiles' timestamps). */
  firstMonoUs = 0;
  lastMonoUs = 0;
  /** Called once, when the first binding is seen. */
  onFirst?: () => void;
  private waiters: { n: number; resolve: () => void }[] = [];
  private req: ReturnType<typeof request>;
  constructor(base: string, agent: Agent, namespace: string, resourceVersion: string) {
    this.req = request(`${base}/api/v1/namespaces/${namespace}/pods?watch=true&allowWatchBookmarks=false&resourceVersion=${resourceVersion}`, { agent, headers: { Accept: 'application/json' } }, (resp) => {
      let buf = '';
      resp.setEncoding('utf8');
      resp.on('data', (chunk: string) => {
        buf += chunk;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: string; object: { metadata?: { name?: string }; spec?: { nodeName?: string } } };
          const name = ev.object.metadata?.name;
          if (ev.type !== 'MODIFIED' || !name || !ev.object.spec?.nodeName || this.bound.has(name)) continue;
          const now = performance.now();
          const mono = Number(process.hrtime.bigint() / 1000n);
          if (this.bound.size === 0) { this.first = now; this.firstMonoUs = mono; this.onFirst?.(); }
          this.last = now;
          this.lastMonoUs = mono;
          this.bound.add(name);
          this.waiters = this.waiters.filter((w) => (this.bound.size >= w.n ? (w.resolve(), false) : true));
        }
      });
    });
    this.req.on('error', () => { /* destroyed */ });
    this.req.end();
  }
  /** Resolves when n pods are bound, or after timeoutMs without a new binding. */
  async until(n: number, stallMs: number): Promise<void> {
    const done = new Promise<void>((r) => (this.bound.size >= n ? r() : this.waiters.push({ n, resolve: r })));
    let seen = -1;
    let since = performance.now();
    for (;;) {
      const r = await Promise.race([done.then(() => true), sleep(1000).then(() => false)]);
      if (r) return;
      if (this.bound.size !== seen) { seen = this.bound.size; since = performance.now(); }
      else if (performance.now() - since > stallMs) return;
    }
  }
  rate(): number {
    return this.bound.size > 1 ? (this.bound.size - 1) / ((this.last - this.first) / 1000) : 0;
  }
  close(): void { this.req.destroy(); }
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Top self-time functions of a V8 .cpuprofile, over the samples taken between fromUs and toUs (monotonic µs). */
function topSelfTime(path: string, n: number, fromUs: number, toUs: number): string[] {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[]; timeDeltas: number[]; startTime: number;
  };
  const byId = new Map(prof.nodes.map((nd) => [nd.id, nd]));
  const self = new Map<string, number>();
  let total = 0;
  let ts = prof.startTime;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    ts += dt;
    if (ts < fromUs || ts > toUs) return;
    total += dt;
    const cf = byId.get(id)!.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(node_modules|work\/main)\//, '$1/')}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
}

/** The share of (idle) samples in each tenth of [fromUs, toUs]: where the scheduler waited rather than worked. */
function idleByTenth(path: string, fromUs: number, toUs: number): string {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string } }[];
    samples: number[]; timeDeltas: number[]; startTime: number;
  };
  const idleIds = new Set(prof.nodes.filter((nd) => nd.callFrame.functionName === '(idle)').map((nd) => nd.id));
  const total = new Array<number>(10).fill(0);
  const idle = new Array<number>(10).fill(0);
  const span = Math.max(1, toUs - fromUs);
  let ts = prof.startTime;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    ts += dt;
    if (ts < fromUs || ts > toUs) return;
    const b = Math.min(9, Math.floor(((ts - fromUs) * 10) / span));
    total[b] += dt;
    if (idleIds.has(id)) idle[b] += dt;
  });
  return total.map((t, i) => `${t ? Math.round((100 * idle[i]) / t) : 0}%`).join(' ');
}

export async function run(): Promise<void> {
  const nodes = positive('nodes', 5000);
  const pods = positive('pods', 10000);
  const cpuProf = flag('cpu-prof') === 'true';
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-sched-'));
  const profDir = join(dir, 'prof');
  const apiProfDir = join(dir, 'prof-apiserver');
  const etcd = await startEtcd();
  let window = { from: 0, to: 0 };
  let api: Managed | undefined;
  let sched: Managed | undefined;
  let agent: Agent | undefined;
  let watch: BindingWatch | undefined;
  try {
    const port = await freePort();
    api = startProcess(process.execPath, {
      // K8TS_BENCH_APISERVER=PATH: another build's API server main.ts (as in the apiserver bench).
      args: [...(cpuProf ? ['--cpu-prof', '--cpu-prof-dir', apiProfDir] : []), process.env.K8TS_BENCH_APISERVER ?? join(repo, 'apiserver/src/main.ts'), '--etcd-servers', etcd.endpoint, '--secure-port', String(port), '--cert-dir', join(dir, 'pki')],
      logFile: join(dir, 'apiserver.log'),
    });
    const base = `https://127.0.0.1:${port}`;
    // The API server writes its CA into --cert-dir on start; both files must be there and complete.
    let ca: Awaited<ReturnType<typeof loadCA>> | undefined;
    for (let i = 0; !ca; i++) {
      try {
        ca = await loadCA(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), readFileSync(join(dir, 'pki', 'ca.key'), 'utf8'));
      } catch (e) {
        if (i > 300) throw e;
        await sleep(100);
      }
    }
    const admin = await issueClientCert(ca, { user: 'bench', groups: ['system:masters'] });
    agent = new Agent({ ca: ca.certPem, cert: admin.certPem, key: admin.keyPem, keepAlive: true, maxSockets: 128 });
    const call = (method: string, path: string, body?: string) => new Promise<Call>((res, rej) => {
      const r = request(base + path, { method, agent, headers: { 'Content-Type': 'application/json', Accept: 'application/json' } }, (resp) => {
        let text = '';
        resp.setEncoding('utf8');
        resp.on('data', (c) => { text += c; });
        resp.on('end', () => res({ status: resp.statusCode ?? 0, text }));
      });
      r.on('error', rej);
      if (body) r.write(body);
      r.end();
    });
    const must = async (method: string, path: string, body: string, want: number) => {
      const r = await call(method, path, body);
      if (r.status !== want) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
    };
    for (let i = 0; ; i++) {
      try { if ((await call('GET', '/readyz')).status === 200) break; } catch { /* not yet */ }
      if (i > 300) throw new Error('apiserver did not start');
      await sleep(100);
    }
    for (const ns of ['sched-bench', 'bind-bench']) {
      await must('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }), 201);
    }
    // The namespaces' default ServiceAccount is created asynchronously upstream; pods here name none and the
    // API server admits them without it when no ServiceAccount admission requires one.
    console.log(`${nodes} nodes (cpu 4, memory 32Gi, pods 110), ${pods} pods (cpu 100m, memory 500Mi)`);
    let t = performance.now();
    await pool(nodes, 64, (i) => must('POST', '/api/v1/nodes', nodeBody(`node-${i}`, `zone-${i % 3}`), 201));
    console.log(`setup: created ${nodes} nodes in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    await pool(pods, 64, (i) => must('POST', '/api/v1/namespaces/sched-bench/pods', podBody(`pod-${i}`, 'sched-bench'), 201));
    console.log(`setup: created ${pods} pending pods in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // 1. The scheduler process.
    const list = JSON.parse((await call('GET', '/api/v1/namespaces/sched-bench/pods?limit=1')).text) as { metadata: { resourceVersion: string } };
    watch = new BindingWatch(base, agent, 'sched-bench', list.metadata.resourceVersion);
    const id = componentIdentities.scheduler;
    const kubeconfig = await writeUserKubeconfig(join(dir, id.file), ca, base, { user: id.user, groups: [...id.groups] });
    const metricsPort = await freePort();
    // K8TS_BENCH_SCHEDULER: another scheduler build's main.ts, to compare two builds on the same machine.
    const schedulerMain = process.env.K8TS_BENCH_SCHEDULER ? resolve(process.env.K8TS_BENCH_SCHEDULER) : join(repo, 'scheduler/src/main.ts');
    if (process.env.K8TS_BENCH_SCHEDULER) console.log(`scheduler build: ${schedulerMain}`);
    sched = startProcess(process.execPath, {
      args: [
        ...(cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []),
        schedulerMain, '--kubeconfig', kubeconfig, '--leader-elect=false',
        '--kube-api-qps=5000', '--kube-api-burst=5000', '--port', String(metricsPort),
      ],
      logFile: join(dir, 'scheduler.log'),
    });
    const tStart = performance.now();
    const pids = { scheduler: sched.pid, apiserver: api.pid };
    let cpuAtFirst = { scheduler: NaN, apiserver: NaN };
    watch.onFirst = () => { cpuAtFirst = { scheduler: cpuSeconds(pids.scheduler), apiserver: cpuSeconds(pids.apiserver) }; };
    await watch.until(pods, 60_000);
    const cpuUsed = { scheduler: cpuSeconds(pids.scheduler) - cpuAtFirst.scheduler, apiserver: cpuSeconds(pids.apiserver) - cpuAtFirst.apiserver };
    const schedBound = watch.bound.size;
    const schedRate = watch.rate();
    const schedSecs = (watch.last - watch.first) / 1000;
    window = { from: watch.firstMonoUs, to: watch.lastMonoUs };
    const startup = (watch.first - tStart) / 1000;
    const toLast = (watch.last - tStart) / 1000;
    watch.close();
    watch = undefined;
    let attempts = '';
    try {
      const m = await new Promise<string>((res, rej) => {
        import('node:http').then(({ get }) => get(`http://127.0.0.1:${metricsPort}/metrics`, (resp) => {
          let text = '';
          resp.setEncoding('utf8');
          resp.on('data', (c) => { text += c; });
          resp.on('end', () => res(text));
        }).on('error', rej), rej);
      });
      attempts = m.split('\n').filter((l) => l.startsWith('scheduler_schedule_attempts_total')).join('\n  ');
    } catch (e) {
      attempts = `(metrics unavailable: ${(e as Error).message})`;
    }
    await sched.stop(10_000);
    sched = undefined;
    if (schedBound < pods) {
      console.log(`scheduler: only ${schedBound}/${pods} pods bound before a 60 s stall; log tail:`);
      console.log(readFileSync(join(dir, 'scheduler.log'), 'utf8').split('\n').slice(-15).join('\n'));
    }

    // 2. Baseline: the same number of bindings straight to the API server.
    t = performance.now();
    await pool(pods, 64, (i) => must('POST', '/api/v1/namespaces/bind-bench/pods', podBody(`pod-${i}`, 'bind-bench'), 201));
    console.log(`setup: created ${pods} baseline pods in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const list2 = JSON.parse((await call('GET', '/api/v1/namespaces/bind-bench/pods?limit=1')).text) as { metadata: { resourceVersion: string } };
    watch = new BindingWatch(base, agent, 'bind-bench', list2.metadata.resourceVersion);
    await sleep(200);
    const tPost0 = performance.now();
    await pool(pods, 64, (i) => must('POST', `/api/v1/namespaces/bind-bench/pods/pod-${i}/binding`,
      JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: `pod-${i}`, namespace: 'bind-bench' }, target: { apiVersion: 'v1', kind: 'Node', name: `node-${i % nodes}` } }), 201));
    const postSecs = (performance.now() - tPost0) / 1000;
    await watch.until(pods, 30_000);
    const baseRate = watch.rate();
    const baseSecs = (watch.last - watch.first) / 1000;
    const baseBound = watch.bound.size;
    watch.close();
    watch = undefined;

    console.log(`scheduler:  ${schedBound}/${pods} pods bound in ${schedSecs.toFixed(2)} s (first binding ${startup.toFixed(1)} s after process start, last ${toLast.toFixed(1)} s): ${schedRate.toFixed(0)} pods/s`);
    console.log(`baseline:   ${baseBound}/${pods} bindings POSTed (concurrency 64) in ${baseSecs.toFixed(2)} s first→last seen (${postSecs.toFixed(2)} s of POSTs): ${baseRate.toFixed(0)} pods/s`);
    console.log(`ratio scheduler/baseline: ${(schedRate / baseRate).toFixed(2)}; upstream floor for 5000 nodes/10000 pods: 680 pods/s (64 cores)`);
    console.log(`  ${attempts}`);
    const share = (s: number) => `${s.toFixed(1)} CPU-s (${((100 * s) / Math.max(schedSecs, 0.001)).toFixed(0)}% of one core)`;
    console.log(`CPU used from the first binding to the last: scheduler ${share(cpuUsed.scheduler)}, apiserver ${share(cpuUsed.apiserver)}`);
  } finally {
    watch?.close();
    agent?.destroy();
    await sched?.stop(5000);
    await api?.stop();
    await etcd.stop();
    if (cpuProf && window.to > 0) {
      for (const [who, d] of [['scheduler', profDir], ['apiserver', apiProfDir]]) {
        for (const f of readdirSync(d).filter((x) => x.endsWith('.cpuprofile'))) {
          console.log(`${who} CPU profile ${f}: top self time from the first binding to the last`);
          for (const l of topSelfTime(join(d, f), 25, window.from, window.to)) console.log(`  ${l}`);
          console.log(`  idle share in each tenth of that window: ${idleByTenth(join(d, f), window.from, window.to)}`);
        }
      }
    }
    // K8TS_BENCH_KEEP=1 keeps the run's directory (logs, CPU profiles) and prints where it is.
    if (process.env.K8TS_BENCH_KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
