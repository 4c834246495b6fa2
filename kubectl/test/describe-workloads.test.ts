// kubectl describe for controller-shaped workloads (a Deployment with conditions, new and old ReplicaSets
// and events; ReplicaSets with Controlled By and Pods Status) and the generic describer for kinds without
// their own, compared with the real kubectl 1.32 on the same objects.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startEnv, both, normaliseAges, type Env } from './helpers.ts';
import { smartLabelFor, camelcaseSplit, podStatusForController } from '../src/describe/generic.ts';

let env: Env;
const now = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');

async function req(method: string, path: string, body?: unknown, contentType?: string): Promise<any> {
  const r = await env.server.req(method, path, { body, contentType });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

async function event(ns: string, name: string, obj: { kind: string; apiVersion: string; name: string; uid: string }, reason: string, message: string, type = 'Normal', count = 1): Promise<void> {
  await req('POST', `/api/v1/namespaces/${ns}/events`, {
    metadata: { name }, involvedObject: { ...obj, namespace: ns }, reason, message, type, count,
    source: { component: obj.kind === 'Deployment' ? 'deployment-controller' : 'replicaset-controller' }, firstTimestamp: now, lastTimestamp: now,
  });
}

const template = (hash: string, image: string) => ({
  metadata: { labels: { app: 'web', 'pod-template-hash': hash } },
  spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 80 }], env: [{ name: 'MODE', value: 'prod' }] }] },
});

beforeAll(async () => {
  env = await startEnv();
  await req('POST', '/api/v1/namespaces', { metadata: { name: 'apps' } });
  const dep = await req('POST', '/apis/apps/v1/namespaces/apps/deployments', {
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'deployment.kubernetes.io/revision': '2' } },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: template('x', 'nginx:1.26').spec } },
  });
  await req('PATCH', '/apis/apps/v1/namespaces/apps/deployments/web/status', {
    status: {
      observedGeneration: 1, replicas: 4, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: now, lastTransitionTime: now },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-new" has successfully progressed.', lastUpdateTime: now, lastTransitionTime: now },
      ],
    },
  }, 'application/merge-patch+json');
  const dOwner = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: dep.metadata.uid, controller: true, blockOwnerDeletion: true };
  const rsNew = await req('POST', '/apis/apps/v1/namespaces/apps/replicasets', {
    metadata: { name: 'web-new', labels: { app: 'web', 'pod-template-hash': 'new' }, annotations: { 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/desired-replicas': '3' }, ownerReferences: [dOwner] },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'new' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'new' } }, spec: template('x', 'nginx:1.26').spec } },
  });
  await req('PATCH', '/apis/apps/v1/namespaces/apps/replicasets/web-new/status', {
    status: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 },
  }, 'application/merge-patch+json');
  await req('POST', '/apis/apps/v1/namespaces/apps/replicasets', {
    metadata: { name: 'web-old', labels: { app: 'web', 'pod-template-hash': 'old' }, annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [dOwner] },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'old' } }, template: template('old', 'nginx:1.25') },
  });
  await req('PATCH', '/apis/apps/v1/namespaces/apps/replicasets/web-old/status', {
    status: { replicas: 1, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: now }] },
  }, 'application/merge-patch+json');
  await req('POST', '/apis/apps/v1/namespaces/apps/replicasets', {
    metadata: { name: 'lonely', labels: { run: 'lonely' } },
    spec: { replicas: 0, selector: { matchExpressions: [{ key: 'run', operator: 'In', values: ['lonely'] }] }, template: { metadata: { labels: { run: 'lonely' } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1d'] }] } } },
  });
  const rsOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-new', uid: rsNew.metadata.uid, controller: true, blockOwnerDeletion: true };
  const phases = ['Running', 'Running', 'Pending', 'Succeeded', 'Failed'];
  for (let i = 0; i < phases.length; i++) {
    await req('POST', '/api/v1/namespaces/apps/pods', { metadata: { name: `web-new-${i}`, labels: { app: 'web', 'pod-template-hash': 'new' }, ownerReferences: [rsOwner] }, spec: template('new', 'nginx:1.26').spec });
    await req('PATCH', `/api/v1/namespaces/apps/pods/web-new-${i}/status`, { status: { phase: phases[i] } }, 'application/merge-patch+json');
  }
  // Matches the selector but is not controlled by the ReplicaSet: not counted.
  await req('POST', '/api/v1/namespaces/apps/pods', { metadata: { name: 'stray', labels: { app: 'web', 'pod-template-hash': 'new' } }, spec: template('new', 'nginx:1.26').spec });
  await event('apps', 'web.1', { kind: 'Deployment', apiVersion: 'apps/v1', name: 'web', uid: dep.metadata.uid }, 'ScalingReplicaSet', 'Scaled up replica set web-new to 3 from 0');
  await event('apps', 'web.2', { kind: 'Deployment', apiVersion: 'apps/v1', name: 'web', uid: dep.metadata.uid }, 'ScalingReplicaSet', 'Scaled down replica set web-old to 1 from 3', 'Normal', 2);
  await event('apps', 'web-new.1', { kind: 'ReplicaSet', apiVersion: 'apps/v1', name: 'web-new', uid: rsNew.metadata.uid }, 'SuccessfulCreate', 'Created pod: web-new-0');
  await event('apps', 'web-new.2', { kind: 'ReplicaSet', apiVersion: 'apps/v1', name: 'web-new', uid: rsNew.metadata.uid }, 'FailedCreate', 'Error creating: pods "web-new-9" is forbidden', 'Warning', 4);
  const lease = await req('POST', '/apis/coordination.k8s.io/v1/namespaces/apps/leases', {
    metadata: { name: 'leader', labels: { role: 'lock' }, annotations: { note: 'x' } },
    spec: { holderIdentity: 'pod-a_123', leaseDurationSeconds: 15, leaseTransitions: 3, acquireTime: '2026-01-02T03:04:05.000000Z', renewTime: '2026-01-02T03:04:06.000000Z' },
  });
  await event('apps', 'leader.1', { kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', name: 'leader', uid: lease.metadata.uid }, 'LeaderElection', 'pod-a became leader');
  const cm = await req('POST', '/api/v1/namespaces/apps/configmaps', { metadata: { name: 'cfg', labels: { a: 'b' } }, data: { 'app.conf': 'port=80\nmode=prod\n' }, binaryData: { blob: Buffer.from([0, 1, 2, 255]).toString('base64') } });
  await event('apps', 'cfg.1', { kind: 'ConfigMap', apiVersion: 'v1', name: 'cfg', uid: cm.metadata.uid }, 'Updated', 'config reloaded');
  await req('POST', '/api/v1/namespaces/apps/configmaps', { metadata: { name: 'empty' } });
  await req('POST', '/api/v1/namespaces/apps/secrets', { metadata: { name: 'sec', annotations: { k: 'v' } }, type: 'Opaque', data: { password: Buffer.from('hunter22').toString('base64') } });
  await req('POST', '/api/v1/namespaces/apps/secrets', { metadata: { name: 'tok', annotations: { 'kubernetes.io/service-account.name': 'default' } }, type: 'kubernetes.io/service-account-token', data: { token: Buffer.from('abc.def').toString('base64') } });
  const ds = await req('POST', '/apis/apps/v1/namespaces/apps/daemonsets', {
    metadata: { name: 'agent', labels: { app: 'agent' } },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' }, containers: [{ name: 'a', image: 'busybox' }] } } },
  });
  await req('PATCH', '/apis/apps/v1/namespaces/apps/daemonsets/agent/status', { status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 } }, 'application/merge-patch+json');
  const dsOwner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata.uid, controller: true };
  await req('POST', '/api/v1/namespaces/apps/pods', { metadata: { name: 'agent-1', labels: { app: 'agent' }, ownerReferences: [dsOwner] }, spec: { containers: [{ name: 'a', image: 'busybox' }] } });
  await req('PATCH', '/api/v1/namespaces/apps/pods/agent-1/status', { status: { phase: 'Running' } }, 'application/merge-patch+json');
  await event('apps', 'agent.1', { kind: 'DaemonSet', apiVersion: 'apps/v1', name: 'agent', uid: ds.metadata.uid }, 'SuccessfulCreate', 'Created pod: agent-1');
  const ss = await req('POST', '/apis/apps/v1/namespaces/apps/statefulsets', {
    metadata: { name: 'db', labels: { app: 'db' } },
    spec: {
      replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'pg', image: 'postgres' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data', labels: { tier: 'db' } }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  const ssOwner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: ss.metadata.uid, controller: true };
  await req('POST', '/api/v1/namespaces/apps/pods', { metadata: { name: 'db-0', labels: { app: 'db' }, ownerReferences: [ssOwner] }, spec: { containers: [{ name: 'pg', image: 'postgres' }] } });
  await req('POST', '/apis/apps/v1/namespaces/apps/statefulsets', {
    metadata: { name: 'cache' },
    spec: { serviceName: 'cache', selector: { matchLabels: { app: 'cache' } }, updateStrategy: { type: 'OnDelete' }, template: { metadata: { labels: { app: 'cache' } }, spec: { containers: [{ name: 'c', image: 'redis' }] } } },
  });
  const start = new Date(Date.now() - 7200_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const job = await req('POST', '/apis/batch/v1/namespaces/apps/jobs', {
    metadata: { name: 'once', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'c1c1c1c1-0000-0000-0000-000000000000', controller: true }] },
    spec: { completions: 3, parallelism: 2, backoffLimit: 4, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 100, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'w', image: 'busybox', command: ['true'] }] } } },
  });
  await req('PATCH', '/apis/batch/v1/namespaces/apps/jobs/once/status', { status: { startTime: start, completionTime: now, succeeded: 3, ready: 0, active: 0, conditions: [{ type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: now, lastTransitionTime: now }, { type: 'Complete', status: 'True', lastProbeTime: now, lastTransitionTime: now }] } }, 'application/merge-patch+json');
  await event('apps', 'once.1', { kind: 'Job', apiVersion: 'batch/v1', name: 'once', uid: job.metadata.uid }, 'Completed', 'Job completed');
  await req('POST', '/apis/batch/v1/namespaces/apps/jobs', {
    metadata: { name: 'indexed' },
    spec: { completionMode: 'Indexed', completions: 2, suspend: true, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'w', image: 'busybox' }] } } },
  });
  await req('POST', '/api/v1/namespaces/apps/endpoints', {
    metadata: { name: 'manual', labels: { a: 'b' } },
    subsets: [
      { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], notReadyAddresses: [{ ip: '10.0.0.3' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] },
      { addresses: [{ ip: '10.0.1.1' }], ports: [{ port: 8080, protocol: 'TCP' }] },
    ],
  });
  const sa = await req('POST', '/api/v1/namespaces/apps/serviceaccounts', {
    metadata: { name: 'builder' }, imagePullSecrets: [{ name: 'registry' }], secrets: [{ name: 'sec' }, { name: 'gone' }],
  });
  await req('POST', '/api/v1/namespaces/apps/secrets', { metadata: { name: 'builder-token', annotations: { 'kubernetes.io/service-account.name': 'builder', 'kubernetes.io/service-account.uid': sa.metadata.uid } }, type: 'kubernetes.io/service-account-token', data: { token: Buffer.from('x').toString('base64') } });
}, 120_000);
afterAll(async () => { await env?.stop(); });

describe('kubectl describe workloads, same as the real kubectl', () => {
  const cases: string[][] = [
    ['-n', 'apps', 'describe', 'deployment', 'web'],
    ['-n', 'apps', 'describe', 'rs', 'web-new'],
    ['-n', 'apps', 'describe', 'replicaset', 'web-old'],
    ['-n', 'apps', 'describe', 'replicasets.apps', 'lonely', '--show-events=false'],
    ['-n', 'apps', 'describe', 'rs'],
    ['-n', 'apps', 'describe', 'lease', 'leader'],
    ['-n', 'apps', 'describe', 'leases'],
    ['-n', 'apps', 'describe', 'event', 'web-new.2'],
    ['describe', 'lease', '-n', 'kube-node-lease'],
    ['-n', 'apps', 'describe', 'pod', 'web-new-0'],
    ['-n', 'apps', 'describe', 'pods', '-l', 'pod-template-hash=new'],
    ['-n', 'apps', 'describe', 'all'],
    ['describe', 'ns', 'apps'],
    ['-n', 'apps', 'describe', 'daemonset', 'agent'],
    ['-n', 'apps', 'describe', 'statefulset', 'db'],
    ['-n', 'apps', 'describe', 'sts', 'cache'],
    ['-n', 'apps', 'describe', 'job', 'once'],
    ['-n', 'apps', 'describe', 'job', 'indexed'],
    ['-n', 'apps', 'describe', 'endpoints', 'manual'],
    ['-n', 'apps', 'describe', 'serviceaccount', 'builder'],
    ['-n', 'apps', 'describe', 'sa', 'default'],
    ['-n', 'apps', 'describe', 'configmap', 'cfg'],
    ['-n', 'apps', 'describe', 'cm', 'empty'],
    ['-n', 'apps', 'describe', 'secret', 'sec'],
    ['-n', 'apps', 'describe', 'secret', 'tok'],
  ];
  for (const args of cases) {
    it(args.join(' '), async () => {
      const { real, ours, same } = await both(env, args);
      expect({ code: ours.code, stderr: ours.stderr }).toEqual({ code: real.code, stderr: real.stderr });
      if (!same) expect(normaliseAges(ours.stdout)).toBe(normaliseAges(real.stdout));
    }, 30_000);
  }
});

describe('describe helpers', () => {
  it('splits and labels fields as upstream', () => {
    expect(camelcaseSplit('HTMLParserV2x')).toEqual(['HTML', 'Parser', 'V', '2', 'x']);
    expect(smartLabelFor('apiVersion')).toBe('API Version');
    expect(smartLabelFor('ownerReferences')).toBe('Owner References');
    expect(smartLabelFor('podCIDRs')).toBe('Pod CID Rs');
    expect(smartLabelFor('foo-bar')).toBe('Foo - Bar');
    expect(smartLabelFor('v1beta1')).toBe('v1beta1');
  });
  it('counts only controlled pods by phase', () => {
    const own = { ownerReferences: [{ uid: 'u', controller: true }] };
    expect(podStatusForController([
      { metadata: own, status: { phase: 'Running' } }, { metadata: own, status: { phase: 'Pending' } },
      { metadata: {}, status: { phase: 'Running' } }, { metadata: { ownerReferences: [{ uid: 'u' }] }, status: { phase: 'Failed' } },
    ], 'u')).toEqual({ running: 1, waiting: 1, succeeded: 0, failed: 0 });
  });
});
