// Child processes k8ts starts (etcd, components): started detached in their own process group so that
// stop() ends exactly what we started, by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, openSync, closeSync, readFileSync, type WriteStream } from 'node:fs';

export interface Managed {
  pid: number;
  child: ChildProcess;
  /** Sends SIGTERM, then SIGKILL after graceMs; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
  /** Whether the process has exited (exited has resolved). */
  hasExited(): boolean;
  /**
   * The last few KiB of what the process wrote (empty for daemons); once it has exited, what it wrote up
   * to the end (waiting up to a second for its pipes to drain).
   */
  output(): Promise<string>;
}

export interface StartOptions {
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile?: string;
  cwd?: string;
  /** Outlives this process: output goes straight to logFile and the child is not waited for. */
  daemon?: boolean;
}

const OUTPUT_TAIL_BYTES = 4096;

export function startProcess(cmd: string, o: StartOptions): Managed {
  let log: WriteStream | undefined;
  const fd = o.daemon && o.logFile ? openSync(o.logFile, 'a') : undefined;
  const child = spawn(cmd, o.args, {
    env: o.env ?? process.env, cwd: o.cwd, detached: true,
    stdio: ['ignore', fd ?? (o.daemon ? 'ignore' : 'pipe'), fd ?? (o.daemon ? 'ignore' : 'pipe')],
  });
  let tail = '';
  const keep = (chunk: Buffer): void => { tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (fd !== undefined) {
    closeSync(fd);
    child.unref();
  } else if (o.logFile) {
    log = createWriteStream(o.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  let done = false;
  void exited.then(() => { done = true; });
  const drained = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    pid: child.pid ?? -1,
    child,
    exited,
    hasExited: () => done,
    async output() {
      if (done) await Promise.race([drained, new Promise((r) => setTimeout(r, 1000).unref())]);
      return tail;
    },
    async stop(graceMs = 5000) {
      if (done) return;
      try { process.kill(child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      const t = setTimeout(() => { try { process.kill(child.pid!, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
      await exited;
      clearTimeout(t);
      log?.end();
    },
  };
}

/** The last n lines of what a process wrote, for an error that says why it did not start. */
export function lastLines(output: string, n = 5): string {
  return output.trim().split('\n').slice(-n).join('\n').trim();
}

/** lastLines of a process's log file. */
export function logTail(file: string, n = 5): string {
  try { return lastLines(readFileSync(file, 'utf8'), n); } catch { return '(no log)'; }
}

/** Whether a server's output says it could not bind its address. */
export function saysAddressInUse(output: string): boolean {
  return /address already in use/i.test(output);
}
