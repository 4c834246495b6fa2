import { describe, it, expect } from 'vitest';
import protobuf from 'protobufjs';
import { decodeProtobufObject, encodeProtobufObject, protoRoot, undeclaredFields, PROTOBUF_MAGIC } from '../src/protobuf/index.ts';
import { StatusError } from '../src/status.ts';

/** Wraps a message of `typeName` built from a protobuf-shaped object in the k8s envelope. */
function envelope(apiVersion: string, kind: string, typeName: string, proto: Record<string, unknown>): Uint8Array {
  const t = protoRoot().lookupType(typeName);
  const raw = t.encode(t.fromObject(proto)).finish();
  const u = protoRoot().lookupType('k8ts.runtime.Unknown');
  const env = u.encode(u.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish();
  return Uint8Array.from([...PROTOBUF_MAGIC, ...env]);
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));
}

function statusOf(fn: () => unknown): { code: number; reason: string } {
  try { fn(); } catch (e) { if (e instanceof StatusError) return { code: e.status.code!, reason: String(e.status.reason) }; throw e; }
  throw new Error('no error');
}

describe('decodeProtobufObject', () => {
  it('decodes the bytes real kubectl 1.32 sent for `create configmap x --from-literal=a=b`', () => {
    // Captured from `kubectl create configmap x --from-literal=a=b -v=9` against this API server.
    const body = hex(`6b387300 0a0f0a02 76311209 436f6e66 69674d61 70121b0a 110a0178 12001a00 22002a00
      32003800 42001206 0a016112 01621a00 2200`);
    expect(decodeProtobufObject(body)).toEqual({
      kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', creationTimestamp: null }, data: { a: 'b' },
    });
  });

  it('decodes the bytes real kubectl 1.32 sent for `create deployment web --image=nginx --port=80`', () => {
    const body = hex(`6b387300 0a150a07 61707073 2f763112 0a446570 6c6f796d 656e7412 b8010a1f 0a037765
      6212001a 0022002a 00320038 0042005a 0a0a0361 70701203 77656212 86010801 120c0a0a
      0a036170 70120377 65621a6c 0a1c0a00 12001a00 22002a00 32003800 42005a0a 0a036170
      70120377 6562124c 122e0a05 6e67696e 7812056e 67696e78 2a00320a 0a001000 18502200
      2a004200 6a007200 80010088 01009001 00a20100 1a003200 42004a00 52005800 60006800
      8201008a 01009a01 00c20100 22020a00 28003800 1a0c0800 10001800 20002800 38001a00
      2200`);
    expect(decodeProtobufObject(body)).toEqual({
      kind: 'Deployment', apiVersion: 'apps/v1',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('prints fields as Go does: omitempty zero values dropped, pointers and required fields kept', () => {
    const body = envelope('v1', 'Pod', 'k8ts.core.Pod', {
      metadata: { name: 'p', namespace: '', generation: 0, creationTimestamp: {}, deletionTimestamp: { seconds: 1767225600, nanos: 5 }, deletionGracePeriodSeconds: 0 },
      spec: {
        containers: [{
          name: '', image: '', stdin: false, tty: true,
          env: [{ name: 'A', valueFrom: { secretKeyRef: { localObjectReference: { name: 's' }, key: 'k', optional: false } } }],
          livenessProbe: { handler: { httpGet: { path: '/', port: { type: 1, strVal: 'http' } } }, periodSeconds: 0, terminationGracePeriodSeconds: 0 },
          readinessProbe: { handler: { tcpSocket: { port: { type: 0, intVal: 8080 } } } },
          resources: { limits: { cpu: { string: '500m' } }, requests: { memory: { string: '' } } },
          securityContext: { runAsUser: 0, privileged: false },
        }],
        volumes: [{ name: 'cfg', volumeSource: { configMap: { localObjectReference: { name: 'cm' }, defaultMode: 420 } } }],
        tolerations: [{ key: 'k', operator: 'Exists', tolerationSeconds: 0 }],
        restartPolicy: '',
        terminationGracePeriodSeconds: 30,
      },
      status: {},
    });
    expect(decodeProtobufObject(body)).toEqual({
      kind: 'Pod', apiVersion: 'v1',
      metadata: { name: 'p', creationTimestamp: null, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 },
      spec: {
        volumes: [{ name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } }],
        containers: [{
          name: '', tty: true,
          env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: false } } }],
          livenessProbe: { httpGet: { path: '/', port: 'http' }, terminationGracePeriodSeconds: 0 },
          readinessProbe: { tcpSocket: { port: 8080 } },
          resources: { limits: { cpu: '500m' }, requests: { memory: '0' } },
          securityContext: { runAsUser: 0, privileged: false },
        }],
        terminationGracePeriodSeconds: 30,
        tolerations: [{ key: 'k', operator: 'Exists', tolerationSeconds: 0 }],
      },
      status: {},
    });
  });

  it('gives Secret bytes as base64 and keeps binary data intact', () => {
    const bin = Uint8Array.of(0, 255, 128, 10);
    const body = envelope('v1', 'Secret', 'k8ts.core.Secret', { metadata: { name: 's' }, data: { bin, txt: Buffer.from('hé') }, type: 'Opaque', immutable: true });
    expect(decodeProtobufObject(body)).toEqual({
      kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' },
      data: { bin: Buffer.from(bin).toString('base64'), txt: Buffer.from('hé').toString('base64') }, type: 'Opaque', immutable: true,
    });
  });

  it('decodes an Eviction with DeleteOptions, and DeleteOptions under any group version', () => {
    const ev = envelope('policy/v1', 'Eviction', 'k8ts.policy.Eviction', {
      metadata: { name: 'p', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, dryRun: ['All'] },
    });
    expect(decodeProtobufObject(ev)).toEqual({
      kind: 'Eviction', apiVersion: 'policy/v1', metadata: { name: 'p', namespace: 'default' },
      deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, dryRun: ['All'] },
    });
    const del = envelope('apps/v1', 'DeleteOptions', 'k8ts.meta.DeleteOptions', { propagationPolicy: 'Foreground' });
    expect(decodeProtobufObject(del)).toEqual({ kind: 'DeleteOptions', apiVersion: 'apps/v1', propagationPolicy: 'Foreground' });
  });

  it('round-trips objects through encodeProtobufObject', () => {
    const objects = [
      {
        kind: 'Deployment', apiVersion: 'apps/v1',
        metadata: { name: 'd', labels: { app: 'd' }, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u', controller: true }] },
        spec: {
          replicas: 0, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['d'] }] },
          template: {
            metadata: { labels: { app: 'd' } },
            spec: {
              containers: [{ name: 'c', image: 'i', command: ['a'], ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
                lifecycle: { preStop: { sleep: { seconds: 5 } } }, startupProbe: { exec: { command: ['true'] }, failureThreshold: 30 } }],
              affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } },
                podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'd' } } } }] } },
              topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', minDomains: 2 }],
              volumes: [{ name: 'e', emptyDir: { sizeLimit: '1Gi' } }, { name: 'g', gcePersistentDisk: { pdName: 'disk', fsType: 'ext4' } }, { name: 'eph', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } }, { name: 'p', projected: { sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 3600 } }] } }],
            },
          },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%', maxUnavailable: 0 } },
        },
      },
      { kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'j' }, spec: {
        backoffLimit: 0, suspend: false,
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [42] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
        successPolicy: { rules: [{ succeededIndexes: '0-2', succeededCount: 2 }] },
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      { kind: 'Service', apiVersion: 'v1', metadata: { name: 's' }, spec: { type: 'NodePort', selector: { a: 'b' }, ports: [{ port: 80, targetPort: 'web', nodePort: 30080 }], ipFamilyPolicy: 'SingleStack' } },
      { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n', annotations: { a: 'b' } }, spec: { finalizers: ['kubernetes'] } },
      {
        kind: 'Node', apiVersion: 'v1', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
        spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'k', effect: 'NoSchedule', timeAdded: '2026-01-02T03:04:05Z' }] },
        status: {
          capacity: { cpu: '2', memory: '4Gi', pods: '110' }, allocatable: { cpu: '1900m' },
          conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-02T03:04:05Z', lastTransitionTime: '2026-01-02T03:04:05Z', reason: 'KubeletReady', message: 'ok' }],
          addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: 'k', osImage: 'o', containerRuntimeVersion: 'containerd://2', kubeletVersion: 'v1.32.0', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
          images: [{ names: ['busybox'], sizeBytes: 1234567 }],
        },
      },
      {
        kind: 'Event', apiVersion: 'v1', metadata: { name: 'e', namespace: 'default' },
        involvedObject: { kind: 'Pod', namespace: 'default', name: 'p', uid: 'u', apiVersion: 'v1', fieldPath: 'spec.containers{c}' },
        reason: 'Pulled', message: 'done', source: { component: 'kubelet', host: 'n1' },
        firstTimestamp: '2026-01-02T03:04:05Z', lastTimestamp: '2026-01-02T03:04:06Z', count: 2, type: 'Normal',
        eventTime: '2026-01-02T03:04:05.123456Z', reportingComponent: 'kubelet', reportingInstance: 'n1',
      },
      { kind: 'Endpoints', apiVersion: 'v1', metadata: { name: 's' }, subsets: [{ addresses: [{ ip: '10.244.1.5', nodeName: 'n1', targetRef: { kind: 'Pod', name: 'p' } }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }] },
      {
        kind: 'StatefulSet', apiVersion: 'apps/v1', metadata: { name: 'db' },
        spec: {
          replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, podManagementPolicy: 'Parallel',
          template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres', volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }] }] } },
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' } }],
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, ordinals: { start: 0 },
        },
      },
      { kind: 'DaemonSet', apiVersion: 'apps/v1', metadata: { name: 'ds' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }], hostNetwork: true } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 0 } },
    ];
    for (const o of objects) expect(decodeProtobufObject(encodeProtobufObject(o))).toEqual(o);
  });

  it('refuses fields the schema lacks outside status instead of dropping them', () => {
    // VolumeSource field 99 (say, from a newer Kubernetes) is not declared here; PodStatus field 14 (resize) neither.
    const pod = protoRoot().lookupType('k8ts.core.Pod');
    const known = pod.encode(pod.fromObject({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } })).finish();
    const withVolume = Buffer.concat([known, Buffer.from(protobuf.Writer.create().uint32((2 << 3) | 2).bytes(
      protobuf.Writer.create().uint32((1 << 3) | 2).bytes(
        protobuf.Writer.create().uint32((1 << 3) | 2).string('v').uint32((2 << 3) | 2).bytes(
          protobuf.Writer.create().uint32((99 << 3) | 2).bytes(protobuf.Writer.create().uint32((1 << 3) | 2).string('disk').finish()).finish(),
        ).finish(),
      ).finish(),
    ).finish())]);
    expect(undeclaredFields(pod, withVolume)).toEqual(['Pod.spec.volumes.volumeSource#99']);
    const u = protoRoot().lookupType('k8ts.runtime.Unknown');
    const wrap = (raw: Uint8Array) => Uint8Array.from([...PROTOBUF_MAGIC, ...u.encode(u.fromObject({ typeMeta: { apiVersion: 'v1', kind: 'Pod' }, raw })).finish()]);
    expect(statusOf(() => decodeProtobufObject(wrap(withVolume)))).toEqual({ code: 400, reason: 'BadRequest' });
    const withStatus = Buffer.concat([known, Buffer.from(protobuf.Writer.create().uint32((3 << 3) | 2).bytes(
      protobuf.Writer.create().uint32((14 << 3) | 2).string('Proposed').finish()).finish())]);
    expect(decodeProtobufObject(wrap(withStatus))).toEqual({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] }, status: {} });
  });

  it('answers malformed bodies with 400 and kinds without a schema with 415', () => {
    expect(statusOf(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')))).toEqual({ code: 400, reason: 'BadRequest' });
    expect(statusOf(() => decodeProtobufObject(Uint8Array.of(0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff)))).toEqual({ code: 400, reason: 'BadRequest' });
    const crd = envelope('example.com/v1', 'Widget', 'k8ts.core.ConfigMap', { metadata: { name: 'w' } });
    expect(statusOf(() => decodeProtobufObject(crd))).toEqual({ code: 415, reason: 'UnsupportedMediaType' });
  });
});
