// kubectl describe for pods, deployments, services, nodes and namespaces, compared with the real
// kubectl 1.32 on the same objects (rich specs, statuses, related replica sets, slices, leases, events).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startEnv, both, normaliseAges, type Env } from './helpers.ts';

let env: Env;
const now = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');

async function req(method: string, path: string, body?: unknown, contentType?: string): Promise<any> {
  const r = await env.server.req(method, path, { body, contentType });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

beforeAll(async () => {
  env = await startEnv();
  await req('POST', '/api/v1/namespaces', { metadata: { name: 'shop', labels: { team: 'a' }, annotations: { owner: 'someone', long: 'x'.repeat(150) } } });
  await req('POST', '/api/v1/nodes', {
    metadata: { name: 'node1', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'node1' } },
    spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }], podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
  });
  await req('PATCH', '/api/v1/nodes/node1/status', {
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'node1' }],
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      nodeInfo: { machineID: 'm1', systemUUID: 'u1', bootID: 'b1', kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'containerd://1.6.20', kubeletVersion: 'v1.32.0', kubeProxyVersion: 'v1.32.0' },
    },
  }, 'application/merge-patch+json');
  await req('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { metadata: { name: 'node1' }, spec: { holderIdentity: 'node1', leaseDurationSeconds: 40, renewTime: '2026-01-02T03:04:05.000000Z' } });
  const pod = await req('POST', '/api/v1/namespaces/shop/pods', {
    metadata: { name: 'web-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'line one\nline two' } },
    spec: {
      nodeName: 'node1',
      nodeSelector: { disk: 'ssd' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, { operator: 'Exists' }, { key: 'slow', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'echo hi'] }],
      containers: [{
        name: 'app', image: 'nginx:1.25', args: ['--port', '8080'],
        ports: [{ containerPort: 8080 }, { containerPort: 9090, protocol: 'UDP', hostPort: 9090 }],
        resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 3, periodSeconds: 5 },
        readinessProbe: { tcpSocket: { port: 8080 } },
        startupProbe: { exec: { command: ['cat', '/tmp/ok'] } },
        env: [
          { name: 'PLAIN', value: 'hello' },
          { name: 'MULTI', value: 'a\nb' },
          { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } },
          { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'sec', key: 'p', optional: true } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
        envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'sec' } }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg', readOnly: true, subPath: 'app.conf' }],
      }],
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'sec', secret: { secretName: 'sec', optional: false } },
        { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
      ],
    },
  });
  await req('PATCH', '/api/v1/namespaces/shop/pods/web-1/status', {
    status: {
      phase: 'Running', hostIP: '10.0.0.1', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], startTime: now,
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'False' }],
      initContainerStatuses: [{ name: 'init', ready: true, restartCount: 0, image: 'busybox', imageID: 'docker.io/library/busybox@sha256:1', containerID: 'containerd://i1', state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } } }],
      containerStatuses: [{ name: 'app', ready: false, restartCount: 2, image: 'nginx:1.25', imageID: 'docker.io/library/nginx@sha256:2', containerID: 'containerd://c1', state: { running: { startedAt: now } }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: now, finishedAt: now } } }],
    },
  }, 'application/merge-patch+json');
  for (const [i, type] of [['1', 'Normal'], ['2', 'Warning']]) {
    await req('POST', '/api/v1/namespaces/shop/events', {
      metadata: { name: `web-1.${i}` },
      involvedObject: { kind: 'Pod', namespace: 'shop', name: 'web-1', uid: pod.metadata.uid, apiVersion: 'v1' },
      reason: type === 'Normal' ? 'Scheduled' : 'BackOff', message: type === 'Normal' ? 'Successfully assigned shop/web-1 to node1' : 'Back-off restarting failed container',
      type, count: Number(i), source: { component: type === 'Normal' ? 'default-scheduler' : 'kubelet' },
      firstTimestamp: now, lastTimestamp: now,
    });
  }
  const dep = await req('POST', '/apis/apps/v1/namespaces/shop/deployments', {
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'web' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '50%' } },
      template: { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }] } },
    },
  });
  await req('PATCH', '/apis/apps/v1/namespaces/shop/deployments/web/status', {
    status: { replicas: 3, updatedReplicas: 2, availableReplicas: 1, unavailableReplicas: 2, conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }] },
  }, 'application/merge-patch+json');
  const owner = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: dep.metadata.uid, controller: true, blockOwnerDeletion: true }];
  await req('POST', '/apis/apps/v1/namespaces/shop/replicasets', {
    metadata: { name: 'web-abc', labels: { app: 'web', 'pod-template-hash': 'abc' }, ownerReferences: owner },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], volumes: [{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }] } } },
  });
  await req('POST', '/apis/apps/v1/namespaces/shop/replicasets', {
    metadata: { name: 'web-old', labels: { app: 'web', 'pod-template-hash': 'old' }, ownerReferences: owner },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'old' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'old' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.24' }] } } },
  });
  await req('POST', '/api/v1/namespaces/shop/services', {
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP' }] },
  });
  await req('POST', '/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices', {
    metadata: { name: 'web-x1', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ['10.244.1.5', '10.244.1.6', '10.244.1.7', '10.244.1.8'].map((a) => ({ addresses: [a], conditions: { ready: true } })),
  });
}, 120_000);
afterAll(async () => { await env?.stop(); });

describe('kubectl describe', () => {
  const cases: string[][] = [
    ['-n', 'shop', 'describe', 'pod', 'web-1'],
    ['-n', 'shop', 'describe', 'pod', 'web-1', '--show-events=false'],
    ['-n', 'shop', 'describe', 'deploy', 'web'],
    ['-n', 'shop', 'describe', 'svc', 'web'],
    ['describe', 'svc', 'kubernetes'],
    ['describe', 'node', 'node1'],
    ['describe', 'ns', 'shop'],
    ['describe', 'ns', 'default'],
    ['-n', 'shop', 'describe', 'pods'],
    ['-n', 'shop', 'describe', 'pod', 'web'],
    ['-n', 'shop', 'describe', 'pod/web-1', 'svc/web'],
    ['-n', 'shop', 'describe', 'pod', 'nope'],
    ['describe', 'pods'],
  ];
  for (const args of cases) {
    it(args.join(' '), async () => {
      const { real, ours, same } = await both(env, args);
      expect({ code: ours.code, stderr: ours.stderr }).toEqual({ code: real.code, stderr: real.stderr });
      if (!same) expect(normaliseAges(ours.stdout)).toBe(normaliseAges(real.stdout));
    }, 30_000);
  }
});
