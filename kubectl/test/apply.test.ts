// apply, create and delete: our kubectl and the real one against the same server, in separate
// namespaces, must print the same and leave the same objects (last-applied annotation included).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEnv, type Env, type Result } from './helpers.ts';

let env: Env;
const file = (name: string, text: string) => { const p = join(env.work, name); writeFileSync(p, text); return name; };

const pod = (image: string) => `apiVersion: v1
kind: Pod
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  containers:
  - name: nginx
    image: ${image}
    ports:
    - containerPort: 80
  - name: sidecar
    image: busybox
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
`;

beforeAll(async () => {
  env = await startEnv();
  file('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: real\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ours\n');
  const r = await env.ours(['apply', '-f', 'ns.yaml']);
  expect(r).toEqual({ code: 0, stdout: 'namespace/real created\nnamespace/ours created\n', stderr: '' });
}, 60_000);
afterAll(async () => { await env?.stop(); });

/** Runs the same command with the real kubectl in namespace "real" and ours in "ours". */
async function pair(args: string[], stdin?: string): Promise<{ real: Result; ours: Result }> {
  const [real, ours] = await Promise.all([env.real(['-n', 'real', ...args], stdin), env.ours(['-n', 'ours', ...args], stdin)]);
  const norm = (r: Result) => ({ ...r, stdout: r.stdout.replaceAll('"real"', '"NS"'), stderr: r.stderr.replaceAll('"real"', '"NS"') });
  const normO = (r: Result) => ({ ...r, stdout: r.stdout.replaceAll('"ours"', '"NS"'), stderr: r.stderr.replaceAll('"ours"', '"NS"') });
  return { real: norm(real), ours: normO(ours) };
}

async function objectsIn(ns: string, what: string): Promise<unknown> {
  const r = await env.real(['get', what, '-n', ns, '-o', 'json']);
  const list = JSON.parse(r.stdout) as { items: Record<string, any>[] };
  return list.items.map((o) => {
    const m = o.metadata;
    return {
      kind: o.kind, name: m.name, labels: m.labels, generation: m.generation,
      annotations: JSON.parse(JSON.stringify(m.annotations ?? {}).replaceAll(`\\"namespace\\":\\"${ns}\\"`, '\\"namespace\\":\\"NS\\"')),
      spec: o.spec,
    };
  });
}

describe('kubectl apply', () => {
  it('creates, configures and leaves unchanged exactly as kubectl does', async () => {
    const twoContainers = (t: string) => t.replace('        image: nginx\n', '        image: nginx\n      - name: helper\n        image: busybox\n');
    const steps = [pod('nginx:1.25'), twoContainers(pod('nginx:1.25')), pod('nginx:1.26').replace('    app: nginx\n', '    app: nginx\n    tier: front\n')];
    for (const [i, text] of steps.entries()) {
      file(`pod${i}.yaml`, text);
      const { real, ours } = await pair(['apply', '-f', `pod${i}.yaml`]);
      expect(ours).toEqual(real);
      expect(await objectsIn('ours', 'pods,deploy')).toEqual(await objectsIn('real', 'pods,deploy'));
    }
    const r = await env.ours(['-n', 'ours', 'apply', '-f', 'pod2.yaml']);
    expect(r.stdout).toBe('pod/nginx unchanged\ndeployment.apps/web unchanged\n');
  }, 120_000);

  it('reads stdin, directories and multi-document files', async () => {
    const multi = '---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c2\ndata:\n  a: "1"\n';
    mkdirSync(join(env.work, 'dir'), { recursive: true });
    file('dir/a.yaml', multi.replaceAll('c1', 'd1').replaceAll('c2', 'd2'));
    file('dir/b.json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j1' }, data: { k: 'v' } }));
    file('dir/notes.txt', 'not a manifest');
    let p = await pair(['apply', '-f', '-'], multi);
    expect(p.ours).toEqual(p.real);
    expect(p.ours.stdout).toBe('configmap/c1 created\nconfigmap/c2 created\n');
    p = await pair(['apply', '-f', 'dir']);
    expect(p.ours).toEqual(p.real);
    expect(await objectsIn('ours', 'cm')).toEqual(await objectsIn('real', 'cm'));
  }, 120_000);

  it('applies the documents before a bad one, then reports it', async () => {
    file('mixed.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m1\n---\napiVersion: v1\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m2\n');
    for (const verb of ['apply', 'create']) {
      const { real, ours } = await pair([verb, '-f', 'mixed.yaml']);
      expect(ours, verb).toEqual(real);
      expect(ours.code).toBe(1);
      await pair(['delete', 'cm', 'm1']);
    }
  }, 120_000);

  it('reads YAML 1.1 values as kubectl does (sigs.k8s.io/yaml): octal modes, yes/on booleans, timestamps as strings', async () => {
    file('yaml11.yaml', `apiVersion: v1
kind: Pod
metadata:
  name: yaml11
  annotations:
    released: 2001-12-14
    at: 2001-12-14 21:59:43.10 -5
    span: 190:20:30
    quoted: "yes"
spec:
  terminationGracePeriodSeconds: 0x1E
  activeDeadlineSeconds: 1_000
  containers:
  - name: c
    image: busybox
    stdin: on
    tty: yes
    volumeMounts:
    - {name: cfg, mountPath: /cfg, readOnly: Y}
  volumes:
  - name: cfg
    configMap:
      name: cfg
      defaultMode: 0644
      optional: yes
`);
    const { real, ours } = await pair(['apply', '-f', 'yaml11.yaml']);
    expect(ours).toEqual(real);
    expect(ours).toEqual({ code: 0, stdout: 'pod/yaml11 created\n', stderr: '' });
    expect(await objectsIn('ours', 'pods')).toEqual(await objectsIn('real', 'pods'));
    const o = (await objectsIn('ours', 'pods') as { name: string; annotations: Record<string, string>; spec: any }[]).find((x) => x.name === 'yaml11')!;
    expect(o.spec.volumes[0].configMap).toEqual({ name: 'cfg', defaultMode: 420, optional: true });
    expect([o.spec.terminationGracePeriodSeconds, o.spec.activeDeadlineSeconds, o.spec.containers[0].tty]).toEqual([30, 1000, true]);
    expect(o.annotations).toMatchObject({ released: '2001-12-14', at: '2001-12-14 21:59:43.10 -5', span: '190:20:30', quoted: 'yes' });
    await pair(['delete', 'pod', 'yaml11', '--grace-period=0']);
    // What JSON cannot hold, and a boolean where the server wants a string.
    file('inf.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inf\ndata:\n  a: .inf\n');
    file('bool.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bool\ndata:\n  enabled: yes\n');
    for (const f of ['inf.yaml', 'bool.yaml']) {
      const p = await pair(['apply', '-f', f]);
      expect(p.ours, f).toEqual(p.real);
      expect(p.ours.code).toBe(1);
    }
  }, 120_000);

  it('reports manifest and server errors naming the file', async () => {
    file('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers: []\n');
    file('nokind.yaml', 'apiVersion: v1\nmetadata:\n  name: x\n');
    for (const args of [['apply', '-f', 'bad.yaml'], ['apply', '-f', 'nokind.yaml'], ['apply', '-f', 'missing.yaml'], ['apply'], ['create', '-f', 'bad.yaml'], ['apply', '-f', 'bad.yaml', 'pod'], ['create', '-f', 'bad.yaml', 'pod', 'x'], ['delete', '-f', 'bad.yaml', 'pod']]) {
      const { real, ours } = await pair(args);
      expect(ours, args.join(' ')).toEqual(real);
      expect(ours.code).toBe(1);
    }
  }, 120_000);
});

describe('kubectl create and delete', () => {
  it('creates, refuses duplicates, deletes by name, file, selector and --all', async () => {
    file('cms.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x1\n  labels: {t: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x2\n  labels: {t: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x3\n');
    const steps: string[][] = [
      ['create', '-f', 'cms.yaml'],
      ['create', '-f', 'cms.yaml'],
      ['delete', 'cm', 'x1'],
      ['delete', 'cm', 'x1'],
      ['delete', 'cm', '-l', 't=b'],
      ['delete', 'cm', '-l', 't=b'],
      ['delete', '-f', 'cms.yaml', '--ignore-not-found'],
      ['delete', 'cm'],
      ['apply', '-f', 'pod0.yaml'],
      ['delete', 'deploy/web', 'pod/nginx'],
      ['create', '-f', 'cms.yaml'],
      ['delete', 'cm', '--all'],
      ['delete', 'pod', 'nope'],
      ['create', '-f', 'cms.yaml'],
      ['apply', '-f', 'cms.yaml'],
      ['apply', '-f', 'cms.yaml'],
      ['delete', '-f', 'cms.yaml'],
    ];
    for (const args of steps) {
      const { real, ours } = await pair(args);
      expect(ours, args.join(' ')).toEqual(real);
    }
  }, 240_000);
});
