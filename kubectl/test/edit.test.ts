// kubectl edit with an EDITOR script, ours and the real kubectl 1.32 on twin objects ("real-*" and
// "ours-*") of one API server: the same messages, exit codes, saved files and resulting objects.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync, readdirSync, readFileSync, chmodSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startEnv, type Env, type Result } from './helpers.ts';
import { editHeader, manualStrip, stripComments, editorArgs, createMergePatch, validateEdited, editPatch } from '../src/cmd/edit.ts';

const main = resolve(import.meta.dirname, '../src/main.ts');
let env: Env;

function run(who: 'real' | 'ours', args: string[], editor: string): Promise<Result> {
  const tmp = join(env.work, `tmp-${who}`);
  mkdirSync(tmp, { recursive: true });
  const cmd = who === 'real' ? 'kubectl' : process.execPath;
  const argv = who === 'real'
    ? ['--kubeconfig', env.server.kubeconfig, '--cache-dir', join(env.work, 'cache'), ...args]
    : [main, '--kubeconfig', env.server.kubeconfig, ...args];
  return new Promise((done) => {
    execFile(cmd, argv, { cwd: env.work, timeout: 60_000, env: { ...process.env, KUBECONFIG: '', KUBE_EDITOR: '', EDITOR: editor, TMPDIR: tmp } }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Both kubectls edit their own twin; outputs normalised (names, temp file names, per-object fields). */
async function pair(args: (name: string) => string[], editor: string) {
  const norm = (r: Result, who: string) => {
    const f = (s: string) => s.replaceAll(`${who}-`, 'X-').replace(/kubectl-edit-\d+/g, 'kubectl-edit-N').replaceAll(join(env.work, `tmp-${who}`), 'TMP')
      .replace(/^( *"?(uid|resourceVersion|creationTimestamp)"?:).*$/gm, '$1 <v>');
    return { code: r.code, stdout: f(r.stdout), stderr: f(r.stderr) };
  };
  const real = await run('real', args('real-'), editor);
  const ours = await run('ours', args('ours-'), editor);
  return { real: norm(real, 'real'), ours: norm(ours, 'ours') };
}

/** The files each kubectl left in its TMPDIR (sorted contents, normalised), then clears them. */
function keptFiles(): { real: string[]; ours: string[] } {
  const read = (who: string) => {
    const dir = join(env.work, `tmp-${who}`);
    const out = readdirSync(dir).filter((n) => n.startsWith('kubectl-edit-')).map((n) => readFileSync(join(dir, n), 'utf8')
      .replaceAll(`${who}-`, 'X-').replace(/^( *"?(uid|resourceVersion|creationTimestamp)"?:).*$/gm, '$1 <v>')
      .replace(/\\"namespace\\":\\"default\\"/g, 'NS')).sort();
    for (const n of readdirSync(dir)) rmSync(join(dir, n), { force: true });
    return out;
  };
  return { real: read('real'), ours: read('ours') };
}

function script(name: string, body: string): string {
  const p = join(env.work, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

async function live(who: string, name: string): Promise<{ labels: unknown; image: unknown }> {
  const r = await env.server.req('GET', `/api/v1/namespaces/default/pods/${who}-${name}`);
  return { labels: r.json.metadata.labels, image: r.json.spec.containers.map((c: { image: string }) => c.image) };
}

beforeAll(async () => {
  env = await startEnv();
  for (const who of ['real', 'ours']) {
    for (const name of ['web', 'bad', 'fix', 'syn', 'patch']) {
      const r = await env.server.req('POST', '/api/v1/namespaces/default/pods', {
        body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${who}-${name}`, labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'busybox' }, { name: 'd', image: 'nginx' }] } },
      });
      expect(r.status).toBe(201);
    }
    const c = await env.server.req('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${who}-cm` }, data: { a: '1', b: '2' } } });
    expect(c.status).toBe(201);
  }
}, 60_000);
afterAll(async () => { await env?.stop(); });

describe('kubectl edit (golden, same EDITOR script)', () => {
  it('saving unchanged cancels, exit 0, and leaves no file', async () => {
    const { real, ours } = await pair((n) => ['edit', 'pod', `${n}web`], 'true');
    expect(ours).toEqual(real);
    expect(ours).toEqual({ code: 0, stdout: '', stderr: 'Edit cancelled, no changes made.\n' });
    expect(keptFiles()).toEqual({ real: [], ours: [] });
  }, 60_000);

  it('the editor sees the object under the upstream header, and a change is patched: "pod/x edited"', async () => {
    const ed = script('ed-change.sh', `cp "$1" "$1.seen"
sed -i -e 's/^    app: web$/    app: shop/' -e '/^    tier: front$/d' -e 's/^  - image: nginx$/  - image: nginx:1.27/' "$1"`);
    const { real, ours } = await pair((n) => ['edit', `pod/${n}web`], ed);
    expect(ours).toEqual(real);
    expect(ours.stdout).toBe('pod/X-web edited\n');
    expect(await live('ours', 'web')).toEqual(await live('real', 'web'));
    expect(await live('ours', 'web')).toEqual({ labels: { app: 'shop' }, image: ['busybox', 'nginx:1.27'] });
    const seen = keptFiles();
    expect(seen.ours).toEqual(seen.real);
    expect(seen.ours[0].startsWith("# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit. If an error occurs while saving this file will be\n# reopened with the relevant failures.\n#\napiVersion: v1\nkind: Pod\n")).toBe(true);
  }, 60_000);

  it('an invalid change reopens the file with the server\'s causes; saved unchanged again, the copy is kept and it fails', async () => {
    const ed = script('ed-bad.sh', `sed -i 's/^  - image: busybox$/  - image: ""/' "$1"`);
    const { real, ours } = await pair((n) => ['edit', 'pod', `${n}bad`], ed);
    expect(ours).toEqual(real);
    expect(ours.code).toBe(1);
    expect(ours.stderr).toBe('error: pods "X-bad" is invalid\nA copy of your changes has been stored to "TMP/kubectl-edit-N.yaml"\nerror: Edit cancelled, no valid changes were saved.\n');
    const kept = keptFiles();
    expect(kept.ours).toEqual(kept.real);
    expect(kept.ours.length).toBe(2);
    expect(kept.ours.some((f) => f.includes('#\n# pods "X-bad" was not valid:\n# * spec.containers[0].image: Required value\n#\napiVersion: v1\n'))).toBe(true);
    expect(await live('ours', 'bad')).toEqual({ labels: { app: 'web', tier: 'front' }, image: ['busybox', 'nginx'] });
  }, 60_000);

  it('an invalid change fixed on the second pass is patched', async () => {
    const ed = script('ed-fix.sh', `if grep -q 'was not valid' "$1"; then sed -i -e 's/^  - image: ""$/  - image: busybox:1.37/' "$1"; else sed -i 's/^  - image: busybox$/  - image: ""/' "$1"; fi`);
    const { real, ours } = await pair((n) => ['edit', 'pod', `${n}fix`], ed);
    expect(ours).toEqual(real);
    expect(ours).toEqual({ code: 0, stdout: 'pod/X-fix edited\n', stderr: 'error: pods "X-fix" is invalid\n' });
    expect(await live('ours', 'fix')).toEqual({ labels: { app: 'web', tier: 'front' }, image: ['busybox:1.37', 'nginx'] });
    expect(keptFiles()).toEqual({ real: [], ours: [] });
  }, 60_000);

  it('a file that fails client-side validation (no kind) is reopened with the reason', async () => {
    const ed = script('ed-nokind.sh', `sed -i '/^kind: Pod$/d' "$1"`);
    const { real, ours } = await pair((n) => ['edit', 'pod', `${n}syn`], ed);
    expect(ours).toEqual(real);
    expect(ours.code).toBe(1);
    const kept = keptFiles();
    expect(kept.ours).toEqual(kept.real);
    expect(kept.ours.some((f) => f.includes('# pods "X-syn" was not valid:\n# * <nil>: Invalid value: "The edited file failed validation": kind not set\n#\n'))).toBe(true);
  }, 60_000);

  it('renaming the object is refused and the copy is kept', async () => {
    const ed = script('ed-name.sh', `sed -i -E 's/^  name: (.*)$/  name: \\1zz/' "$1"`);
    const { real, ours } = await pair((n) => ['edit', 'pod', `${n}web`], ed);
    expect(ours).toEqual(real);
    expect(ours.stderr).toBe('A copy of your changes has been stored to "TMP/kubectl-edit-N.yaml"\nerror: At least one of apiVersion, kind and name was changed\n');
    keptFiles();
  }, 60_000);

  it('-o json edits JSON without a header and prints the result as JSON', async () => {
    const ed = script('ed-json.sh', `cp "$1" "$1.seen"; sed -i -E 's/"a": "1"/"a": "10"/' "$1"`);
    const { real, ours } = await pair((n) => ['edit', `cm/${n}cm`, '-o', 'json'], ed);
    expect(ours).toEqual(real);
    expect(ours.stdout).toContain('"data": {\n        "a": "10",\n        "b": "2"\n    },');
    const cm = await env.server.req('GET', '/api/v1/namespaces/default/configmaps/ours-cm');
    expect(cm.json.data).toEqual({ a: '10', b: '2' });
    const kept = keptFiles();
    expect(kept.ours).toEqual(kept.real);
    expect(kept.ours[0].startsWith('{\n    "apiVersion": "v1",\n')).toBe(true);
  }, 60_000);

  it('-f names the objects (fetched fresh) and --output-patch prints the strategic merge patch', async () => {
    for (const who of ['real', 'ours']) writeFileSync(join(env.work, `${who}-patch.yaml`), `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${who}-patch\n`);
    const ed = script('ed-patch.sh', `sed -i -e 's/^    app: web$/    app: web2/' -e 's/^  - image: busybox$/  - image: busybox:1.36/' -e '/^    tier: front$/d' "$1"`);
    const { real, ours } = await pair((n) => ['edit', '-f', `${n}patch.yaml`, '--output-patch'], ed);
    expect(ours).toEqual(real);
    expect(ours.stdout).toBe('Patch: {"metadata":{"labels":{"app":"web2","tier":null}},"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"d"}],"containers":[{"image":"busybox:1.36","name":"c"}]}}\npod/X-patch edited\n');
    expect(await live('ours', 'patch')).toEqual(await live('real', 'patch'));
  }, 60_000);

  for (const [title, args, editor] of [
    ['a missing object', (n: string) => ['edit', 'pod', `${n}nope`], 'true'],
    ['no arguments', () => ['edit'], 'true'],
    ['-o name', (n: string) => ['edit', `pod/${n}web`, '-o', 'name'], 'true'],
    ['an editor that fails', (n: string) => ['edit', `pod/${n}web`], 'false'],
    ['an editor that is not on PATH', (n: string) => ['edit', `pod/${n}web`], 'no-such-editor-k8ts'],
  ] as const) {
    it(`reports ${title} as kubectl does`, async () => {
      const { real, ours } = await pair(args, editor);
      expect(ours).toEqual(real);
      expect(ours.code).toBe(1);
    }, 60_000);
  }
});

describe('edit helpers', () => {
  it('writes reasons under the header as comments', () => {
    expect(editHeader([{ head: 'pods "x" was not valid', other: ['spec: Required value', 'a\nb'] }, { head: 'plain', other: [] }]).split('\n').slice(4).join('\n'))
      .toBe('# pods "x" was not valid:\n# * spec: Required value\n# * a\n# b\n#\n# plain\n#\n');
  });
  it('strips comments but keeps shebangs; compares documents, not layout', () => {
    expect(manualStrip('# a\nx: 1\n  # b\n#!keep\n')).toBe('x: 1\n#!keep\n');
    expect(stripComments('# c\na: 1\nb: [1, 2]\n')).toBe(stripComments('a: 1\nb:\n- 1\n- 2\n'));
    expect(stripComments('a: [\n# c\n')).toBe('a: [\n');
  });
  it('validates like the strict client schema', () => {
    expect(validateEdited('\n')).toBe('invalid object to validate');
    expect(validateEdited('kind: Pod\n')).toBe('apiVersion not set');
    expect(validateEdited('apiVersion: v1\n')).toBe('kind not set');
    expect(validateEdited('apiVersion: v1\nkind: Pod\n')).toBeUndefined();
    expect(validateEdited('a: [\n')).toMatch(/^yaml: line \d+: /);
  });
  it('derives the editor command as kubectl does', () => {
    expect(editorArgs({ EDITOR: 'nano' })).toEqual({ args: ['nano'], shell: false });
    expect(editorArgs({ KUBE_EDITOR: 'code --wait', EDITOR: 'nano' })).toEqual({ args: ['code', '--wait'], shell: false });
    expect(editorArgs({ EDITOR: 'emacs -nw "x"', SHELL: '/bin/zsh' })).toEqual({ args: ['/bin/zsh', '-c', 'emacs -nw "x"'], shell: true });
    expect(editorArgs({})).toEqual({ args: ['vi'], shell: false });
  });
  it('patches built-in kinds with the strategic merge patch the real kubectl sends', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b', app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }, { name: 'd', image: 'nginx' }] } };
    const edited = { ...pod, metadata: { name: 'p', labels: { app: 'web2' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }, { name: 'd', image: 'nginx' }] } };
    const { patch, contentType } = editPatch('Pod', pod, edited);
    expect(contentType).toBe('application/strategic-merge-patch+json');
    // Observed from kubectl 1.32 (-v=8) for the same edit.
    expect(JSON.stringify(patch)).toBe('{"metadata":{"labels":{"a":null,"app":"web2"}},"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"d"}],"containers":[{"image":"busybox:1.36","name":"c"}]}}');
    expect(editPatch('Widget', { kind: 'Widget', spec: { x: [1] } }, { kind: 'Widget', spec: { x: [2] } })).toEqual({ patch: { spec: { x: [2] } }, contentType: 'application/merge-patch+json' });
    expect(() => editPatch('Pod', pod, { ...pod, metadata: { name: 'q' } })).toThrow('At least one of apiVersion, kind and name was changed');
  });
  it('computes JSON merge patches for kinds without patch metadata', () => {
    expect(createMergePatch({ a: 1, b: { c: 1, d: 2 }, e: [1] }, { a: 1, b: { c: 2 }, e: [2], f: 'x' })).toEqual({ b: { c: 2, d: null }, e: [2], f: 'x' });
  });
});
