// kubectl benchmark (issue 3): `kubectl get pods` on 1,000 pods, our kubectl against the real kubectl on this
// machine, same API server (real etcd), same run. Target: ours within 300 ms. The commands take turns (one
// run of each per round, so load from other processes hits all alike); the median of 9 rounds is reported.
// The baseline is our kubectl as it was before the start-up work (its kubectl/src from git, run the same way).
// Wall time suffers when other processes load the machine; the CPU time (user+system, from /usr/bin/time)
// each command used is printed too, as it depends much less on the load.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../apiserver/test/harness.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The commit that added this benchmark: our kubectl before lazy loading and the other start-up work. */
const baselineCommit = '1245615';

interface Cmd { label: string; cmd: string; args: string[]; env?: NodeJS.ProcessEnv; times: number[]; cpu: number[]; lines: number }

const timeBin = '/usr/bin/time';

function timeOnce(c: Cmd, cpuFile: string): Promise<void> {
  const [cmd, args] = existsSync(timeBin) ? [timeBin, ['-f', '%U %S', '-o', cpuFile, c.cmd, ...c.args]] : [c.cmd, c.args];
  const t0 = performance.now();
  return new Promise((res, rej) => execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, env: c.env ?? process.env }, (err, stdout, stderr) => {
    if (err) return rej(new Error(`${c.cmd} ${c.args.join(' ')}: ${stderr || err.message}`));
    c.times.push(performance.now() - t0);
    c.lines = stdout.trim().split('\n').length;
    if (cmd === timeBin) {
      const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      c.cpu.push((user + sys) * 1000);
    }
    res();
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Our kubectl's sources at `commit`, beside a link to today's node_modules; undefined if git cannot. */
function checkoutBaseline(dir: string, commit: string): string | undefined {
  try {
    const root = join(dir, 'baseline');
    mkdirSync(join(root, 'kubectl'), { recursive: true });
    const tar = execFileSync('git', ['-C', repo, 'archive', commit, 'kubectl/src'], { maxBuffer: 64 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', root], { input: tar });
    symlinkSync(join(repo, 'kubectl/node_modules'), join(root, 'kubectl/node_modules'));
    return join(root, 'kubectl/src/main.ts');
  } catch {
    return undefined;
  }
}

export async function run(count = 1000, rounds = 9): Promise<void> {
  const s = await startTestServer();
  const tmp = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-bench-'));
  try {
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const r = await s.req('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
        if (r.status !== 201) throw new Error(`create failed: ${r.text}`);
      }
    }));
    const common = ['--kubeconfig', s.kubeconfig, 'get', 'pods'];
    const cache = join(tmp, 'cache');
    const compileCache = join(repo, '.tools/compile-cache');
    const cmds: Cmd[] = [
      { label: 'real kubectl (1.32 via the dispatcher)', cmd: 'kubectl', args: ['--cache-dir', cache, ...common], times: [], cpu: [], lines: 0 },
      { label: 'ours: bin/kubectl', cmd: join(repo, 'bin/kubectl'), args: common, times: [], cpu: [], lines: 0 },
      { label: 'ours: node kubectl/src/main.ts', cmd: process.execPath, args: [join(repo, 'kubectl/src/main.ts'), ...common], times: [], cpu: [], lines: 0 },
    ];
    const baseline = checkoutBaseline(tmp, baselineCommit);
    if (baseline) {
      cmds.push({
        label: `baseline ${baselineCommit}: node main.ts (compile cache on)`, cmd: process.execPath, args: [baseline, ...common],
        env: { ...process.env, NODE_COMPILE_CACHE: compileCache }, times: [], cpu: [], lines: 0,
      });
    }
    const cpuFile = join(tmp, 'cpu');
    for (const c of cmds) await timeOnce(c, cpuFile); // warm: the dispatcher caches /version, Node its compile cache
    for (const c of cmds) { c.times = []; c.cpu = []; }
    for (let r = 0; r < rounds; r++) for (const c of cmds) await timeOnce(c, cpuFile);
    const real = median(cmds[0].times);
    console.log(`kubectl get pods on ${count} pods (median of ${rounds} interleaved rounds; lines printed: ${cmds.map((c) => c.lines).join(', ')})`);
    for (const c of cmds) {
      const m = median(c.times);
      const cpu = c.cpu.length ? `; cpu ${median(c.cpu).toFixed(0)} ms` : '';
      console.log(`  ${c.label.padEnd(52)} ${m.toFixed(0).padStart(5)} ms  (ratio ${(m / real).toFixed(2)}; min ${Math.min(...c.times).toFixed(0)} ms${cpu})`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await s.stop();
  }
}
