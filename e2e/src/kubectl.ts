// Runs a kubectl binary against a cluster (the real kubectl on this machine by default).
import { execFile } from 'node:child_process';

export interface KubectlResult { code: number; stdout: string; stderr: string }

export interface KubectlOptions {
  /** Text for stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  timeoutMs?: number;
}

export const realKubectl = process.env.K8TS_E2E_KUBECTL ?? 'kubectl';

export function runKubectl(bin: string, kubeconfig: string, args: string[], o: KubectlOptions = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(bin, ['--kubeconfig', kubeconfig, ...args], { timeout: o.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr: err && (err as { killed?: boolean }).killed ? `${stderr}\n(kubectl timed out)` : stderr });
      });
    child.stdin?.end(o.input ?? '');
  });
}

/** Polls fn until it returns a value other than undefined; throws with the last value seen after timeoutMs. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) { last = err; }
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs / 1000}s${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
