// kubectl config set-context / set-cluster / set-credentials / delete-context / rename-context: the same
// commands run by our kubectl and the real kubectl 1.32 on copies of one kubeconfig; messages, exit codes
// and the written files must be identical.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCA } from '../../apiserver/src/pki/index.ts';

const main = resolve(import.meta.dirname, '../src/main.ts');
let work: string;

interface Result { code: number; stdout: string; stderr: string }
function run(cmd: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, timeout: 30_000, env: { ...process.env, KUBECONFIG: '', HOME: cwd } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const START = `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:1
    certificate-authority-data: QUJD
- name: rel
  cluster: {server: https://127.0.0.1:2, certificate-authority: certs/ca.crt}
users:
- name: u1
  user: {token: abc}
- name: basic
  user: {username: me, password: secret}
contexts:
- name: ctx1
  context: {cluster: c1, user: u1, namespace: default}
- name: other
  context: {cluster: rel, user: basic}
current-context: ctx1
unknown-field: dropped
`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'k8ts-config-set-'));
  for (const side of ['real', 'ours']) {
    mkdirSync(join(work, side, 'certs'), { recursive: true });
    writeFileSync(join(work, side, 'certs', 'ca.crt'), 'CA\n');
    writeFileSync(join(work, side, 'client.crt'), 'CERT\n');
    writeFileSync(join(work, side, 'client.key'), 'KEY\n');
  }
});
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

/** Runs the same command list on both sides, each on its own copy of `start`, comparing each step. */
async function sameSteps(name: string, steps: string[][], start: string | undefined = START): Promise<void> {
  const dirs = { real: join(work, 'real'), ours: join(work, 'ours') };
  for (const d of Object.values(dirs)) {
    const p = join(d, `${name}.yaml`);
    if (start === undefined) rmSync(p, { force: true }); else writeFileSync(p, start);
  }
  for (const args of steps) {
    const full = (d: string) => ['--kubeconfig', `${name}.yaml`, ...args.map((a) => a.replaceAll('$DIR', d))];
    const [real, ours] = await Promise.all([
      run('kubectl', ['--cache-dir', join(work, 'cache'), ...full(dirs.real)], dirs.real),
      run(process.execPath, [main, ...full(dirs.ours)], dirs.ours),
    ]);
    expect({ args, ...ours }).toEqual({ args, ...real });
    const file = (d: string) => (existsSync(join(d, `${name}.yaml`)) ? readFileSync(join(d, `${name}.yaml`), 'utf8') : '<none>');
    expect({ args, file: file(dirs.ours) }).toEqual({ args, file: file(dirs.real) });
  }
}

describe('config writes, same as the real kubectl', () => {
  it('set-context creates, modifies, --current', () => sameSteps('ctx', [
    ['config', 'set-context', 'new', '--cluster', 'c1', '--user', 'u2'],
    ['config', 'set-context', 'new', '--namespace=y'],
    ['config', 'set-context', '--current', '--namespace', 'kube-system'],
    ['config', 'set-context', 'other', '--namespace='],
    ['config', 'set-context', 'bare'],
    ['config', 'set-context', 'x', '--current'],
  ]), 60_000);
  it('set-context errors', () => sameSteps('ctxerr', [
    ['config', 'set-context', '--current'],
    ['config', 'set-context'],
  ], 'apiVersion: v1\nkind: Config\n'), 60_000);
  it('set-context on a missing file creates it', () => sameSteps('fresh', [
    ['config', 'set-context', 'first', '--cluster=c'],
  ], undefined), 60_000);
  it('set-cluster', () => sameSteps('cluster', [
    ['config', 'set-cluster', 'c2', '--server=https://1.2.3.4', '--insecure-skip-tls-verify=true'],
    ['config', 'set-cluster', 'c1', '--insecure-skip-tls-verify=true'],
    ['config', 'set-cluster', 'c3', '--certificate-authority=certs/ca.crt', '--tls-server-name=api'],
    ['config', 'set-cluster', 'c4', '--certificate-authority=$DIR/certs/ca.crt', '--embed-certs'],
    ['config', 'set-cluster', 'c5', '--certificate-authority=/etc/hostname', '--proxy-url=http://proxy:3128'],
    ['config', 'set-cluster', 'c2', '--insecure-skip-tls-verify=false', '--server', 'https://5.6.7.8'],
    ['config', 'set-cluster', 'c6', '--insecure-skip-tls-verify', '--certificate-authority=x'],
  ]), 60_000);
  it('set-credentials', () => sameSteps('creds', [
    ['config', 'set-credentials', 'u2', '--token=t'],
    ['config', 'set-credentials', 'basic', '--token=t2'],
    ['config', 'set-credentials', 'u1', '--username=a', '--password=b'],
    ['config', 'set-credentials', 'u3', '--client-certificate=client.crt', '--client-key=$DIR/client.key'],
    ['config', 'set-credentials', 'u4', '--client-certificate=client.crt', '--client-key=client.key', '--embed-certs=true'],
    ['config', 'set-credentials', 'u5', '--client-certificate=/etc/hostname'],
    ['config', 'set-credentials', 'u6', '--token=t', '--username=a'],
  ]), 60_000);
  it('delete-context and rename-context', () => sameSteps('rename', [
    ['config', 'rename-context', 'ctx1', 'main'],
    ['config', 'rename-context', 'other', 'main'],
    ['config', 'rename-context', 'nope', 'x'],
    ['config', 'delete-context', 'other'],
    ['config', 'delete-context', 'main'],
    ['config', 'delete-context', 'nope'],
    ['config', 'view'],
  ]), 60_000);
});

// go-yaml v2 reads yes/no/on/off as booleans; clientcmd then decodes into typed fields and refuses a wrong type.
const YAML11 = `apiVersion: v1
kind: Config
clusters:
- name: strict
  cluster: {server: https://127.0.0.1:1, insecure-skip-tls-verify: no}
- name: loose
  cluster: {server: https://127.0.0.1:2, insecure-skip-tls-verify: yes, disable-compression: on}
users:
- name: u1
  user: {token: abc, as-groups: [a, b]}
contexts:
- name: ctx1
  context: {cluster: strict, user: u1, namespace: "no"}
current-context: ctx1
`;

describe('reading kubeconfig values, same as the real kubectl', () => {
  it('yes/no/on are booleans; config view prints and selects as kubectl does', () => sameSteps('yaml11', [
    ['config', 'view'],
    ['config', 'view', '-o', 'json'],
    ['config', 'view', '-o', 'jsonpath={.clusters[*].cluster}'],
    ['config', 'view', '-o', 'name'],
    ['config', 'view', '-o', 'jsonpath='],
    ['config', 'view', '-o', 'foo'],
    ['config', 'set-context', 'ctx1', '--namespace=x'],
    ['config', 'use-context', 'ctx1'],
  ], YAML11), 60_000);
  const wrongTypes: [string, string][] = [
    ['quoted', YAML11.replace('insecure-skip-tls-verify: no', 'insecure-skip-tls-verify: "no"')],
    ['number', YAML11.replace('server: https://127.0.0.1:1', 'server: 5')],
    ['name', YAML11.replace('- name: loose', '- name: 7')],
    ['list', YAML11.replace('current-context: ctx1', 'current-context: [ctx1]')],
    ['groups', YAML11.replace('as-groups: [a, b]', 'as-groups: [a, 5]')],
    ['context', YAML11.replace('namespace: "no"', 'namespace: no')],
    ['clusters', 'clusters: 5\n'],
  ];
  for (const [name, text] of wrongTypes) {
    it(`a value of the wrong type fails the file: ${name}`, () => sameSteps(`wrong-${name}`, [
      ['config', 'view'],
      ['config', 'set-context', 'ctx1', '--namespace=x'],
      ['get', 'pods'],
    ], text), 60_000);
  }
});

describe('failing to reach the server', () => {
  /** Our kubectl and the real one on one kubeconfig: exit code, stdout and the last line of stderr (the real one logs
   * its discovery retries first). */
  async function lastLines(name: string, text: string): Promise<{ code: number; stdout: string; lastLine?: string }[]> {
    return Promise.all((['real', 'ours'] as const).map(async (side) => {
      const d = join(work, side);
      writeFileSync(join(d, `${name}.yaml`), text);
      const args = ['--kubeconfig', `${name}.yaml`, 'get', 'pods'];
      const r = side === 'real'
        ? await run('kubectl', ['--cache-dir', join(work, 'cache'), ...args], d)
        : await run(process.execPath, [main, ...args], d);
      return { code: r.code, stdout: r.stdout, lastLine: r.stderr.trimEnd().split('\n').at(-1) };
    }));
  }
  const config = (cluster: string) => `clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", ${cluster}}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`;

  it('a refused connection', async () => {
    const ca = await createCA();
    const [real, ours] = await lastLines('refused', config(`certificate-authority-data: ${Buffer.from(ca.certPem).toString('base64')}`));
    expect(ours).toEqual(real);
    expect(ours).toEqual({ code: 1, stdout: '', lastLine: 'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?' });
  }, 60_000);

  it('a CA bundle without a certificate', async () => {
    const [real, ours] = await lastLines('badca', config('certificate-authority-data: QUJD'));
    expect(ours).toEqual(real);
    expect(ours).toEqual({ code: 1, stdout: '', lastLine: 'error: unable to load root certificates: unable to parse bytes as PEM block' });
  }, 60_000);
});
