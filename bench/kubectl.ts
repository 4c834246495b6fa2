// kubectl benchmark (issue 3): `kubectl get pods` on 1,000 pods, our kubectl against the real kubectl on this
// machine, same API server (real etcd), same run. Target: ours within 300 ms. Each command runs 7 times;
// the median is reported.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../apiserver/test/harness.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function timeOnce(cmd: string, args: string[]): Promise<{ ms: number; lines: number }> {
  const t0 = performance.now();
  return new Promise((res, rej) => execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
    if (err) rej(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
    else res({ ms: performance.now() - t0, lines: stdout.trim().split('\n').length });
  }));
}

async function median(cmd: string, args: string[], runs = 7): Promise<{ ms: number; lines: number }> {
  const out: { ms: number; lines: number }[] = [];
  for (let i = 0; i < runs; i++) out.push(await timeOnce(cmd, args));
  out.sort((a, b) => a.ms - b.ms);
  return out[Math.floor(out.length / 2)];
}

export async function run(count = 1000): Promise<void> {
  const s = await startTestServer();
  const cache = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-bench-'));
  try {
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const r = await s.req('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
        if (r.status !== 201) throw new Error(`create failed: ${r.text}`);
      }
    }));
    const common = ['--kubeconfig', s.kubeconfig, 'get', 'pods'];
    await timeOnce('kubectl', ['--cache-dir', cache, ...common]); // the dispatcher caches /version
    const real = await median('kubectl', ['--cache-dir', cache, ...common]);
    const oursNode = await median(process.execPath, [join(repo, 'kubectl/src/main.ts'), ...common]);
    const oursBin = await median(join(repo, 'bin/kubectl'), common);
    console.log(`kubectl get pods on ${count} pods (median of 7; lines printed: real ${real.lines}, ours ${oursNode.lines})`);
    console.log(`  real kubectl (1.32 via the dispatcher)   ${real.ms.toFixed(0)} ms`);
    console.log(`  ours: node kubectl/src/main.ts (no compile cache)  ${oursNode.ms.toFixed(0)} ms  (ratio ${(oursNode.ms / real.ms).toFixed(2)})`);
    console.log(`  ours: bin/kubectl (setup check + compile cache)    ${oursBin.ms.toFixed(0)} ms  (ratio ${(oursBin.ms / real.ms).toFixed(2)})`);
  } finally {
    rmSync(cache, { recursive: true, force: true });
    await s.stop();
  }
}
