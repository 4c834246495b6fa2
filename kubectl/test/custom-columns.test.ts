// kubectl get -o custom-columns / custom-columns-file against the real API server, compared with the real kubectl 1.32.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEnv, both, type Env } from './helpers.ts';
import { columnsFromSpec, columnsFromTemplate, goValue, printCustomColumns } from '../src/printers/custom-columns.ts';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
  const f = join(env.work, 'objs.yaml');
  writeFileSync(f, `apiVersion: v1
kind: Pod
metadata: {name: two, labels: {app: web, tier: front}, annotations: {n: "1"}}
spec:
  containers:
  - {name: a, image: "nginx:1.25", ports: [{containerPort: 80}, {containerPort: 443}]}
  - {name: sidecar-with-a-long-name, image: busybox, args: ["sleep", "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: a-pod-with-a-much-longer-name}
spec:
  containers: [{name: db, image: postgres, resources: {limits: {cpu: "1", memory: 1Gi}}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {k: v}
`);
  const r = await env.real(['apply', '-f', f]);
  expect(r.stderr).toBe('');
  writeFileSync(join(env.work, 'cols.txt'), 'NAME   IMAGES                      PORT\nmetadata.name  {.spec.containers[*].image}  .spec.containers[0].ports[*].containerPort\n');
  writeFileSync(join(env.work, 'bad.txt'), 'A B\n.x\n');
  writeFileSync(join(env.work, 'one.txt'), 'A B\n');
}, 60_000);
afterAll(async () => { await env?.stop(); });

async function expectSame(args: string[]): Promise<void> {
  const { real, ours } = await both(env, args);
  expect(ours).toEqual(real);
}

describe('get -o custom-columns, same as the real kubectl', () => {
  const cases: [string, string[]][] = [
    ['names and arrays', ['get', 'pods', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image']],
    ['missing values', ['get', 'pods', '-o', 'custom-columns=NAME:metadata.name,NODE:.spec.nodeName,APP:{.metadata.labels.app}']],
    ['maps, slices and numbers', ['get', 'pods', '-o', 'custom-columns=L:.metadata.labels,PORTS:.spec.containers[*].ports,P:.spec.containers[*].ports[*].containerPort,LIM:.spec.containers[0].resources']],
    ['index out of range is an error after the rows so far', ['get', 'pods', '-o', 'custom-columns=N:.metadata.name,C1:.spec.containers[1].name,F:.spec.containers[?(@.name=="db")].image,E:.spec.enableServiceLinks']],
    ['filters, booleans', ['get', 'pods', '-o', 'custom-columns=N:.metadata.name,F:.spec.containers[?(@.name=="db")].image,E:.spec.enableServiceLinks,Z:.spec.containers[0].ports[-1:]']],
    ['--no-headers', ['get', 'pods', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image']],
    ['single object', ['get', 'pod', 'two', '-o', 'custom-columns=NAME:.metadata.name,ARGS:.spec.containers[1].args']],
    ['several kinds', ['get', 'pods,configmaps', '-o', 'custom-columns=KIND:.kind,NAME:.metadata.name']],
    ['--sort-by', ['get', 'pods', '--sort-by=.metadata.name', '-o', 'custom-columns=NAME:.metadata.name']],
    ['no objects', ['get', 'services', '-l', 'nope=1', '-o', 'custom-columns=NAME:.metadata.name']],
    ['empty spec', ['get', 'pods', '-o', 'custom-columns=']],
    ['bad spec', ['get', 'pods', '-o', 'custom-columns=NAME']],
    ['bad path', ['get', 'pods', '-o', 'custom-columns=NAME:{.a}}']],
    ['file', ['get', 'pods', '-o', 'custom-columns-file=cols.txt']],
    ['file: kubectl prints its headers even with --no-headers', ['get', 'pods', '--no-headers', '-o', 'custom-columns-file=cols.txt']],
    ['file with mismatched columns', ['get', 'pods', '-o', 'custom-columns-file=bad.txt']],
    ['file without spec line', ['get', 'pods', '-o', 'custom-columns-file=one.txt']],
    ['missing file', ['get', 'pods', '-o', 'custom-columns-file=nope.txt']],
  ];
  for (const [name, args] of cases) it(name, () => expectSame(args), 30_000);
});

describe('custom-columns printer', () => {
  it('formats values as Go %v and aligns columns', () => {
    expect(goValue({ b: [1, 'x'], a: true })).toBe('map[a:true b:[1 x]]');
    expect(goValue(0.5)).toBe('0.5');
    expect(goValue(1e-7)).toBe('1e-07');
    const cols = columnsFromSpec('NAME:.metadata.name,X:.x[*]');
    expect(cols).toEqual([{ header: 'NAME', fieldSpec: '{.metadata.name}' }, { header: 'X', fieldSpec: '{.x[*]}' }]);
    expect(printCustomColumns(cols, { kind: 'List', items: [{ metadata: { name: 'a' }, x: [1, 2] }, { metadata: { name: 'bbbbbbbbbb' } }] }, false))
      .toBe('NAME         X\na            1,2\nbbbbbbbbbb   <none>\n');
    expect(columnsFromTemplate('A  B\n.a {.b}\n')).toEqual([{ header: 'A', fieldSpec: '{.a}' }, { header: 'B', fieldSpec: '{.b}' }]);
  });
});
