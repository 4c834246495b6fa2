// The real kubectl on this machine against the API server on real etcd, as a new user would try it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './harness.ts';

let s: TestServer;
let work: string;
beforeAll(async () => {
  s = await startTestServer();
  work = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-'));
});
afterAll(async () => {
  await s?.stop();
  rmSync(work, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', s.kubeconfig, '--cache-dir', join(work, 'cache'), ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const podYaml = (image: string) => `apiVersion: v1
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
`;

describe('real kubectl', () => {
  it('reports the server version it dispatches on', async () => {
    const r = await kubectl('version', '-o', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).serverVersion).toMatchObject({ major: '1', minor: '32' });
  });
  it('applies a pod (create, configure, unchanged)', async () => {
    const f = join(work, 'pod.yaml');
    writeFileSync(f, podYaml('nginx:1.25'));
    let r = await kubectl('apply', '-f', f);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('pod/nginx created');
    writeFileSync(f, podYaml('nginx:1.26'));
    r = await kubectl('apply', '-f', f);
    expect(r.stdout.trim()).toBe('pod/nginx configured');
    r = await kubectl('apply', '-f', f, '-v=8');
    const sent = r.stderr.split('\n').filter((l) => l.includes('Request Body') && l.includes('{'));
    expect({ out: r.stdout.trim(), sent }).toEqual({ out: 'pod/nginx unchanged', sent: [] });
    r = await kubectl('get', 'pod', 'nginx', '-o', 'jsonpath={.spec.containers[0].image}');
    expect(r.stdout).toBe('nginx:1.26');
  });
  it('gets in table, wide, yaml, json and name forms', async () => {
    let r = await kubectl('get', 'pods');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(r.stdout).toMatch(/nginx\s+0\/1\s+Pending\s+0\s+\d+s/);
    r = await kubectl('get', 'pods', '-o', 'wide');
    expect(r.stdout.split('\n')[0]).toMatch(/NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES/);
    r = await kubectl('get', 'pod', 'nginx', '-o', 'yaml');
    expect(r.stdout).toContain('kind: Pod');
    expect(r.stdout).toContain('restartPolicy: Always');
    r = await kubectl('get', 'pod', 'nginx', '-o', 'json');
    expect(JSON.parse(r.stdout).metadata.name).toBe('nginx');
    r = await kubectl('get', 'pods,svc', '-o', 'name');
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['pod/nginx', 'service/kubernetes']));
    r = await kubectl('get', 'pods', '-A');
    expect(r.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME/);
    r = await kubectl('get', 'pod', 'nope');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
  });
  it('shows an invalid object as upstream does', async () => {
    const f = join(work, 'bad.yaml');
    writeFileSync(f, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: c\n');
    const r = await kubectl('apply', '-f', f);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The Pod "bad" is invalid: spec.containers[0].image: Required value');
  });
  it('watches with get -w', async () => {
    const cm = (name: string) => { const f = join(work, `${name}.yaml`); writeFileSync(f, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`); return f; };
    expect((await kubectl('apply', '-f', cm('first'))).code).toBe(0);
    const child = spawn('kubectl', ['--kubeconfig', s.kubeconfig, '--cache-dir', join(work, 'cache'), 'get', 'configmaps', '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    try {
      await until(() => /^NAME\s+DATA\s+AGE$/m.test(out) && out.includes('first'), 10_000);
      const r = await kubectl('apply', '-f', cm('watched'));
      expect(r.stdout.trim()).toBe('configmap/watched created');
      await until(() => /watched\s+1\s+/.test(out), 10_000);
    } finally {
      child.kill('SIGTERM');
    }
  });
  it('describes a pod', async () => {
    const r = await kubectl('describe', 'pod', 'nginx');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+nginx$/m);
    expect(r.stdout).toMatch(/^Namespace:\s+default$/m);
    expect(r.stdout).toMatch(/^Status:\s+Pending$/m);
    expect(r.stdout).toContain('Containers:');
  });
  it('scales a deployment', async () => {
    const f = join(work, 'deploy.yaml');
    writeFileSync(f, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox
`);
    expect((await kubectl('apply', '-f', f)).stdout.trim()).toBe('deployment.apps/web created');
    // Lists such as containers merge by key (the OpenAPI carries x-kubernetes-patch-merge-key): no spurious patch.
    expect((await kubectl('apply', '-f', f)).stdout.trim()).toBe('deployment.apps/web unchanged');
    const r = await kubectl('scale', 'deployment', 'web', '--replicas=3');
    expect(r.stdout.trim()).toBe('deployment.apps/web scaled');
    expect((await kubectl('get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}')).stdout).toBe('3');
    const g = await kubectl('get', 'deploy');
    expect(g.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
  });
  it('dry-runs on the server (--dry-run=server): answers as for real, writes nothing', async () => {
    const cm = join(work, 'dry-cm.yaml');
    writeFileSync(cm, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\ndata:\n  a: b\n');
    const before = async () => JSON.stringify([
      (await kubectl('get', 'pods,deploy,cm', '-o', 'json')).stdout,
    ]);
    const state = await before();
    let r = await kubectl('apply', '--dry-run=server', '-f', cm);
    expect(r).toEqual({ code: 0, stdout: 'configmap/dry created (server dry run)\n', stderr: '' });
    r = await kubectl('create', '--dry-run=server', '-f', cm, '-o', 'json');
    const created = JSON.parse(r.stdout);
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toBeTruthy();
    expect(created.metadata.resourceVersion).toBeUndefined();
    writeFileSync(join(work, 'dry-deploy.yaml'), (await kubectl('get', 'deploy', 'web', '-o', 'yaml')).stdout.replace('image: busybox', 'image: busybox:1.37'));
    r = await kubectl('apply', '--dry-run=server', '-f', join(work, 'dry-deploy.yaml'));
    expect(r.stdout).toBe('deployment.apps/web configured (server dry run)\n');
    r = await kubectl('scale', 'deploy', 'web', '--replicas=5', '--dry-run=server');
    expect(r).toEqual({ code: 0, stdout: 'deployment.apps/web scaled (server dry run)\n', stderr: '' });
    r = await kubectl('label', 'pod', 'nginx', 'dry=run', '--dry-run=server');
    expect(r).toEqual({ code: 0, stdout: 'pod/nginx labeled (server dry run)\n', stderr: '' });
    r = await kubectl('delete', 'pod', 'nginx', '--dry-run=server');
    expect(r).toEqual({ code: 0, stdout: 'pod "nginx" deleted (server dry run)\n', stderr: '' });
    r = await kubectl('delete', 'deploy', 'web', '--dry-run=server', '--cascade=foreground');
    expect(r).toEqual({ code: 0, stdout: 'deployment.apps "web" deleted (server dry run)\n', stderr: '' });
    // A Service shows the cluster IP and node port it would get; a taken one fails as for real.
    const svc = (ip = '') => { const f = join(work, 'dry-svc.yaml'); writeFileSync(f, `apiVersion: v1\nkind: Service\nmetadata:\n  name: dry\nspec:\n  type: NodePort\n  ${ip ? `clusterIP: ${ip}\n  ` : ''}selector: {app: web}\n  ports:\n  - port: 80\n`); return f; };
    r = await kubectl('create', '--dry-run=server', '-f', svc(), '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}');
    expect(r.stdout).toMatch(/^10\.(9[6-9]|1[01][0-9])\.\d+\.\d+ 3[0-2]\d{3}$/);
    r = await kubectl('create', '--dry-run=server', '-f', svc('10.96.0.1'));
    expect(r.stderr).toContain('The Service "dry" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated');
    r = await kubectl('delete', 'cm', '--all', '--dry-run=server');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^(configmap "[a-z0-9.-]+" deleted \(server dry run\)\n)+$/);
    const evict = await s.req('POST', '/api/v1/namespaces/default/pods/nginx/eviction', { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'nginx' }, deleteOptions: { dryRun: ['All'] } } });
    expect(evict.status).toBe(201);
    const badDry = await s.req('DELETE', '/api/v1/namespaces/default/pods/nginx', { body: { kind: 'DeleteOptions', apiVersion: 'v1', dryRun: ['Some'] } });
    expect([badDry.status, badDry.json.message]).toEqual([400, 'dryRun: Unsupported value: "Some": supported values: "All"']);
    // A dry run fails as the real request would: the name is taken, the object is invalid.
    r = await kubectl('create', '--dry-run=server', '-f', join(work, 'dry-deploy.yaml'));
    expect(r.stderr).toBe(`Error from server (AlreadyExists): error when creating "${join(work, 'dry-deploy.yaml')}": deployments.apps "web" already exists\n`);
    writeFileSync(join(work, 'dry-bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers: []\n');
    r = await kubectl('apply', '--dry-run=server', '-f', join(work, 'dry-bad.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The Pod "bad" is invalid: spec.containers: Required value');
    r = await kubectl('delete', 'pod', 'nope', '--dry-run=server');
    expect(r.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
    expect(await before()).toBe(state);
  });
  it('deletes', async () => {
    const r = await kubectl('delete', 'pod', 'nginx');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('pod "nginx" deleted');
    expect((await kubectl('get', 'pod', 'nginx')).code).toBe(1);
  });
});

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
