// kubectl completion bash: the script is sourced in a real bash (child process) and its completion
// function is called as bash calls it on TAB; it asks our kubectl's hidden __complete command, which
// proposes subcommands and flags from the command tree and resource types and names from the server.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startEnv, type Env } from './helpers.ts';

let env: Env;
let bin: string;
const main = resolve(import.meta.dirname, '../src/main.ts');

beforeAll(async () => {
  env = await startEnv();
  bin = join(env.work, 'bin');
  mkdirSync(bin);
  // A `kubectl` on PATH that is ours: the script runs "${COMP_WORDS[0]}" __complete ...
  writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\nexec '${process.execPath}' '${main}' "$@"\n`, { mode: 0o755 });
  for (const [ns, name] of [['default', 'web-1'], ['default', 'web-2'], ['default', 'db-0'], ['other', 'web-9']]) {
    if (ns !== 'default') await env.server.req('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    const r = await env.server.req('POST', `/api/v1/namespaces/${ns}/pods`, { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    expect(r.status, r.text).toBe(201);
  }
}, 60_000);
afterAll(async () => { await env?.stop(); });

function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile('bash', ['--norc', '--noprofile', '-c', script], {
      cwd: env.work, timeout: 60_000,
      env: { PATH: `${bin}:${process.env.PATH}`, HOME: env.work, KUBECONFIG: env.server.kubeconfig },
    }, (err, stdout, stderr) => done({ code: err ? Number(err.code) || 1 : 0, stdout, stderr }));
  });
}

/** COMPREPLY for the command line `words` (the last word is the one being completed). */
async function completions(words: string[]): Promise<string[]> {
  const arr = words.map((w) => `'${w}'`).join(' ');
  const r = await bash(`source <(kubectl completion bash) || exit 9
COMP_WORDS=(${arr}); COMP_CWORD=${words.length - 1}
COMP_LINE="\${COMP_WORDS[*]}"; COMP_POINT=\${#COMP_LINE}
__k8ts_kubectl_complete
printf '%s\\n' "\${COMPREPLY[@]}"`);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

describe('completion bash', () => {
  it('registers a completion function for kubectl', async () => {
    const r = await bash('source <(kubectl completion bash) && complete -p kubectl');
    expect(r.stdout.trim()).toBe('complete -F __k8ts_kubectl_complete kubectl');
  }, 30_000);

  it('completes subcommands', async () => {
    expect(await completions(['kubectl', 'ge'])).toEqual(['get']);
    expect(await completions(['kubectl', 'ex'])).toEqual(['exec', 'explain']);
    const all = await completions(['kubectl', '']);
    for (const c of ['apply', 'get', 'describe', 'explain', 'cluster-info', 'completion', 'config']) expect(all).toContain(c);
    expect(all).not.toContain('__complete');
    expect(await completions(['kubectl', 'config', ''])).toEqual(['current-context', 'delete-context', 'get-contexts', 'rename-context', 'set-cluster', 'set-context', 'set-credentials', 'use-context', 'view']);
  }, 60_000);

  it('completes flags of the command and the global flags', async () => {
    expect(await completions(['kubectl', 'get', '--show-'])).toEqual(['--show-labels', '--show-kind', '--show-managed-fields']);
    expect(await completions(['kubectl', 'get', 'pods', '--names'])).toEqual(['--namespace']);
    expect(await completions(['kubectl', 'explain', '--rec'])).toEqual(['--recursive']);
  }, 60_000);

  it('completes resource types and object names from the server', async () => {
    const types = await completions(['kubectl', 'get', 'dep']);
    expect(types).toEqual(['deployments.apps']);
    expect(await completions(['kubectl', 'get', 'pods', 'web'])).toEqual(['web-1', 'web-2']);
    expect(await completions(['kubectl', '-n', 'other', 'describe', 'pods', ''])).toEqual(['web-9']);
    expect(await completions(['kubectl', 'get', 'pods', '--namespace', 'ot'])).toEqual(['other']);
    expect(await completions(['kubectl', 'get', 'pods', '-o', 'ya'])).toEqual(['yaml']);
  }, 60_000);

  it('rejects shells other than bash as kubectl does', async () => {
    for (const [args, msg] of [[[], 'Shell not specified.'], [['zsh', 'x'], 'Too many arguments. Expected only the shell type.'], [['foo'], 'Unsupported shell type "foo".']] as const) {
      const r = await env.ours(['completion', ...args]);
      expect(r).toEqual({ code: 1, stdout: '', stderr: `error: ${msg}\nSee 'kubectl completion -h' for help and examples\n` });
    }
  }, 60_000);
});
