// Runs a kubectl against a cluster: the real kubectl on this machine, or this repository's.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KubectlResult { code: number; stdout: string; stderr: string }

export interface KubectlOptions {
  /** Text for stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  timeoutMs?: number;
}

/** A kubectl command line: the program and the arguments before kubectl's own. */
export interface KubectlBinary { cmd: string; prefix: string[] }

export const realKubectl: KubectlBinary = { cmd: process.env.K8TS_E2E_KUBECTL ?? 'kubectl', prefix: [] };

/** This repository's kubectl (kubectl/src/main.ts), run by the current node. */
export const ourKubectl: KubectlBinary = {
  cmd: process.execPath, prefix: [join(dirname(fileURLToPath(import.meta.url)), '../../kubectl/src/main.ts')],
};

export function runKubectl(bin: KubectlBinary, kubeconfig: string, args: string[], o: KubectlOptions = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(bin.cmd, [...bin.prefix, '--kubeconfig', kubeconfig, ...args], { timeout: o.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
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
