// API server benchmarks (issue 2):
// 1. pod creates/s through the API server at concurrency 1, 16, 64, over HTTP/1.1 (a connection per concurrent
//    request, as Node's https agent), over HTTP/2 (one connection, as kubectl and every Go client), and through our
//    client library (client/src/rest.ts: HTTP/2, as our components and our kubectl talk to the API server), against
//    raw etcd puts of the same objects from this same process, in the same run, through two clients: the `etcd3`
//    library, and the API server's own etcd client (apiserver/src/storage/etcd/client.ts), cheaper per call;
// 2. watch delivery latency with 100 concurrent watchers at 500 events/s (p50/p99), from the object stored in etcd (as
//    upstream's watch latency SLI), from the create's start and after its answer.
// The API server runs as its own process, as in a real cluster; the client side is this process.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:https';
import http2 from 'node:http2';
import { createSecureContext } from 'node:tls';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { startEtcd } from '../cluster/src/etcd.ts';
import { freePort } from '../cluster/src/ports.ts';
import { startProcess } from '../cluster/src/process.ts';
import { loadCA, issueClientCert } from '../apiserver/src/pki/index.ts';
import { Code, EtcdClient } from '../apiserver/src/storage/etcd/client.ts';
import { RestClient } from '../client/src/rest.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function podBody(name: string) {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'bench', labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  });
}

async function pool(total: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < total; i = next++) await fn(i);
  }));
  return (performance.now() - t0) / 1000;
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch { return 0; }
}

/** CPU use of the API server, etcd and this bench process while fn runs, as % of one core. */
async function withCpu<T>(pids: { apiserver: number; etcd: number }, fn: () => Promise<T>, ops = 0): Promise<{ result: T; cpu: string }> {
  const a0 = cpuSeconds(pids.apiserver);
  const e0 = cpuSeconds(pids.etcd);
  const b0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const secs = (performance.now() - t0) / 1000;
  const b = process.cpuUsage(b0);
  // % of one core, and (given the number of operations) CPU ms per operation, which the machine's noise changes less.
  const pc = (x: number) => `${((100 * x) / secs).toFixed(0)}%${ops ? ` (${((1000 * x) / ops).toFixed(2)} ms/op)` : ''}`;
  const cpu = `apiserver ${pc(cpuSeconds(pids.apiserver) - a0)}, etcd ${pc(cpuSeconds(pids.etcd) - e0)}, bench ${pc((b.user + b.system) / 1e6)}`;
  return { result, cpu };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
  const etcd = await startEtcd();
  const port = await freePort();
  const api = startProcess(process.execPath, {
    // K8TS_BENCH_CPU_PROF=DIR writes the API server's CPU profile there (node --cpu-prof).
    args: [...(process.env.K8TS_BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.K8TS_BENCH_CPU_PROF] : []),
      // K8TS_BENCH_APISERVER=PATH runs another build's main.ts (e.g. an older commit's, for before/after figures).
      process.env.K8TS_BENCH_APISERVER ?? join(repo, 'apiserver/src/main.ts'), '--etcd-servers', etcd.endpoint, '--secure-port', String(port), '--cert-dir', join(dir, 'pki')],
    logFile: join(dir, 'apiserver.log'),
  });
  try {
    const base = `https://127.0.0.1:${port}`;
    // The API server writes the CA's key, then its certificate (each file whole): wait for both.
    for (let i = 0; i < 300; i++) {
      try { readFileSync(join(dir, 'pki', 'ca.key')); readFileSync(join(dir, 'pki', 'ca.crt')); break; } catch { await new Promise((r) => setTimeout(r, 100)); }
    }
    const ca = await loadCA(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), readFileSync(join(dir, 'pki', 'ca.key'), 'utf8'));
    const admin = await issueClientCert(ca, { user: 'bench', groups: ['system:masters'] });
    // One secure context, as our client library does (given as ca/cert/key, Node's agent keys its pool by the PEMs).
    const secureContext = createSecureContext({ ca: ca.certPem, cert: admin.certPem, key: admin.keyPem });
    const agent = new Agent({ secureContext, keepAlive: true, maxSockets: 128 });
    const call = (method: string, path: string, body?: string) => new Promise<{ status: number; text: string }>((res, rej) => {
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
    let session: http2.ClientHttp2Session | undefined;
    const call2 = (method: string, path: string, body?: string) => new Promise<{ status: number; text: string }>((res, rej) => {
      if (!session) {
        session = http2.connect(base, { secureContext });
        session.on('error', rej);
      }
      const r = session.request({ ':method': method, ':path': path, 'content-type': 'application/json', accept: 'application/json' });
      let status = 0;
      let text = '';
      r.setEncoding('utf8');
      r.on('response', (h) => { status = Number(h[':status']); });
      r.on('data', (c: string) => { text += c; });
      r.on('end', () => res({ status, text }));
      r.on('error', rej);
      r.end(body);
    });
    for (let i = 0; ; i++) {
      try { if ((await call('GET', '/readyz')).status === 200) break; } catch { /* not yet */ }
      if (i > 300) throw new Error('apiserver did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await call('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }));

    const only = process.env.K8TS_BENCH_ONLY; // "creates" or "watch"
    const raw = new Etcd3({ hosts: etcd.endpoint });
    const own = new EtcdClient([etcd.endpoint]);
    const pids = { apiserver: api.pid, etcd: etcd.process.pid };
    const cpuLines: string[] = [];
    // Our client library, as the components use it (no client-side rate limit here; maxConnections bounds its requests
    // in flight, which must not be what limits c=64).
    const rest = new RestClient({ server: base, ca: Buffer.from(ca.certPem), cert: Buffer.from(admin.certPem), key: Buffer.from(admin.keyPem), insecureSkipTLSVerify: false, namespace: 'bench', contextName: '' }, { maxConnections: 128, maxRetries: 0 });
    console.log('pod creates/s through the API server (HTTPS → etcd), over HTTP/1.1, HTTP/2 and our client library (HTTP/2),');
    console.log('vs raw etcd puts/s from this process (etcd3: the etcd3 library; own: the API server\'s etcd client).');
    console.log('Ratios: creates/s ÷ puts/s.');
    console.log('concurrency  HTTP/1.1  HTTP/2  client  etcd3-put  own-put  h1÷etcd3  h2÷etcd3  client÷etcd3  h1÷own  h2÷own  client÷own');
    // K8TS_BENCH_CONCURRENCY=64 runs only that level (e.g. to profile it).
    const levels = process.env.K8TS_BENCH_CONCURRENCY ? process.env.K8TS_BENCH_CONCURRENCY.split(',').map(Number) : [1, 16, 64];
    for (const c of only === 'watch' ? [] : levels) {
      const n = c === 1 ? 400 : 3000;
      // warm-up
      await pool(50, c, (i) => call('POST', '/api/v1/namespaces/bench/pods', podBody(`warm-${c}-${i}`)).then(() => undefined));
      const apiRun = await withCpu(pids, () => pool(n, c, async (i) => {
        const r = await call('POST', '/api/v1/namespaces/bench/pods', podBody(`p-${c}-${i}`));
        if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
      }), n);
      // An older build (K8TS_BENCH_APISERVER) may not offer HTTP/2: its column stays empty.
      const h2 = await call2('GET', '/readyz').then(() => true, () => { session?.destroy(); session = undefined; return false; });
      if (h2) await pool(50, c, (i) => call2('POST', '/api/v1/namespaces/bench/pods', podBody(`warm2-${c}-${i}`)).then(() => undefined));
      const api2Run = h2 ? await withCpu(pids, () => pool(n, c, async (i) => {
        const r = await call2('POST', '/api/v1/namespaces/bench/pods', podBody(`p2-${c}-${i}`));
        if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
      }), n) : { result: NaN, cpu: 'not offered' };
      await pool(50, c, (i) => rest.request({ method: 'POST', path: '/api/v1/namespaces/bench/pods', body: podBody(`warm3-${c}-${i}`) }).then(() => undefined));
      const clientRun = await withCpu(pids, () => pool(n, c, async (i) => {
        await rest.request({ method: 'POST', path: '/api/v1/namespaces/bench/pods', body: podBody(`p3-${c}-${i}`) });
      }), n);
      const etcdRun = await withCpu(pids, () => pool(n, c, async (i) => {
        await raw.put(`/bench-raw/pods/bench/p-${c}-${i}`).value(podBody(`p-${c}-${i}`));
      }), n);
      const ownRun = await withCpu(pids, () => pool(n, c, async (i) => {
        await own.put({ key: `/bench-own/pods/bench/p-${c}-${i}`, value: podBody(`p-${c}-${i}`) });
      }), n);
      const a = n / apiRun.result;
      const a2 = n / api2Run.result;
      const a3 = n / clientRun.result;
      const e = n / etcdRun.result;
      const o = n / ownRun.result;
      const col = (x: number, w: number, d = 0) => (Number.isNaN(x) ? '-' : x.toFixed(d)).padStart(w);
      console.log(`${col(c, 11)}  ${col(a, 8)}  ${col(a2, 6)}  ${col(a3, 6)}  ${col(e, 9)}  ${col(o, 7)}  ${col(a / e, 8, 2)}  ${col(a2 / e, 8, 2)}  ${col(a3 / e, 12, 2)}  ${col(a / o, 6, 2)}  ${col(a2 / o, 6, 2)}  ${col(a3 / o, 10, 2)}`);
      cpuLines.push(`c=${c}: HTTP/1.1 run: ${apiRun.cpu}; HTTP/2 run: ${api2Run.cpu}; client run: ${clientRun.cpu}; etcd3 put run: ${etcdRun.cpu}; own put run: ${ownRun.cpu}`);
    }
    raw.close();
    rest.close();
    if (cpuLines.length) console.log(`CPU (% of one core; the machine has ${availableParallelism()}):\n  ${cpuLines.join('\n  ')}`);

    if (only === 'creates') { own.close(); return; }
    // Watch delivery latency: 100 watchers, 500 events/s. The first 2 s are a warm-up at the same rate (the code paths
    // are cold, and the writer's connections open): those objects are named apart and not measured. Then 5 s measured.
    const watchers = Number(process.env.K8TS_BENCH_WATCHERS ?? 100);
    const rate = Number(process.env.K8TS_BENCH_RATE ?? 500);
    const seconds = Number(process.env.K8TS_BENCH_WATCH_SECONDS ?? 5);
    // K8TS_BENCH_WARMUP_SECONDS=0 measures from the API server's first creates on (cold).
    const warmupSeconds = Number(process.env.K8TS_BENCH_WARMUP_SECONDS ?? 2);
    const started = new Map<string, number>(); // the create request was sent
    const stored = new Map<string, number>(); // etcd's own watch, in this process, reported the object stored
    const answered = new Map<string, number>(); // the create's 201 arrived
    const received: { name: string; at: number }[] = [];
    // Upstream's watch latency SLI counts from the moment the object is stored in the database; this process watches
    // etcd directly to see that moment (and so counts the API server's whole path: its etcd watch, cache, fan-out, send).
    const prefix = '/registry/configmaps/bench/';
    const etcdWatch = own.watch((res) => {
      const now = performance.now();
      for (const e of res.events) {
        const name = e.kv.key.toString('utf8').slice(prefix.length);
        if (e.type === 'PUT' && !stored.has(name)) stored.set(name, now);
      }
    }, (err) => { if (err.code !== Code.OK && err.code !== Code.Cancelled) console.log(`  (etcd watch of this process ended: ${err.message})`); });
    const prefixEnd = Buffer.from(prefix);
    prefixEnd[prefixEnd.length - 1]++;
    etcdWatch.create({ key: prefix, rangeEnd: prefixEnd });
    const list = JSON.parse((await call('GET', '/api/v1/namespaces/bench/configmaps')).text);
    const rv = list.metadata.resourceVersion;
    const streams: { destroy(): void }[] = [];
    let ready = 0;
    await new Promise<void>((res) => {
      for (let w = 0; w < watchers; w++) {
        const r = request(`${base}/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${rv}`, { agent, headers: { Accept: 'application/json' } }, (resp) => {
          let buf = '';
          resp.setEncoding('utf8');
          resp.on('data', (chunk: string) => {
            const now = performance.now();
            buf += chunk;
            for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
              const line = buf.slice(0, i);
              buf = buf.slice(i + 1);
              const name = /"name":"(ev-\d+)"/.exec(line)?.[1];
              if (name) received.push({ name, at: now });
            }
          });
          if (++ready === watchers) res();
        });
        r.end();
        streams.push(r);
      }
    });
    const writes: Promise<unknown>[] = [];
    /** Creates n config maps at the rate, from `from` on (a performance.now() time). */
    const paced = async (n: number, from: number, prefixName: string) => {
      for (let i = 0; i < n; i++) {
        const wait = from + (i * 1000) / rate - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const name = `${prefixName}-${i}`;
        started.set(name, performance.now());
        writes.push(call('POST', '/api/v1/namespaces/bench/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } }))
          .then((r) => {
            if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
            answered.set(name, performance.now());
          }));
      }
    };
    const t0 = performance.now();
    await paced(rate * warmupSeconds, t0, 'warm');
    const total = rate * seconds;
    const expected = total * watchers;
    // prom-client's event loop delay histogram starts over at each scrape: this one opens the measured window.
    await call('GET', '/metrics');
    const watchRun = await withCpu(pids, async () => {
      await paced(total, t0 + warmupSeconds * 1000, 'ev');
      await Promise.all(writes);
      for (let i = 0; i < 100 && received.length < expected; i++) await new Promise((r) => setTimeout(r, 100));
    }, total);
    const loopDelay = (await call('GET', '/metrics')).text;
    for (const s of streams) s.destroy();
    etcdWatch.cancel();
    own.close();
    const since = (from: Map<string, number>) => received.map((r) => r.at - (from.get(r.name) ?? NaN)).filter((x) => !Number.isNaN(x));
    const show = (xs: number[]) => (xs.length ? `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms` : 'none timed');
    const createLatencies = [...answered].filter(([n]) => n.startsWith('ev-')).map(([n, at]) => at - started.get(n)!);
    const fromStored = since(stored);
    console.log(`watch delivery (${watchers} watchers, ${rate} events/s, ${warmupSeconds} s warm-up, then ${seconds} s): delivered ${received.length}/${expected}`);
    console.log(`  from the object stored in etcd (upstream's watch latency): ${show(fromStored)} (${fromStored.length} timed)`);
    // From the create request's start, so it includes the create's own latency, shown below; and "after the answer":
    // how much later than the create's 201 the event reached a watcher (0 if before).
    console.log(`  from the create request's start: ${show(since(started))}`);
    console.log(`  after the create's answer: ${show(since(answered).map((x) => Math.max(0, x)))}`);
    console.log(`  the creates themselves: ${show(createLatencies)}; CPU ${watchRun.cpu}`);
    // prom-client samples with a 10 ms timer and reports each whole interval: the delay is what exceeds 10 ms.
    const lag = (q: string) => (1000 * Number(new RegExp(`^nodejs_eventloop_lag_${q}_seconds (\\S+)`, 'm').exec(loopDelay)?.[1]) - 10).toFixed(1);
    console.log(`  the API server's event loop delay meanwhile: p50 ${lag('p50')} ms, p99 ${lag('p99')} ms, max ${lag('max')} ms`);
    agent.destroy();
    session?.close();
  } finally {
    await api.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
