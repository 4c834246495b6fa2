import { describe, it, expect } from 'vitest';
import { tableFor, withRowObjects } from '../src/tables/index.ts';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H;

const meta = (name: string, extra: object = {}) => ({ name, namespace: 'default', creationTimestamp: ago(2 * D), ...extra });
const running = { running: { startedAt: ago(H) } };

function podRow(pod: object) {
  return tableFor('Pod', [pod], { now }).rows[0];
}

describe('pod table', () => {
  it('has upstream columns, wide ones at priority 1', () => {
    const t = tableFor('Pod', [], { now });
    expect(t.columnDefinitions.map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0], ['Ready', 'string', 0], ['Status', 'string', 0], ['Restarts', 'string', 0], ['Age', 'string', 0],
      ['IP', 'string', 1], ['Node', 'string', 1], ['Nominated Node', 'string', 1], ['Readiness Gates', 'string', 1],
    ]);
    expect(t.columnDefinitions[0].format).toBe('name');
    expect(t).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
  });

  it('prints a running pod with restarts "N (x ago)" and wide cells', () => {
    const row = podRow({
      metadata: meta('web'),
      spec: { nodeName: 'node1', containers: [{ name: 'a' }, { name: 'b' }], readinessGates: [{ conditionType: 'x/y' }] },
      status: {
        phase: 'Running', podIPs: [{ ip: '10.0.0.5' }],
        conditions: [{ type: 'Ready', status: 'False' }, { type: 'x/y', status: 'True' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 3, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * M) } } },
          { name: 'b', ready: false, restartCount: 0, state: running },
        ],
      },
    });
    expect(row.cells).toEqual(['web', '1/2', 'Running', '3 (2m ago)', '2d', '10.0.0.5', 'node1', '<none>', '1/1']);
    expect(row.objectIndex).toBe(0);
    expect(row.conditions).toBeUndefined();
  });

  it('computes CrashLoopBackOff, ContainerCreating, Pending', () => {
    expect(podRow({ metadata: meta('a'), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(30 * S) } } }] } }).cells.slice(1, 4))
      .toEqual(['0/1', 'CrashLoopBackOff', '5 (30s ago)']);
    expect(podRow({ metadata: meta('a'), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } }).cells.slice(1, 4))
      .toEqual(['0/1', 'ContainerCreating', '0']);
    expect(podRow({ metadata: meta('a'), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending' } }).cells.slice(1, 8))
      .toEqual(['0/1', 'Pending', '0', '2d', '<none>', '<none>', '<none>']);
  });

  it('prints Completed with a Completed row condition, and Error / ExitCode for failures', () => {
    const done = podRow({ metadata: meta('j'), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } });
    expect(done.cells[2]).toBe('Completed');
    expect(done.conditions).toEqual([{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    const failed = podRow({ metadata: meta('j'), spec: { containers: [{ name: 'c' }] }, status: { phase: 'Failed', containerStatuses: [{ name: 'c', restartCount: 0, state: { terminated: { exitCode: 2 } } }] } });
    expect(failed.cells[2]).toBe('ExitCode:2');
    expect(failed.conditions?.[0].reason).toBe('Failed');
    // A completed sidecar next to a running ready container is Running.
    const mixed = podRow({ metadata: meta('m'), spec: { containers: [{ name: 'a' }, { name: 'b' }] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [
      { name: 'a', ready: true, restartCount: 0, state: running }, { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } });
    expect(mixed.cells[2]).toBe('Running');
  });

  it('prints Terminating for a deleted pod that is not finished, Unknown for NodeLost', () => {
    const base = { spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: running }] } };
    expect(podRow({ ...base, metadata: meta('t', { deletionTimestamp: ago(S) }) }).cells.slice(1, 3)).toEqual(['1/1', 'Terminating']);
    expect(podRow({ ...base, metadata: meta('t', { deletionTimestamp: ago(S) }), status: { ...base.status, reason: 'NodeLost' } }).cells[2]).toBe('Unknown');
    expect(podRow({ ...base, metadata: meta('t', { deletionTimestamp: ago(S) }), status: { phase: 'Succeeded' } }).cells[2]).toBe('Succeeded');
  });

  it('prints init container progress: Init:0/2, Init:Error, Init:CrashLoopBackOff, sidecars', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'c' }] };
    const waitingMain = [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }];
    expect(podRow({ metadata: meta('p'), spec, status: { phase: 'Pending', initContainerStatuses: [
      { name: 'i1', ready: false, restartCount: 0, state: running }, { name: 'i2', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }], containerStatuses: waitingMain } }).cells.slice(1, 4))
      .toEqual(['0/1', 'Init:0/2', '0']);
    expect(podRow({ metadata: meta('p'), spec, status: { phase: 'Pending', initContainerStatuses: [
      { name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }, { name: 'i2', ready: false, restartCount: 0, state: running }], containerStatuses: waitingMain } }).cells[2])
      .toBe('Init:1/2');
    expect(podRow({ metadata: meta('p'), spec, status: { phase: 'Pending', initContainerStatuses: [
      { name: 'i1', ready: false, restartCount: 1, state: { terminated: { exitCode: 1, reason: 'Error' } } }], containerStatuses: waitingMain } }).cells.slice(2, 4))
      .toEqual(['Init:Error', '1']);
    expect(podRow({ metadata: meta('p'), spec, status: { phase: 'Pending', initContainerStatuses: [
      { name: 'i1', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } }).cells[2]).toBe('Init:CrashLoopBackOff');
    // A restartable init container (sidecar) counts towards Ready.
    const side = podRow({ metadata: meta('s'), spec: { initContainers: [{ name: 'side', restartPolicy: 'Always' }], containers: [{ name: 'c' }] }, status: { phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }], initContainerStatuses: [{ name: 'side', ready: true, started: true, restartCount: 1, state: running }],
      containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: running }] } });
    expect(side.cells.slice(1, 4)).toEqual(['2/2', 'Running', '1']);
  });
});

describe('other tables', () => {
  it('nodes: Ready,SchedulingDisabled, roles, wide info', () => {
    const node = { metadata: { name: 'n1', creationTimestamp: ago(5 * M), labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '192.168.1.2' }, { type: 'Hostname', address: 'n1' }],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.24' } } };
    const t = tableFor('Node', [node, { metadata: { name: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, { metadata: { name: 'n3' } }], { now });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
    expect(t.rows[0].cells).toEqual(['n1', 'Ready,SchedulingDisabled', 'control-plane,worker', '5m', 'v1.32.0', '192.168.1.2', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'containerd://1.7.24']);
    expect(t.rows[1].cells.slice(0, 3)).toEqual(['n2', 'NotReady', '<none>']);
    expect(t.rows[2].cells.slice(0, 5)).toEqual(['n3', 'Unknown', '<none>', '<unknown>', '']);
    expect(t.rows[2].cells.slice(5)).toEqual(['<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });

  it('services: ports with nodePort, external IPs, selector', () => {
    const t = tableFor('Service', [
      { metadata: meta('web'), spec: { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web' } } },
      { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.11'], ports: [] }, status: { loadBalancer: {} } },
      { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'example.com' } },
      { metadata: meta('headless'), spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80, protocol: 'TCP' }] } },
    ], { now });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['web', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,53/UDP', '2d', 'app=web'],
      ['lb', 'LoadBalancer', '10.96.0.11', '<pending>', '<none>', '2d', '<none>'],
      ['ext', 'ExternalName', '<none>', 'example.com', '<none>', '2d', '<none>'],
      ['headless', 'ClusterIP', 'None', '<none>', '80/TCP', '2d', '<none>'],
    ]);
  });

  it('workloads: deployments, replicasets, daemonsets, statefulsets, jobs', () => {
    const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } };
    const dep = { metadata: meta('web'), spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
    expect(tableFor('Deployment', [dep], { now }).rows[0].cells).toEqual(['web', '2/3', 3, 2, '2d', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
    expect(tableFor('Deployment', [dep], { now }).columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    expect(tableFor('Deployment', [{ ...dep, status: undefined }], { now, wide: false }).rows[0].cells).toEqual(['web', '0/3', 0, 0, '2d']);
    expect(tableFor('ReplicaSet', [{ metadata: meta('web-1'), spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template }, status: { replicas: 2, readyReplicas: 1 } }], { now }).rows[0].cells)
      .toEqual(['web-1', 2, 2, 1, '2d', 'nginx,side', 'nginx:1.25,busybox', 'app=web,pod-template-hash=abc']);
    expect(tableFor('DaemonSet', [{ metadata: meta('ds'), spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } }, status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 } }], { now }).rows[0].cells)
      .toEqual(['ds', 2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '2d', 'nginx,side', 'nginx:1.25,busybox', 'a=b']);
    expect(tableFor('StatefulSet', [{ metadata: meta('db'), spec: { replicas: 3, template }, status: { readyReplicas: 3 } }], { now }).rows[0].cells).toEqual(['db', '3/3', '2d', 'nginx,side', 'nginx:1.25,busybox']);
    const job = (status: object, spec: object = { completions: 1 }) => tableFor('Job', [{ metadata: meta('j'), spec: { ...spec, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template }, status }], { now }).rows[0].cells;
    expect(job({ succeeded: 1, startTime: ago(5 * M), completionTime: ago(4 * M), conditions: [{ type: 'Complete', status: 'True' }] }).slice(0, 5)).toEqual(['j', 'Complete', '1/1', '60s', '2d']);
    expect(job({ startTime: ago(90 * S), active: 1 }, { parallelism: 2 }).slice(1, 4)).toEqual(['Running', '0/1 of 2', '90s']);
    expect(job({ conditions: [{ type: 'Failed', status: 'True' }] }).slice(1, 4)).toEqual(['Failed', '0/1', '']);
    expect(job({}).slice(-1)).toEqual(['batch.kubernetes.io/controller-uid=u']);
  });

  it('namespaces, configmaps, secrets, service accounts, leases', () => {
    expect(tableFor('Namespace', [{ metadata: { name: 'default', creationTimestamp: ago(3 * H) }, status: { phase: 'Active' } }], { now }).rows[0].cells).toEqual(['default', 'Active', '3h']);
    expect(tableFor('ConfigMap', [{ metadata: meta('c'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }], { now }).rows[0].cells).toEqual(['c', 3, '2d']);
    expect(tableFor('Secret', [{ metadata: meta('s'), type: 'Opaque', data: { a: 'MQ==' } }], { now }).rows[0].cells).toEqual(['s', 'Opaque', 1, '2d']);
    expect(tableFor('ServiceAccount', [{ metadata: meta('default') }], { now }).rows[0].cells).toEqual(['default', 0, '2d']);
    expect(tableFor('Lease', [{ metadata: meta('kube-scheduler'), spec: { holderIdentity: 'host_1234' } }], { now }).rows[0].cells).toEqual(['kube-scheduler', 'host_1234', '2d']);
    expect(tableFor('Secret', [], { now }).columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Type', 'Data', 'Age']);
  });

  it('endpoints and endpoint slices, truncated after three', () => {
    const addrs = (n: number) => Array.from({ length: n }, (_, i) => ({ ip: `10.0.0.${i + 1}` }));
    expect(tableFor('Endpoints', [{ metadata: meta('web'), subsets: [{ addresses: addrs(2), ports: [{ port: 80 }] }] }], { now }).rows[0].cells).toEqual(['web', '10.0.0.1:80,10.0.0.2:80', '2d']);
    expect(tableFor('Endpoints', [{ metadata: meta('web'), subsets: [{ addresses: addrs(3), ports: [{ port: 80 }, { port: 443 }] }] }], { now }).rows[0].cells[1]).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 3 more...');
    expect(tableFor('Endpoints', [{ metadata: meta('none') }], { now }).rows[0].cells[1]).toBe('<none>');
    expect(tableFor('Endpoints', [{ metadata: meta('h'), subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }] }], { now }).rows[0].cells[1]).toBe('[fd00::1]:80');
    const slice = { metadata: meta('web-abc'), addressType: 'IPv4', ports: [{ port: 80, name: 'http' }, { name: 'x' }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }] };
    expect(tableFor('EndpointSlice', [slice, { metadata: meta('empty'), addressType: 'IPv4' }], { now }).rows.map((r) => r.cells)).toEqual([
      ['web-abc', 'IPv4', '80,x', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '2d'],
      ['empty', 'IPv4', '<unset>', '<unset>', '2d'],
    ]);
  });

  it('events: kubectl get events columns and cells', () => {
    const ev = { metadata: meta('web.17a'), type: 'Warning', reason: 'BackOff', message: ' Back-off restarting failed container \n',
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{c}' }, source: { component: 'kubelet', host: 'node1' },
      firstTimestamp: ago(10 * M), lastTimestamp: ago(30 * S), count: 7 };
    const t = tableFor('Event', [ev, { metadata: meta('e2'), type: 'Normal', reason: 'Scheduled', involvedObject: { kind: 'Node' }, eventTime: ago(5 * S), reportingComponent: 'default-scheduler' }], { now });
    expect(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    expect(t.rows[0].cells).toEqual(['30s', 'Warning', 'BackOff', 'pod/web', 'spec.containers{c}', 'kubelet, node1', 'Back-off restarting failed container', '10m', 7, 'web.17a']);
    expect(t.rows[1].cells).toEqual(['5s', 'Normal', 'Scheduled', 'node', '', 'default-scheduler', '', '5s', 1, 'e2']);
    expect(tableFor('Event', [ev], { now, wide: false }).rows[0].cells).toEqual(['30s', 'Warning', 'BackOff', 'pod/web', 'Back-off restarting failed container']);
  });

  it('falls back to upstream\'s default table and fills row objects', () => {
    const objs = [{ metadata: { name: 'x', creationTimestamp: '2024-01-02T03:04:05Z', uid: 'u' } }];
    const t = tableFor('ClusterRole', objs, { now });
    expect(t.columnDefinitions.map((c) => [c.name, c.type])).toEqual([['Name', 'string'], ['Created At', 'date']]);
    expect(t.rows[0].cells).toEqual(['x', '2024-01-02T03:04:05Z']);
    const served = withRowObjects(t, objs);
    expect(served.rows[0]).toEqual({ cells: ['x', '2024-01-02T03:04:05Z'], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: objs[0].metadata } });
  });
});
