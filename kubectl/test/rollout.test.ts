// kubectl rollout status|history|undo|restart|pause|resume: ours against the real kubectl on the same
// state (namespace "real" for the real one, "ours" for ours), on a real API server and etcd. There is no
// Deployment controller here: the tests create the ReplicaSets and write the Deployment's status themselves.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { startEnv, type Env, type Result } from './helpers.ts';
import { deploymentStatus, statefulSetStatus, daemonSetStatus } from '../src/cmd/rollout/viewers.ts';
import { replicaSetForRevision, equalIgnoreHash } from '../src/cmd/rollout/replicasets.ts';
import { rfc3339, restartMutation } from '../src/cmd/rollout/restart.ts';

let env: Env;
const namespaces = ['real', 'ours'] as const;
type Ns = typeof namespaces[number];

const template = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'web', ...(hash ? { 'pod-template-hash': hash } : {}) } },
  spec: { containers: [{ name: 'web', image }] },
});

async function req(method: string, path: string, body?: unknown, contentType?: string): Promise<any> {
  const r = await env.server.req(method, path, { body, contentType });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

async function setStatus(ns: string, status: Record<string, unknown>): Promise<void> {
  await req('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web/status`, { status }, 'application/merge-patch+json');
}

async function createDeployment(ns: string): Promise<void> {
  const d = await req('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2', team: 'a' } },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('nginx:1.27') },
  });
  const owner = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true };
  const rs = (name: string, revision: string, image: string, hash: string, extra: Record<string, string>, owned = true) => req('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name, labels: { app: 'web', 'pod-template-hash': hash },
      annotations: { 'deployment.kubernetes.io/revision': revision, ...extra },
      ownerReferences: owned ? [owner] : undefined,
    },
    spec: { replicas: 0, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: template(image, hash) },
  });
  await rs('web-aaa', '1', 'nginx:1.26', 'aaa', { 'kubernetes.io/change-cause': 'kubectl set image deploy/web web=nginx:1.26', 'deployment.kubernetes.io/desired-replicas': '3', owner: 'one' });
  await rs('web-bbb', '2', 'nginx:1.27', 'bbb', {});
  // Matches the selector but belongs to nobody: not part of the history.
  await rs('web-stray', '5', 'nginx:9', 'zzz', {}, false);
}

beforeAll(async () => {
  env = await startEnv();
  for (const ns of namespaces) {
    await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await createDeployment(ns);
  }
}, 60_000);
afterAll(async () => { await env?.stop(); });

/** Same command, real kubectl on namespace "real", ours on "ours"; outputs normalised to "NS". */
async function pair(args: string[]): Promise<{ real: Result; ours: Result }> {
  const [real, ours] = await Promise.all([env.real(['-n', 'real', ...args]), env.ours(['-n', 'ours', ...args])]);
  const norm = (r: Result, ns: string) => ({ code: r.code, stdout: r.stdout.replaceAll(ns, 'NS'), stderr: r.stderr.replaceAll(ns, 'NS') });
  return { real: norm(real, 'real'), ours: norm(ours, 'ours') };
}

async function deployment(ns: string): Promise<any> {
  return req('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`);
}

describe('rollout history', () => {
  const cases: string[][] = [
    ['rollout', 'history', 'deployment/web'],
    ['rollout', 'history', 'deploy', 'web', '--revision=1'],
    ['rollout', 'history', 'deploy/web', '--revision', '2'],
    ['rollout', 'history', 'deploy/web', '--revision=9'],
    ['rollout', 'history', 'deploy/web', '-o', 'name'],
    ['rollout', 'history', 'deploy/nope'],
    ['rollout', 'history', 'rs/web-aaa'],
    ['rollout', 'history'],
  ];
  for (const args of cases) {
    it(args.slice(2).join(' '), async () => {
      const { real, ours } = await pair(args);
      expect(ours).toEqual(real);
    }, 30_000);
  }
  it('-o yaml prints the revision\'s ReplicaSet', async () => {
    const { real, ours } = await pair(['rollout', 'history', 'deploy/web', '-o', 'yaml', '--revision=1']);
    const ids = (r: Result) => ({ ...r, stdout: r.stdout.replace(/(uid|resourceVersion|creationTimestamp): "?[-\w:]+"?$/gm, '$1: X') });
    expect(ids(ours)).toEqual(ids(real));
    expect(ours.stdout).toMatch(/^apiVersion: apps\/v1\nkind: ReplicaSet\n/);
  }, 30_000);
  it('prints the table from the owned ReplicaSets only', async () => {
    const r = await env.ours(['-n', 'ours', 'rollout', 'history', 'deploy/web']);
    expect(r).toEqual({ code: 0, stderr: '', stdout: 'deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         kubectl set image deploy/web web=nginx:1.26\n2         <none>\n\n' });
  }, 30_000);
});

describe('rollout undo, pause, resume, restart', () => {
  const steps: string[][] = [
    ['rollout', 'undo', 'deploy/web', '--to-revision=9'],
    ['rollout', 'undo', 'deploy/web', '--to-revision=2'],
    ['rollout', 'pause', 'deploy/web'],
    ['rollout', 'pause', 'deploy/web'],
    ['rollout', 'undo', 'deploy/web'],
    ['rollout', 'restart', 'deploy/web'],
    ['rollout', 'resume', 'deploy/web'],
    ['rollout', 'resume', 'deploy/web'],
    ['rollout', 'undo', 'deployment', 'web'],
    ['rollout', 'undo', 'deploy/web'],
    ['rollout', 'restart', 'rs/web-aaa'],
    ['rollout', 'pause', 'rs/web-aaa'],
    ['rollout', 'restart', 'deploy', '-l', 'app=none'],
  ];
  for (const args of steps) {
    it(args.slice(1).join(' '), async () => {
      const { real, ours } = await pair(args);
      expect(ours).toEqual(real);
    }, 30_000);
  }

  it('the rollback left the same Deployment behind', async () => {
    const [real, ours] = await Promise.all([deployment('real'), deployment('ours')]);
    expect(ours.spec.template).toEqual(real.spec.template);
    expect(ours.metadata.annotations).toEqual(real.metadata.annotations);
    expect(ours.spec.paused).toBe(real.spec.paused);
    expect(ours.spec.template.spec.containers[0].image).toBe('nginx:1.26');
    expect(ours.spec.template.metadata.labels).toEqual({ app: 'web' });
    // The revision's annotations, but the Deployment's own revision annotation; "team" is dropped.
    expect(ours.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '2', owner: 'one',
      'kubernetes.io/change-cause': 'kubectl set image deploy/web web=nginx:1.26',
    });
  }, 30_000);

  it('restart stamps restartedAt with the current time', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const [real, ours] = await Promise.all([env.real(['-n', 'real', 'rollout', 'restart', 'deploy/web']), env.ours(['-n', 'ours', 'rollout', 'restart', 'deploy/web'])]);
    expect(ours).toEqual(real);
    expect(ours.stdout).toBe('deployment.apps/web restarted\n');
    const at = (await deployment('ours')).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(at)).toBeLessThanOrEqual(Date.now());
    const realAt = (await deployment('real')).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];
    expect(Math.abs(Date.parse(realAt) - Date.parse(at))).toBeLessThan(10_000);
  }, 30_000);
});

/** A running kubectl whose output can be awaited line by line. */
function running(cmd: string, args: string[]) {
  const child = spawn(cmd, args, { cwd: env.work, env: { ...process.env, KUBECONFIG: '' } });
  let stdout = '', stderr = '';
  const waiters: (() => void)[] = [];
  const poke = () => { for (const w of waiters.splice(0)) w(); };
  child.stdout.on('data', (c) => { stdout += c; poke(); });
  child.stderr.on('data', (c) => { stderr += c; poke(); });
  const exited = new Promise<number>((done) => child.on('close', (code) => { poke(); done(code ?? 1); }));
  return {
    get stdout() { return stdout; },
    async lines(n: number): Promise<void> {
      const deadline = Date.now() + 20_000;
      while (stdout.split('\n').length - 1 < n && child.exitCode === null) {
        if (Date.now() > deadline) throw new Error(`waited for ${n} lines, have: ${stdout}`);
        await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
      }
    },
    async result(): Promise<Result> { const code = await exited; return { code, stdout, stderr }; },
    kill() { child.kill(); },
  };
}

const main = resolve(import.meta.dirname, '../src/main.ts');
function watchers(args: string[]) {
  return {
    real: running('kubectl', ['--kubeconfig', env.server.kubeconfig, '--cache-dir', join(env.work, 'cache'), '-n', 'real', ...args]),
    ours: running(process.execPath, [main, '--kubeconfig', env.server.kubeconfig, '-n', 'ours', ...args]),
  };
}

describe('rollout status', () => {
  it('--watch=false prints the current state for each stage of a rollout', async () => {
    const stages: Record<string, unknown>[] = [
      { observedGeneration: 0 },
      { observedGeneration: 99, replicas: 4, updatedReplicas: 1, availableReplicas: 3 },
      { updatedReplicas: 3 },
      { replicas: 3, availableReplicas: 2 },
      { availableReplicas: 3 },
    ];
    for (const s of stages) {
      for (const ns of namespaces) await setStatus(ns, s);
      const { real, ours } = await pair(['rollout', 'status', 'deploy/web', '--watch=false']);
      expect(ours).toEqual(real);
    }
    const { ours } = await pair(['rollout', 'status', 'deploy/web', '--watch=false']);
    expect(ours.stdout).toBe('deployment "web" successfully rolled out\n');
    for (const args of [['--revision=2'], ['--revision=3'], ['deploy/nope'], ['rs/web-aaa'], ['-l', 'app=none', 'deploy']]) {
      const a = args[0].startsWith('--') ? ['rollout', 'status', 'deploy/web', '--watch=false', ...args] : ['rollout', 'status', '--watch=false', ...args];
      const { real, ours } = await pair(a);
      expect(ours, args.join(' ')).toEqual(real);
    }
  }, 60_000);

  it('follows the Deployment until it is rolled out', async () => {
    for (const ns of namespaces) await setStatus(ns, { observedGeneration: 99, replicas: 3, updatedReplicas: 1, availableReplicas: 3 });
    const w = watchers(['rollout', 'status', 'deployment', 'web', '--timeout=60s']);
    const stages: Record<string, unknown>[] = [
      { replicas: 4, updatedReplicas: 3, availableReplicas: 3 },
      { replicas: 3, updatedReplicas: 3, availableReplicas: 1 },
      { availableReplicas: 2 },
      { availableReplicas: 3 },
    ];
    try {
      let n = 1;
      for (const s of stages) {
        await Promise.all([w.real.lines(n), w.ours.lines(n)]);
        for (const ns of namespaces) await setStatus(ns, s);
        n++;
      }
      const [real, ours] = await Promise.all([w.real.result(), w.ours.result()]);
      expect(ours).toEqual(real);
      expect(ours.stdout).toBe([
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
        'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
        'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...',
        'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
        'deployment "web" successfully rolled out', '',
      ].join('\n'));
    } finally { w.real.kill(); w.ours.kill(); }
  }, 60_000);

  it('fails on an exceeded progress deadline while watching', async () => {
    for (const ns of namespaces) await setStatus(ns, { updatedReplicas: 2, availableReplicas: 2 });
    const w = watchers(['rollout', 'status', 'deploy/web']);
    try {
      await Promise.all([w.real.lines(1), w.ours.lines(1)]);
      for (const ns of namespaces) {
        await setStatus(ns, { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-bbb" has timed out progressing.' }] });
      }
      const [real, ours] = await Promise.all([w.real.result(), w.ours.result()]);
      expect(ours).toEqual(real);
      expect(ours.code).toBe(1);
      expect(ours.stderr).toBe('error: deployment "web" exceeded its progress deadline\n');
    } finally { w.real.kill(); w.ours.kill(); }
  }, 60_000);

  it('gives up after --timeout with exit code 1', async () => {
    for (const ns of namespaces) await setStatus(ns, { conditions: [], updatedReplicas: 1 });
    const start = Date.now();
    const { real, ours } = await pair(['rollout', 'status', 'deploy/web', '--timeout=2s']);
    expect(ours).toEqual(real);
    expect(ours.code).toBe(1);
    expect(ours.stderr).toBe('error: timed out waiting for the condition\n');
    expect(Date.now() - start).toBeGreaterThanOrEqual(2000);
  }, 60_000);
});

describe('rollout status of DaemonSets and StatefulSets', () => {
  const podTemplate = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  it('prints each stage as the real kubectl does', async () => {
    for (const ns of namespaces) {
      await req('POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'x' } }, template: podTemplate } });
      await req('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'x' } }, template: podTemplate } });
    }
    const stages: [string, Record<string, unknown>][] = [
      ['daemonsets/agent', {}],
      ['daemonsets/agent', { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 1, currentNumberScheduled: 3, numberMisscheduled: 0, numberReady: 1 }],
      ['daemonsets/agent', { updatedNumberScheduled: 3 }],
      ['daemonsets/agent', { numberAvailable: 3 }],
      ['statefulsets/db', { replicas: 0 }],
      ['statefulsets/db', { observedGeneration: 1, replicas: 3, readyReplicas: 1 }],
      ['statefulsets/db', { readyReplicas: 3, updatedReplicas: 3, currentRevision: 'db-1', updateRevision: 'db-2' }],
    ];
    for (const [what, status] of stages) {
      for (const ns of namespaces) await req('PATCH', `/apis/apps/v1/namespaces/${ns}/${what}/status`, { status }, 'application/merge-patch+json');
      for (const obj of ['ds/agent', 'sts/db']) {
        const { real, ours } = await pair(['rollout', 'status', obj, '--watch=false']);
        expect(ours, `${obj} after ${JSON.stringify(status)}`).toEqual(real);
      }
    }
    const { ours } = await pair(['rollout', 'status', 'ds/agent', '-w', '--timeout=5s']);
    expect(ours).toEqual({ code: 0, stdout: 'daemon set "agent" successfully rolled out\n', stderr: '' });
  }, 120_000);
});

describe('pure cores', () => {
  const d = (status: Record<string, unknown>, generation = 1, replicas = 3) => ({ metadata: { name: 'web', generation, annotations: { 'deployment.kubernetes.io/revision': '4' } }, spec: { replicas }, status });
  it('deployment status', () => {
    expect(deploymentStatus(d({ observedGeneration: 0 }), 0)).toEqual({ message: 'Waiting for deployment spec update to be observed...\n', done: false });
    expect(deploymentStatus(d({ observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), 4).done).toBe(true);
    expect(() => deploymentStatus(d({}), 3)).toThrow('desired revision (3) is different from the running revision (4)');
  });
  it('statefulset and daemonset status', () => {
    const sts = { metadata: { name: 's', generation: 2 }, spec: { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, status: { observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1 } };
    expect(statefulSetStatus(sts).message).toBe('Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...\n');
    expect(() => statefulSetStatus({ ...sts, spec: { updateStrategy: { type: 'OnDelete' } } })).toThrow('rollout status is only available for RollingUpdate strategy type');
    const ds = { metadata: { name: 'd', generation: 1 }, spec: {}, status: { observedGeneration: 1, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 } };
    expect(daemonSetStatus(ds).message).toBe('Waiting for daemon set "d" rollout to finish: 1 of 2 updated pods are available...\n');
  });
  it('revision choice and template equality', () => {
    const rs = (rev: string | undefined, name: string) => ({ metadata: { name, annotations: rev === undefined ? {} : { 'deployment.kubernetes.io/revision': rev } } });
    const rss = [rs('3', 'c'), rs('1', 'a'), rs('x', 'bad'), rs('2', 'b')];
    expect(replicaSetForRevision('web', rss, 0).metadata.name).toBe('b');
    expect(replicaSetForRevision('web', rss, 1).metadata.name).toBe('a');
    expect(() => replicaSetForRevision('web', [rs('1', 'a')], 0)).toThrow('no rollout history found for deployment "web"');
    expect(equalIgnoreHash(template('a', 'h1'), { ...template('a'), metadata: { labels: { app: 'web' }, creationTimestamp: null } })).toBe(true);
    expect(equalIgnoreHash(template('a', 'h1'), template('b'))).toBe(false);
  });
  it('a second restart within the same second has nothing to patch', () => {
    const now = new Date();
    const first = restartMutation(now)({ spec: { template: {} } }, 'Deployment');
    expect(first.patch).toBeDefined();
    const again = restartMutation(now)({ spec: { template: first.patch!.spec.template } }, 'Deployment');
    expect(again).toEqual({});
  });
  it('RFC 3339 as Go formats it', () => {
    expect(rfc3339(new Date(2026, 0, 2, 3, 4, 5))).toMatch(/^2026-01-02T03:04:05(Z|[+-]\d\d:\d\d)$/);
  });
});
