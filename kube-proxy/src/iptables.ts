// The one adapter to the kernel: runs iptables, iptables-save and iptables-restore (optionally behind
// a command prefix such as `ip netns exec NAME`, which the tests use). Only KUBE-* chains and the
// jump rules into them are ever written.
import { spawn } from 'node:child_process';
import { chainsFromSave, cleanupRuleset, jumpArgs, jumpRules, type Table } from './jumps.ts';

export interface ExecResult { code: number; stdout: string; stderr: string }

export function exec(cmd: readonly string[], input?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (child.stdin) {
      // A command that exits before reading its input reports its own error; EPIPE adds nothing.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }
  });
}

export class IptablesError extends Error {
  readonly result: ExecResult;
  constructor(what: string, r: ExecResult) {
    super(`${what} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    this.result = r;
  }
}

export class Iptables {
  private readonly prefix: string[];

  /** `prefix` is prepended to every command (e.g. ['ip', 'netns', 'exec', 'ns1']). */
  constructor(prefix: readonly string[] = []) {
    this.prefix = [...prefix];
  }

  private async run(args: string[], input?: string): Promise<ExecResult> {
    return exec([...this.prefix, ...args], input);
  }

  /** iptables-save of one table. */
  async save(table: Table): Promise<string> {
    const r = await this.run(['iptables-save', '-t', table]);
    if (r.code !== 0) throw new IptablesError(`iptables-save -t ${table}`, r);
    return r.stdout;
  }

  /** The chains present in a table. */
  async chains(table: Table): Promise<Set<string>> {
    return chainsFromSave(await this.save(table));
  }

  /** iptables-restore --noflush: replaces only the chains the input declares. */
  async restore(text: string): Promise<void> {
    const r = await this.run(['iptables-restore', '-w', '--noflush', '--counters'], text);
    if (r.code !== 0) throw new IptablesError('iptables-restore', r);
  }

  /** Creates kube-proxy's top-level chains and prepends the jump rules to them unless present. */
  async ensureJumps(): Promise<void> {
    for (const j of jumpRules) {
      const n = await this.run(['iptables', '-w', '-t', j.table, '-N', j.dstChain]);
      if (n.code !== 0 && !/exists/i.test(n.stderr)) throw new IptablesError(`iptables -t ${j.table} -N ${j.dstChain}`, n);
      const check = await this.run(['iptables', '-w', '-t', j.table, '-C', j.srcChain, ...jumpArgs(j)]);
      if (check.code === 0) continue;
      const ins = await this.run(['iptables', '-w', '-t', j.table, '-I', j.srcChain, ...jumpArgs(j)]);
      if (ins.code !== 0) throw new IptablesError(`iptables -t ${j.table} -I ${j.srcChain}`, ins);
    }
  }

  /** --cleanup: deletes the jump rules, then flushes and deletes kube-proxy's chains. */
  async cleanup(): Promise<void> {
    for (const j of jumpRules) {
      // Delete every copy; -D fails once none is left (or the chain does not exist).
      for (let i = 0; i < 10; i++) {
        const d = await this.run(['iptables', '-w', '-t', j.table, '-D', j.srcChain, ...jumpArgs(j)]);
        if (d.code !== 0) break;
      }
    }
    const text = cleanupRuleset(await this.save('nat'), await this.save('filter'));
    if (text) await this.restore(text);
  }
}
