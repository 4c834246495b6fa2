// Runs our kubectl and the real kubectl 1.32 as child processes against a real API server, and compares.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestServer, type TestServer } from '../../apiserver/test/harness.ts';

export interface Result { code: number; stdout: string; stderr: string }

const main = resolve(import.meta.dirname, '../src/main.ts');

export interface Env {
  server: TestServer;
  work: string;
  ours(args: string[], stdin?: string): Promise<Result>;
  real(args: string[], stdin?: string): Promise<Result>;
  stop(): Promise<void>;
}

function exec(cmd: string, args: string[], stdin: string | undefined, cwd: string): Promise<Result> {
  return new Promise((done) => {
    const child = execFile(cmd, args, { timeout: 60_000, cwd, env: { ...process.env, KUBECONFIG: '' } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

export async function startEnv(): Promise<Env> {
  const server = await startTestServer();
  const work = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-test-'));
  return {
    server, work,
    ours: (args, stdin) => exec(process.execPath, [main, '--kubeconfig', server.kubeconfig, ...args], stdin, work),
    real: (args, stdin) => exec('kubectl', ['--kubeconfig', server.kubeconfig, '--cache-dir', join(work, 'cache'), ...args], stdin, work),
    async stop() {
      try {
        await server.stop();
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

const ageToken = /(?<=^|\s)(\d+(s|m|h|d|y)(\d+(s|m|h|d))?|<invalid>)(?=\s|$)/gm;

/** Replaces human ages ("5s", "3m20s") and collapses the padding that depends on their width. */
export function normaliseAges(s: string): string {
  return s.replace(ageToken, '<age>').replace(/ {2,}/g, '  ');
}

/**
 * Runs both kubectls at once and returns both results; when they differ only by ages (a second
 * boundary passed between them) it retries, then compares with ages normalised.
 */
export async function both(env: Env, args: string[], stdin?: string): Promise<{ real: Result; ours: Result; same: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const [real, ours] = await Promise.all([env.real(args, stdin), env.ours(args, stdin)]);
    const same = real.code === ours.code && real.stdout === ours.stdout && real.stderr === ours.stderr;
    if (same || attempt === 2) return { real, ours, same };
    const agesOnly = real.code === ours.code && normaliseAges(real.stdout) === normaliseAges(ours.stdout) && real.stderr === ours.stderr;
    if (!agesOnly) return { real, ours, same };
  }
}
