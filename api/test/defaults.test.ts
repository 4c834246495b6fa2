import { describe, expect, it } from 'vitest';
import { defaultImagePullPolicy, imageTag, setDefaults } from '../src/defaults/index.ts';
import type { KubeObject } from '../src/object.ts';

const obj = (apiVersion: string, kind: string, rest: Record<string, unknown>): KubeObject =>
  ({ apiVersion, kind, metadata: { name: 'x', namespace: 'default' }, ...rest });

describe('Pod defaults', () => {
  it('turns a bare pod into what upstream stores (kubectl get -o yaml, less admission)', () => {
    const pod = obj('v1', 'Pod', { spec: { containers: [{ name: 'nginx', image: 'nginx' }] } });
    setDefaults(pod);
    expect(pod.spec).toEqual({
      containers: [{
        image: 'nginx', imagePullPolicy: 'Always', name: 'nginx', resources: {},
        terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
      }],
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    });
    const again = structuredClone(pod);
    setDefaults(again);
    expect(again).toEqual(pod);
  });

  it('keeps what is set', () => {
    const pod = obj('v1', 'Pod', { spec: { restartPolicy: 'Never', dnsPolicy: 'Default', terminationGracePeriodSeconds: 0, enableServiceLinks: false, containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'Never' }] } });
    setDefaults(pod);
    const spec = pod.spec as any;
    expect([spec.restartPolicy, spec.dnsPolicy, spec.terminationGracePeriodSeconds, spec.enableServiceLinks, spec.containers[0].imagePullPolicy])
      .toEqual(['Never', 'Default', 0, false, 'Never']);
  });

  it('defaults imagePullPolicy from the tag', () => {
    expect(defaultImagePullPolicy('nginx')).toBe('Always');
    expect(defaultImagePullPolicy('nginx:latest')).toBe('Always');
    expect(defaultImagePullPolicy('nginx:1.27')).toBe('IfNotPresent');
    expect(defaultImagePullPolicy('localhost:5000/app')).toBe('Always');
    expect(defaultImagePullPolicy('localhost:5000/app:v2')).toBe('IfNotPresent');
    expect(defaultImagePullPolicy('busybox@sha256:' + 'a'.repeat(64))).toBe('IfNotPresent');
    expect(imageTag('registry:5000/a/b:c@sha256:' + 'a'.repeat(64))).toBe('c');
  });

  it('defaults ports, probes, env, resources and volumes', () => {
    const pod = obj('v1', 'Pod', {
      spec: {
        hostNetwork: true,
        containers: [{
          name: 'c', image: 'i:1',
          ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP', hostPort: 5353 }],
          livenessProbe: { httpGet: { port: 80 } },
          readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
          lifecycle: { preStop: { httpGet: { port: 80, path: '/stop' } } },
          env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m' } },
        }],
        initContainers: [{ name: 'init', image: 'i:1', resources: { limits: { cpu: '1' } } }],
        volumes: [
          { name: 'a' },
          { name: 'b', configMap: { name: 'cm' } },
          { name: 'c', secret: { secretName: 's', defaultMode: 256 } },
          { name: 'd', hostPath: { path: '/tmp' } },
          { name: 'e', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
        ],
      },
    });
    setDefaults(pod);
    const c = (pod.spec as any).containers[0];
    expect(c.ports).toEqual([{ containerPort: 80, protocol: 'TCP', hostPort: 80 }, { containerPort: 53, protocol: 'UDP', hostPort: 5353 }]);
    expect(c.livenessProbe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.readinessProbe.periodSeconds).toBe(5);
    expect(c.lifecycle.preStop.httpGet).toEqual({ port: 80, path: '/stop', scheme: 'HTTP' });
    expect(c.env[0].valueFrom.fieldRef).toEqual({ apiVersion: 'v1', fieldPath: 'metadata.name' });
    expect(c.resources).toEqual({ limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    expect((pod.spec as any).initContainers[0].resources.requests).toEqual({ cpu: '1' });
    expect((pod.spec as any).volumes).toEqual([
      { name: 'a', emptyDir: {} },
      { name: 'b', configMap: { name: 'cm', defaultMode: 420 } },
      { name: 'c', secret: { secretName: 's', defaultMode: 256 } },
      { name: 'd', hostPath: { path: '/tmp', type: '' } },
      { name: 'e', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
    ]);
  });
});

describe('Service defaults', () => {
  it('defaults a ClusterIP service', () => {
    const svc = obj('v1', 'Service', { spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, targetPort: 'https', name: 'https' }] } });
    setDefaults(svc);
    expect(svc.spec).toEqual({
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 443, targetPort: 'https', name: 'https', protocol: 'TCP' }],
      type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
    });
  });

  it('defaults NodePort / LoadBalancer / ClientIP / ExternalName specifics', () => {
    const lb = obj('v1', 'Service', { spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } });
    setDefaults(lb);
    expect(lb.spec).toMatchObject({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true, sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
    const ext = obj('v1', 'Service', { spec: { type: 'ExternalName', externalName: 'example.com' } });
    setDefaults(ext);
    expect(ext.spec).toEqual({ type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
  });
});

describe('workload defaults', () => {
  const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } };

  it('Deployment', () => {
    const d = obj('apps/v1', 'Deployment', { spec: { selector: { matchLabels: { app: 'a' } }, template: structuredClone(template) } });
    setDefaults(d);
    const spec = d.spec as any;
    expect(spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } } });
    expect(spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30 });
    expect(spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    // Pod-only defaults stay out of templates.
    expect(spec.template.spec.enableServiceLinks).toBeUndefined();
    expect(spec.template.spec.priority).toBeUndefined();
    const recreate = obj('apps/v1', 'Deployment', { spec: { strategy: { type: 'Recreate' }, replicas: 0, template: structuredClone(template) } });
    setDefaults(recreate);
    expect((recreate.spec as any).strategy).toEqual({ type: 'Recreate' });
    expect((recreate.spec as any).replicas).toBe(0);
  });

  it('ReplicaSet, DaemonSet, StatefulSet', () => {
    const rs = obj('apps/v1', 'ReplicaSet', { spec: { template: structuredClone(template) } });
    setDefaults(rs);
    expect((rs.spec as any).replicas).toBe(1);
    const ds = obj('apps/v1', 'DaemonSet', { spec: { template: structuredClone(template) } });
    setDefaults(ds);
    expect(ds.spec).toMatchObject({ revisionHistoryLimit: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } });
    const sts = obj('apps/v1', 'StatefulSet', { spec: { serviceName: 's', template: structuredClone(template), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] } });
    setDefaults(sts);
    expect(sts.spec).toMatchObject({
      replicas: 1, revisionHistoryLimit: 10, podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [{ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } }],
    });
  });

  it('Job', () => {
    const job = obj('batch/v1', 'Job', { spec: { template: { metadata: { labels: { app: 'j' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i:1' }] } } } });
    setDefaults(job);
    expect(job.spec).toMatchObject({ parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed' });
    expect((job.spec as any).manualSelector).toBeUndefined();
    expect((job.spec as any).template.spec.restartPolicy).toBe('Never');
    expect(job.metadata.labels).toEqual({ app: 'j' });
    const par = obj('batch/v1', 'Job', { spec: { completions: 5, backoffLimitPerIndex: 1, podFailurePolicy: { rules: [] }, template: { spec: { containers: [] } } } });
    setDefaults(par);
    expect(par.spec).toMatchObject({ completions: 5, parallelism: 1, backoffLimit: 2147483647, podReplacementPolicy: 'Failed' });
  });
});

describe('other kinds', () => {
  it('Namespace, Node, Secret, Endpoints, EndpointSlice, Event', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
    setDefaults(ns);
    expect(ns).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { 'kubernetes.io/metadata.name': 'team' } }, status: { phase: 'Active' } });
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '2', pods: '110' } } };
    setDefaults(node);
    expect((node.status as any).allocatable).toEqual({ cpu: '2', pods: '110' });
    const secret = obj('v1', 'Secret', { data: {} });
    setDefaults(secret);
    expect(secret.type).toBe('Opaque');
    const ep = obj('v1', 'Endpoints', { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] });
    setDefaults(ep);
    expect((ep.subsets as any)[0].ports[0]).toEqual({ port: 80, protocol: 'TCP' });
    const es = obj('discovery.k8s.io/v1', 'EndpointSlice', { addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] });
    setDefaults(es);
    expect(es.ports).toEqual([{ port: 80, name: '', protocol: 'TCP' }]);
    const ev = obj('v1', 'Event', { involvedObject: { kind: 'Pod', name: 'p' }, reason: 'Started' });
    setDefaults(ev);
    expect(ev).toMatchObject({ reportingComponent: '', reportingInstance: '' });
    const cm = obj('v1', 'ConfigMap', {});
    setDefaults(cm);
    expect(cm).toEqual(obj('v1', 'ConfigMap', {}));
  });
});

describe('podQOSClass', () => {
  it('classifies as upstream', async () => {
    const { podQOSClass } = await import('../src/defaults/index.ts');
    const p = (resources: Record<string, unknown>[]) => {
      const o = obj('v1', 'Pod', { spec: { containers: resources.map((r, i) => ({ name: `c${i}`, image: 'i', resources: r })) } });
      setDefaults(o);
      return podQOSClass(o as any);
    };
    expect(p([{}])).toBe('BestEffort');
    expect(p([{ limits: { cpu: '1', memory: '1Gi' } }])).toBe('Guaranteed');
    expect(p([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } }])).toBe('Guaranteed');
    expect(p([{ limits: { cpu: '1', memory: '1Gi' } }, {}])).toBe('Burstable');
    expect(p([{ requests: { cpu: '100m' } }])).toBe('Burstable');
    expect(p([{ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } }])).toBe('Burstable');
    expect(p([{ requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '1' } }])).toBe('BestEffort');
  });
});

describe('v1 conversions applied with the defaults', () => {
  it('merges Secret stringData into data and mirrors serviceAccount', () => {
    const secret = obj('v1', 'Secret', { data: { a: 'eA==' }, stringData: { b: 'hello', a: 'y' } });
    setDefaults(secret);
    expect(secret).toMatchObject({ type: 'Opaque', data: { a: 'eQ==', b: 'aGVsbG8=' } });
    expect(secret.stringData).toBeUndefined();
    const pod = obj('v1', 'Pod', { spec: { serviceAccount: 'builder', containers: [{ name: 'c', image: 'i' }] } });
    setDefaults(pod);
    expect(pod.spec).toMatchObject({ serviceAccountName: 'builder', serviceAccount: 'builder' });
    const pod2 = obj('v1', 'Pod', { spec: { serviceAccountName: 'default', containers: [{ name: 'c', image: 'i' }] } });
    setDefaults(pod2);
    expect(pod2.spec).toMatchObject({ serviceAccountName: 'default', serviceAccount: 'default' });
  });
});
