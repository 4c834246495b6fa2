// kubectl replace against the real API server, each step run by the real kubectl 1.32 on "real-*"
// objects and by ours on "ours-*" twins: same output, errors and exit codes, same objects after.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEnv, type Env, type Result } from './helpers.ts';

let env: Env;
beforeAll(async () => { env = await startEnv(); }, 60_000);
afterAll(async () => { await env?.stop(); });

const cm = (name: string, data: Record<string, string>, extra = '') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}${extra}
data: ${JSON.stringify(data)}
`;

/** Writes `manifest(prefix)` per side to a file named alike, runs `args(file)`, normalises prefixes and file names. */
async function pair(manifest: ((p: string) => string) | undefined, args: (file: string) => string[], stdin = false): Promise<{ real: Result; ours: Result }> {
  const go = async (who: 'real' | 'ours') => {
    const file = `${who}.yaml`;
    const text = manifest?.(`${who}-`);
    if (text !== undefined) writeFileSync(join(env.work, file), text);
    const r = await env[who](args(stdin ? '-' : file), stdin ? text : undefined);
    const f = (s: string) => s.replaceAll(`${who}-`, 'X-').replaceAll(file, 'FILE');
    return { code: r.code, stdout: f(r.stdout), stderr: f(r.stderr) };
  };
  const real = await go('real');
  const ours = await go('ours');
  return { real, ours };
}

async function data(name: string): Promise<unknown> {
  const r = await env.server.req('GET', `/api/v1/namespaces/default/configmaps/${name}`);
  return r.status === 200 ? r.json.data : r.status;
}

describe('kubectl replace (golden)', () => {
  const steps: [string, ((p: string) => string) | undefined, (file: string) => string[], Partial<Result>?][] = [
    ['a missing object is NotFound, with the file named', (p) => cm(`${p}a`, { v: '1' }), (f) => ['replace', '-f', f],
      { code: 1, stderr: 'Error from server (NotFound): error when replacing "FILE": configmaps "X-a" not found\n' }],
    ['create it', (p) => cm(`${p}a`, { v: '1' }), (f) => ['create', '-f', f], { code: 0 }],
    ['replace without a resourceVersion uses the live one', (p) => cm(`${p}a`, { v: '2' }), (f) => ['replace', '-f', f], { code: 0, stdout: 'configmap/X-a replaced\n' }],
    ['-o name', (p) => cm(`${p}a`, { v: '3' }), (f) => ['replace', '-f', f, '-o', 'name'], { code: 0, stdout: 'configmap/X-a\n' }],
    ['a stale resourceVersion is a Conflict', (p) => cm(`${p}a`, { v: '4' }, '\n  resourceVersion: "1"'), (f) => ['replace', '-f', f], { code: 1 }],
    ['--force deletes and creates', (p) => cm(`${p}a`, { v: '5' }), (f) => ['replace', '--force', '-f', f], { code: 0, stdout: 'configmap "X-a" deleted\nconfigmap/X-a replaced\n' }],
    ['--force on a missing object creates it', (p) => cm(`${p}b`, { v: '1' }), (f) => ['replace', '--force', '-f', f], { code: 0, stdout: 'configmap/X-b replaced\n' }],
    ['several objects: each one replaced or reported', (p) => `${cm(`${p}a`, { v: '6' })}---\n${cm(`${p}missing`, { v: '1' })}---\n${cm(`${p}b`, { v: '2' })}`, (f) => ['replace', '-f', f], { code: 1 }],
    ['--grace-period needs --force', (p) => cm(`${p}a`, { v: '7' }), (f) => ['replace', '-f', f, '--grace-period', '3'], { code: 1 }],
    ['-o wide is not a replace format', (p) => cm(`${p}a`, { v: '7' }), (f) => ['replace', '-f', f, '-o', 'wide'], { code: 1 }],
    ['no -f', undefined, () => ['replace'], { code: 1, stderr: 'error: must specify one of -f and -k\n' }],
    ['a missing file', undefined, () => ['replace', '-f', 'nope.yaml'], { code: 1 }],
  ];
  for (const [title, manifest, args, expected] of steps) {
    it(title, async () => {
      const { real, ours } = await pair(manifest, args);
      expect(ours).toEqual(real);
      if (expected) expect(ours).toMatchObject(expected);
    }, 60_000);
  }

  it('reads stdin with -f -', async () => {
    const { real, ours } = await pair((p) => cm(`${p}a`, { v: 'stdin' }), (f) => ['replace', '-f', f], true);
    expect(ours).toEqual(real);
    expect(ours).toEqual({ code: 0, stdout: 'configmap/X-a replaced\n', stderr: '' });
  }, 60_000);

  it('-o yaml prints the replaced object', async () => {
    const { real, ours } = await pair((p) => cm(`${p}a`, { v: 'yaml' }), (f) => ['replace', '-f', f, '-o', 'yaml']);
    const strip = (s: string) => s.replace(/^ {2}(uid|resourceVersion|creationTimestamp):.*$/gm, '');
    expect(strip(ours.stdout)).toBe(strip(real.stdout));
    expect(ours.stdout).toMatch(/^apiVersion: v1\ndata:\n {2}v: yaml\nkind: ConfigMap\n/);
  }, 60_000);

  it('-o yaml with several objects separates them with ---', async () => {
    const { real, ours } = await pair((p) => `${cm(`${p}a`, { v: 'y1' })}---\n${cm(`${p}b`, { v: 'y2' })}`, (f) => ['replace', '-f', f, '-o', 'yaml']);
    const strip = (s: string) => s.replace(/^ {2}(uid|resourceVersion|creationTimestamp):.*$/gm, '');
    expect(strip(ours.stdout)).toBe(strip(real.stdout));
    expect(ours.stdout.match(/^---$/gm)?.length).toBe(1);
  }, 60_000);

  it('--save-config stores the last-applied-configuration annotation', async () => {
    const { real, ours } = await pair((p) => cm(`${p}b`, { v: 'saved' }), (f) => ['replace', '-f', f, '--save-config']);
    expect(ours).toEqual(real);
    const ann = async (who: string) => {
      const r = await env.server.req('GET', `/api/v1/namespaces/default/configmaps/${who}-b`);
      return String(r.json.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).replaceAll(`${who}-`, 'X-');
    };
    expect(await ann('ours')).toBe(await ann('real'));
    expect(await ann('ours')).toBe('{"apiVersion":"v1","data":{"v":"saved"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"X-b","namespace":"default"}}\n');
  }, 60_000);

  it('left the same objects behind', async () => {
    for (const n of ['a', 'b', 'missing']) expect(await data(`ours-${n}`)).toEqual(await data(`real-${n}`));
    expect(await data('ours-a')).toEqual({ v: 'y1' });
    expect(await data('ours-b')).toEqual({ v: 'saved' });
  }, 30_000);
});
