// kubectl cluster-info against the real kubectl 1.32: the control plane line, the kube-system services
// labelled kubernetes.io/cluster-service=true (proxy links, https guess, load balancer ingress), -n.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { startEnv, both, type Env, type Result } from './helpers.ts';

let env: Env;
const svc = (name: string, labels: Record<string, string>, ports: object[], namespace = 'kube-system') => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels: { 'kubernetes.io/cluster-service': 'true', ...labels } },
  spec: { ports },
});

beforeAll(async () => {
  env = await startEnv();
  const s = env.server;
  const create = async (o: ReturnType<typeof svc>) => {
    const r = await s.req('POST', `/api/v1/namespaces/${o.metadata.namespace}/services`, { body: o });
    expect(r.status, r.text).toBe(201);
    return r.json;
  };
  await create(svc('kube-dns', { 'kubernetes.io/name': 'CoreDNS' }, [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }]));
  await create(svc('metrics-server', {}, [{ port: 443, targetPort: 4443 }]));
  await create(svc('dashboard', {}, [{ name: 'https', port: 8443 }]));
  await create(svc('plain', {}, [{ port: 80 }]));
  await create(svc('not-cluster', { 'kubernetes.io/cluster-service': 'false' }, [{ port: 80 }]));
  await create(svc('elsewhere', {}, [{ name: 'http', port: 80 }], 'default'));
  const lb = await create({ ...svc('ingress', {}, [{ name: 'http', port: 80 }, { name: 'https', port: 443 }]), spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } } as ReturnType<typeof svc>);
  const st = await s.req('PUT', '/api/v1/namespaces/kube-system/services/ingress/status', { body: { ...lb, status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } } });
  expect(st.status, st.text).toBe(200);
}, 60_000);
afterAll(async () => { await env?.stop(); });

describe('cluster-info matches kubectl 1.32', () => {
  for (const args of [['cluster-info'], ['cluster-info', '-n', 'default'], ['cluster-info', '-n', 'nope'], ['cluster-info', 'extra']]) {
    it(args.join(' '), async () => {
      const { real, ours } = await both(env, args);
      expect(ours).toEqual(real);
      if (args.length === 1) {
        expect(ours.stdout).toContain('CoreDNS is running at https://127.0.0.1:');
        expect(ours.stdout).toContain('/api/v1/namespaces/kube-system/services/https:metrics-server:/proxy\n');
        expect(ours.stdout).toContain('ingress is running at http://203.0.113.7:80 http://203.0.113.7:443 \n');
        expect(ours.stdout).not.toContain('not-cluster');
      }
    }, 30_000);
  }

  it('prints the same on a terminal (script(1) gives both a pty)', async () => {
    const main = resolve(import.meta.dirname, '../src/main.ts');
    const inPty = (cmd: string) => new Promise<Result>((done) => {
      execFile('script', ['-qec', cmd, '/dev/null'], { cwd: env.work, env: { ...process.env, TERM: 'xterm', KUBECONFIG: '' } }, (err, stdout, stderr) => {
        done({ code: err ? Number(err.code) || 1 : 0, stdout, stderr });
      });
    });
    const q = (s: string) => `'${s}'`;
    const [real, ours] = await Promise.all([
      inPty(`kubectl --kubeconfig ${q(env.server.kubeconfig)} --cache-dir ${q(env.work + '/cache')} cluster-info`),
      inPty(`${q(process.execPath)} ${q(main)} --kubeconfig ${q(env.server.kubeconfig)} cluster-info`),
    ]);
    expect(ours.stdout).toContain('Kubernetes control plane is running at');
    expect(ours).toEqual(real);
  }, 30_000);

  it('cluster-info dump is reported as not implemented', async () => {
    const r = await env.ours(['cluster-info', 'dump']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cluster-info dump is not implemented');
  }, 30_000);
});
