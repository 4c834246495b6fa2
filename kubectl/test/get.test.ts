// kubectl get against the real API server, compared with the real kubectl 1.32 byte for byte (ages aside).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEnv, both, normaliseAges, type Env } from './helpers.ts';

let env: Env;
const EDGE = {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"edge","labels":{"a10":"x","a9":"y","a1":"z","B":"1","b":"2","0":"4"}},"data":{
"long":"a long message with spaces that goes on and on, past eighty columns, surely it wraps somewhere here and keeps going for a while longer than that",
"longcolon":"containers with unready status: [nginx] and a long message with spaces that goes on and on past eighty columns",
"longnospace":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
"yes":"yes","no":"No","on":"on","tilde":"~","null":"null","num":"123","float":"1.5","exp":"1e3","hex":"0x1F","oct":"0777","neg":"-1","plus":"+1",
"date":"2024-01-01","ts":"2024-01-01T00:00:00Z","b60":"1:20","colon":"a:b","colonsp":"a: b","hash":"a #b","hash2":"a#b","star":"*","amp":"&x","dash":"- x","dash2":"-x",
"q":"'quoted'","dq":"say \"hi\"","lead":" lead","trail":"trail ","tab":"a\tb","uni":"héllo ☃","multi":"line1\nline2","multitrail":"line1\nline2\n","multi2":"a\n\nb\n\n","mlead":"  indented\nx",
"mtrailsp":"a \nb","empty":"","brace":"{x}","brack":"[x]","pct":"%x","at":"@x","bt":"`x","q2":"?x","q3":"? x","excl":"!x","pipe":"|x","gt":">x","comma":"a,b","dots":"...","dashes":"---x",
"longq":"\"a long message with spaces that goes on and on, past eighty columns, surely it wraps somewhere here and keeps going\"",
"ctrl":"a\u0001b","html":"<a href='x'>&</a>"}};
beforeAll(async () => {
  env = await startEnv();
  const f = join(env.work, 'objs.yaml');
  writeFileSync(f, `apiVersion: v1
kind: Pod
metadata: {name: nginx, labels: {app: nginx, tier: web}}
spec:
  containers: [{name: nginx, image: "nginx:1.25", ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: db, labels: {app: db}}
spec:
  containers: [{name: db, image: postgres}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {note: "a long note with spaces that goes on and on, past eighty columns: surely it wraps somewhere"}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx, args: ["--port=80", "yes", "8080", "*", ""]}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {script: "#!/bin/sh\\necho hi\\n", empty: "", num: "42", tab: "a\\tb", trailing: "x \\n"}
`);
  const r = await env.real(['apply', '-f', f]);
  expect(r.stderr).toBe('');
  // Strings that exercise go-yaml's quoting, folding and literal rules and Go's JSON escaping.
  writeFileSync(join(env.work, 'edge.json'), JSON.stringify(EDGE));
  const e = await env.real(['create', '-f', 'edge.json']);
  expect(e.stderr).toBe('');
}, 60_000);
afterAll(async () => { await env?.stop(); });

async function expectSame(args: string[]): Promise<void> {
  const { real, ours, same } = await both(env, args);
  expect({ code: ours.code, stderr: ours.stderr }).toEqual({ code: real.code, stderr: real.stderr });
  if (!same) expect(normaliseAges(ours.stdout)).toBe(normaliseAges(real.stdout));
  expect(ours.stdout.length).toBeGreaterThan(-1);
}

describe('kubectl get', () => {
  const cases: string[][] = [
    ['get', 'pods'],
    ['get', 'po', '-o', 'wide'],
    ['get', 'pods', '--show-labels'],
    ['get', 'pods', '-l', 'app=nginx'],
    ['get', 'pods', '-L', 'app,tier'],
    ['get', 'pods', '--field-selector', 'metadata.name=db'],
    ['get', 'pods', '-A'],
    ['get', 'pods', '-A', '--no-headers'],
    ['get', 'pods,svc'],
    ['get', 'pods,deploy', '-o', 'name'],
    ['get', 'pod/nginx', 'deploy/web'],
    ['get', 'pods', 'nginx', 'db'],
    ['get', 'all', '-A'],
    ['get', 'ns'],
    ['get', 'deployments.apps'],
    ['get', 'pods', '-o', 'yaml'],
    ['get', 'deploy', 'web', '-o', 'yaml'],
    ['get', 'cm', 'cfg', '-o', 'yaml'],
    ['get', 'cm', 'cfg', '-o', 'json'],
    ['get', 'deploy', 'web', '-o', 'json'],
    ['get', 'pod', 'nginx', '-o', 'name'],
    ['get', 'pods', '-l', 'app=none'],
    ['get', 'pods', '-l', 'app=none', '-o', 'json'],
    ['get', 'pods', '-l', 'app=none', '-o', 'yaml'],
    ['get', 'pods', '-n', 'kube-system'],
    ['get', 'nodes'],
    ['get', 'pods', '-A', '-l', 'app=none'],
    ['get', 'cm', 'edge', '-o', 'yaml'],
    ['get', 'cm', 'edge', '-o', 'json'],
    ['get', 'pods', '-o=jsonpath={.items[*].metadata.name}{"\\n"}'],
    ['get', 'pod', 'nginx', '-o', 'jsonpath={.spec.containers[0].image}'],
    ['get', 'pod', 'nginx', '-o', 'jsonpath={.metadata.labels} {.metadata.generation}'],
    ['get', 'pods', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\t"}{.spec.containers[*].image}{"\\n"}{end}'],
    ['get', 'pods', '-o', 'jsonpath={..image}'],
    ['get', 'deploy', '-o', 'jsonpath={.items[0].spec.template.spec.containers[?(@.name=="web")].args}'],
    ['get', 'pods', '--sort-by=.metadata.name'],
    ['get', 'pods', '-A', '--sort-by={.spec.containers[0].image}', '-o', 'name'],
    ['get', 'pods', '--sort-by=.metadata.labels.tier', '-o', 'yaml'],
    ['get', 'pods', '--sort-by=.metadata.labels.none', '-o', 'name'],
    ['get', 'pods', '--sort-by=.metadata.labels.none'],
    ['get', 'pod', 'nginx', '-o', 'yaml', '--show-managed-fields'],
    ['get', 'pods', '--bogus'],
    ['get'],
    ['get', 'pods', '-n'],
  ];
  for (const args of cases) {
    it(args.join(' '), () => expectSame(args), 30_000);
  }

  it('reports a missing object as the server says, exit 1', async () => {
    const { real, ours } = await both(env, ['get', 'pod', 'nope']);
    expect(ours.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
    expect(ours.code).toBe(1);
    expect(ours).toEqual(real);
  }, 30_000);

  it('prints what exists and the errors for what does not', () => expectSame(['get', 'pods', 'nginx', 'nope', 'db']), 30_000);

  it('rejects an unknown resource type', async () => {
    const { real, ours } = await both(env, ['get', 'foo']);
    expect(ours.stderr).toBe('error: the server doesn\'t have a resource type "foo"\n');
    expect(ours.code).toBe(1);
    expect(ours).toEqual(real);
  }, 30_000);

  it('sends the server-side Table columns upper-cased and padded', async () => {
    const r = await env.ours(['get', 'pods']);
    expect(r.stdout.split('\n')[0]).toBe('NAME    READY   STATUS    RESTARTS   AGE');
  }, 30_000);
});
