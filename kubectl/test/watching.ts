// Long-running kubectl commands (get -w, events -w) as child processes: wait for output, then SIGINT.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Env, Result } from './helpers.ts';

const main = resolve(import.meta.dirname, '../src/main.ts');

export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout satisfies `test` (rejects after `ms`). */
  until(test: (out: string) => boolean, ms?: number): Promise<void>;
  /** Sends SIGINT and resolves with the exit code and output. */
  interrupt(): Promise<Result>;
  exited: Promise<Result>;
}

export function start(env: Env, who: 'real' | 'ours', args: string[]): Running {
  const [cmd, argv] = who === 'real'
    ? ['kubectl', ['--kubeconfig', env.server.kubeconfig, '--cache-dir', join(env.work, 'cache'), ...args]]
    : [process.execPath, [main, '--kubeconfig', env.server.kubeconfig, ...args]];
  const child = spawn(cmd, argv, { cwd: env.work, env: { ...process.env, KUBECONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (d) => { out += d; for (const w of [...waiters]) w(); });
  child.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<Result>((done) => child.on('exit', (code, signal) => done({ code: code ?? (signal ? 128 : 1), stdout: out, stderr: err })));
  return {
    child, exited,
    stdout: () => out,
    stderr: () => err,
    until(test, ms = 20_000) {
      return new Promise((resolveWait, reject) => {
        const check = () => {
          if (!test(out)) return;
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          resolveWait();
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`${who} kubectl ${args.join(' ')}: timed out; stdout so far:\n${out}\nstderr:\n${err}`));
        }, ms);
        waiters.push(check);
        check();
      });
    },
    async interrupt() {
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

/** Lines of output. */
export const lines = (s: string) => s.split('\n').filter((l) => l !== '').length;
/** Lines ended by their newline (kubectl may write a line's text and its newline in two writes). */
export const completeLines = (s: string) => s.split('\n').length - 1;
/** Whether a whole line (ended by its newline) contains `text`: kubectl may write a row in several writes. */
export const hasLine = (s: string, text: string) => s.split('\n').slice(0, -1).some((l) => l.includes(text));
