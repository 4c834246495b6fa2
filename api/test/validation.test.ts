import { describe, expect, it } from 'vitest';
import { validateCreate, validateUpdate, isQualifiedName, isDNS1123Label, isConfigMapKey, FieldValueNotFound } from '../src/validation/index.ts';
import { setDefaults } from '../src/defaults/index.ts';
import { causeMessage, formatCauses, type FieldError } from '../src/status.ts';
import type { KubeObject } from '../src/object.ts';

/** Defaults then validates, as the API server does; returns "field: message" lines. */
function create(o: Record<string, unknown>): string[] {
  const obj = structuredClone(o) as KubeObject;
  setDefaults(obj);
  return validateCreate(obj).map(line);
}
const line = (e: FieldError) => `${e.field}: ${causeMessage(e)}`;

const meta = (name = 'p', extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', ...extra });
const pod = (spec: Record<string, unknown>, m = meta()) => ({ apiVersion: 'v1', kind: 'Pod', metadata: m, spec });
const c = (extra: Record<string, unknown> = {}) => ({ name: 'c', image: 'nginx:1.27', ...extra });

const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('name syntax', () => {
  it('reports upstream messages', () => {
    expect(isDNS1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(isQualifiedName('example.com/app')).toEqual([]);
    expect(isQualifiedName('/app')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('a/b/c')[0]).toMatch(/^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
    expect(isConfigMapKey('..x')).toEqual(["must not start with '..'"]);
  });
});

describe('metadata', () => {
  it('requires a valid name and a namespace for namespaced kinds', () => {
    expect(create(pod({ containers: [c()] }, { name: '', namespace: 'default' } as any))).toEqual(['metadata.name: Required value: name or generateName is required']);
    expect(create(pod({ containers: [c()] }, { name: 'Bad_Name', namespace: 'default' }))).toEqual([`metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN}`]);
    expect(create(pod({ containers: [c()] }, { name: 'p' } as any))).toEqual(['metadata.namespace: Required value']);
    expect(create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', namespace: 'x' } })).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
    expect(create(pod({ containers: [c()] }, { name: 'p', namespace: 'default', generateName: 'web-' } as any))).toEqual([]);
    expect(create(pod({ containers: [c()] }, { name: 'p', namespace: 'default', generateName: 'Web-' } as any))[0]).toMatch(/^metadata\.generateName: Invalid value: "Web-": a lowercase RFC 1123 subdomain/);
  });

  it('checks labels and annotations', () => {
    const errs = create(pod({ containers: [c()] }, meta('p', { labels: { 'bad key': 'ok', app: 'x'.repeat(64) }, annotations: { 'example.com/ok': 'y', '-bad': '' } })));
    expect(errs).toEqual([
      `metadata.labels: Invalid value: "bad key": ${NAME_PART}`,
      'metadata.labels: Invalid value: "' + 'x'.repeat(64) + '": must be no more than 63 characters',
      `metadata.annotations: Invalid value: "-bad": ${NAME_PART}`,
    ]);
    const big = create(pod({ containers: [c()] }, meta('p', { annotations: { a: 'x'.repeat(256 * 1024) } })));
    expect(big).toEqual(['metadata.annotations: Too long: may not be more than 262144 bytes']);
  });

  it('uses DNS labels for Namespace names and DNS-1035 labels for Service names', () => {
    expect(create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team.a' } })).toEqual([`metadata.name: Invalid value: "team.a": ${LABEL}`]);
    expect(create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } })).toEqual([]);
    expect(create({ apiVersion: 'v1', kind: 'Service', metadata: meta('1web'), spec: { ports: [{ port: 80 }] } })).toEqual([`metadata.name: Invalid value: "1web": ${DNS1035}`]);
  });
});

describe('Pod', () => {
  it('prints as kubectl shows: The Pod "bad" is invalid: spec.containers[0].image: Required value', () => {
    const o = pod({ containers: [{ name: 'c' }] }, meta('bad')) as KubeObject;
    setDefaults(o);
    expect(`The Pod "bad" is invalid: ${formatCauses(validateCreate(o))}`).toBe('The Pod "bad" is invalid: spec.containers[0].image: Required value');
  });

  it('requires containers; checks container names, uniqueness and ports', () => {
    expect(create(pod({}))).toEqual(['spec.containers: Required value']);
    expect(create(pod({ containers: [c({ name: 'Web' }), c({ name: '' }), c(), c()] }))).toEqual([
      `spec.containers[0].name: Invalid value: "Web": ${LABEL}`,
      'spec.containers[1].name: Required value',
      'spec.containers[3].name: Duplicate value: "c"',
    ]);
    expect(create(pod({ initContainers: [c()], containers: [c()] }))).toEqual(['spec.initContainers[0].name: Duplicate value: "c"']);
    expect(create(pod({ hostNetwork: true, containers: [c({ ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 8081 }] })] }))).toEqual([
      'spec.containers[0].ports[1].containerPort: Invalid value: 81: must match `hostPort` when `hostNetwork` is true',
    ]);
    expect(create(pod({ containers: [c({ ports: [{ containerPort: 80, name: 'http' }, { containerPort: 70000, protocol: 'ICMP' }, { containerPort: 0, name: 'http' }] })] }))).toEqual([
      'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[2].name: Duplicate value: "http"',
      'spec.containers[0].ports[2].containerPort: Required value',
    ]);
  });

  it('checks restartPolicy, dnsPolicy and imagePullPolicy values', () => {
    expect(create(pod({ containers: [c({ imagePullPolicy: 'Sometimes' })], restartPolicy: 'Sometimes', dnsPolicy: 'Google' }))).toEqual([
      'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
    ]);
  });

  it('checks volumes and volume mounts', () => {
    const errs = validateCreate((() => {
      const o = pod({
        volumes: [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {}, hostPath: { path: '/x' } }],
        containers: [c({ volumeMounts: [{ name: 'a', mountPath: '/a' }, { name: 'nope', mountPath: '/a' }] })],
      }) as KubeObject;
      setDefaults(o);
      return o;
    })());
    expect(errs.map((e) => `${e.field} ${e.type}`)).toEqual([
      'spec.volumes[1].name FieldValueDuplicate',
      'spec.volumes[2].hostPath FieldValueForbidden',
      'spec.containers[0].volumeMounts[1].name FieldValueNotFound',
      'spec.containers[0].volumeMounts[1].mountPath FieldValueInvalid',
    ]);
    expect(errs[1].detail).toBe('may not specify more than 1 volume type');
    expect(errs[2]).toEqual({ type: FieldValueNotFound, field: 'spec.containers[0].volumeMounts[1].name', value: 'nope' });
    expect(errs[3].detail).toBe('must be unique');
    // A volume without a source is defaulted to emptyDir, so only raw objects can miss it.
    const raw = pod({ volumes: [{ name: 'x' }], containers: [c({ imagePullPolicy: 'Always', terminationMessagePolicy: 'File' })], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' }) as KubeObject;
    expect(validateCreate(raw).map(line)).toEqual(['spec.volumes[0]: Required value: must specify a volume type']);
  });

  it('checks resources: requests ≤ limits, names, quantities', () => {
    expect(create(pod({ containers: [c({ resources: { limits: { cpu: '1' }, requests: { cpu: '1500m', memory: '-1Mi' } } })] }))).toEqual([
      'spec.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1',
      'spec.containers[0].resources.requests[memory]: Invalid value: "-1Mi": must be greater than or equal to 0',
    ]);
    expect(create(pod({ containers: [c({ resources: { limits: { gpu: '1', cpu: 'lots' } } })] }))).toEqual([
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      "spec.containers[0].resources.limits[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      // Pods default requests to limits, so the same problems show again under requests.
      'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      "spec.containers[0].resources.requests[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ]);
    expect(create(pod({ containers: [c({ resources: { limits: { 'example.com/dongle': '1' } } })] }))).toEqual([]);
  });

  it('checks probes have exactly one handler, env names and tolerations', () => {
    expect(create(pod({ containers: [c({ livenessProbe: {}, readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } }, env: [{ name: '' }, { name: 'A=B' }] })] }))).toEqual([
      'spec.containers[0].env[0].name: Required value',
      'spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
      'spec.containers[0].livenessProbe: Required value: must specify a handler type',
      'spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type',
    ]);
    expect(create(pod({ containers: [c()], tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Is' }, { key: 'k', effect: 'Never' }] }))).toEqual([
      'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      'spec.tolerations[1].operator: Unsupported value: "Is": supported values: "Equal", "Exists"',
      'spec.tolerations[2].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
  });

  it('allows only image, activeDeadlineSeconds, added tolerations on update', () => {
    const old = pod({ containers: [c()] }, meta('p', { resourceVersion: '5', uid: 'u1' })) as KubeObject;
    setDefaults(old);
    const upd = (f: (s: any) => void) => { const n = structuredClone(old); f(n.spec); setDefaults(n); return validateUpdate(n, old).map(line); };
    expect(upd((s) => { s.containers[0].image = 'nginx:1.28'; s.activeDeadlineSeconds = 60; s.tolerations = [{ key: 'k', operator: 'Exists' }]; })).toEqual([]);
    const forbidden = upd((s) => { s.restartPolicy = 'Never'; });
    expect(forbidden).toHaveLength(1);
    expect(forbidden[0].startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n')).toBe(true);
    expect(forbidden[0]).toContain('restartPolicy');
    expect(upd((s) => { s.containers.push(c({ name: 'd' })); })).toEqual(['spec.containers: Forbidden: pod updates may not add or remove containers']);
    expect(upd((s) => { s.containers[0].image = ''; })).toEqual(['spec.containers[0].image: Required value']);
    const withT = structuredClone(old);
    (withT.spec as any).tolerations = [{ key: 'k', operator: 'Exists' }];
    const removeT = structuredClone(withT);
    (removeT.spec as any).tolerations = [];
    expect(validateUpdate(removeT, withT).map(line)).toContain('spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds');
  });

  it('keeps metadata identity immutable and needs a resourceVersion on update', () => {
    const old = pod({ containers: [c()] }, meta('p', { resourceVersion: '5', uid: 'u1' })) as KubeObject;
    setDefaults(old);
    const n = structuredClone(old);
    n.metadata.uid = 'u2';
    delete n.metadata.resourceVersion;
    expect(validateUpdate(n, old).map(line)).toEqual([
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      'metadata.uid: Invalid value: "u2": field is immutable',
    ]);
  });
});

describe('Service', () => {
  const svc = (spec: Record<string, unknown>, name = 'web') => ({ apiVersion: 'v1', kind: 'Service', metadata: meta(name), spec });

  it('requires ports unless headless or ExternalName; names them when more than one', () => {
    expect(create(svc({ selector: { app: 'x' } }))).toEqual(['spec.ports: Required value']);
    expect(create(svc({ clusterIP: 'None', selector: { app: 'x' } }))).toEqual([]);
    expect(create(svc({ type: 'ExternalName', externalName: 'example.com' }))).toEqual([]);
    expect(create(svc({ type: 'ExternalName' }))).toEqual(['spec.externalName: Required value']);
    expect(create(svc({ ports: [{ port: 80 }, { port: 0, name: 'b' }, { port: 82, name: 'b', targetPort: 'Http' }] }))).toEqual([
      'spec.ports[0].name: Required value',
      'spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      // targetPort defaults to port, so it is out of range too (as upstream).
      'spec.ports[1].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[2].name: Duplicate value: "b"',
      'spec.ports[2].targetPort: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]);
  });

  it('checks type values and nodePort with ClusterIP', () => {
    expect(create(svc({ type: 'Internal', ports: [{ port: 80 }] }))).toEqual(['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']);
    expect(create(svc({ ports: [{ port: 80, nodePort: 30000 }] }))).toEqual(["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
    expect(create(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] }))).toEqual([]);
  });

  it('keeps clusterIPs once set', () => {
    const old = svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] }) as KubeObject;
    old.metadata.resourceVersion = '1';
    setDefaults(old);
    const n = structuredClone(old);
    (n.spec as any).clusterIP = '10.96.0.11';
    expect(validateUpdate(n, old).map(line)).toEqual(['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set']);
    const same = structuredClone(old);
    (same.spec as any).ports[0].port = 81;
    (same.spec as any).ports[0].targetPort = 81;
    expect(validateUpdate(same, old)).toEqual([]);
  });
});

describe('workloads', () => {
  const template = (labels: Record<string, string> | undefined, spec: Record<string, unknown> = {}) =>
    ({ metadata: labels ? { labels } : {}, spec: { containers: [c()], ...spec } });
  const deploy = (spec: Record<string, unknown>, kind = 'Deployment') => ({ apiVersion: 'apps/v1', kind, metadata: meta('web'), spec });

  it('Deployment selector must match the template labels', () => {
    expect(create(deploy({ selector: { matchLabels: { app: 'y' } }, template: template({ app: 'x' }) }))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`',
    ]);
    expect(create(deploy({ template: template({ app: 'x' }) }))).toEqual([
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`',
    ]);
    expect(create(deploy({ selector: {}, template: template({ app: 'x' }) }))).toEqual(['spec.selector: Invalid value: {}: empty selector is invalid for deployment']);
    expect(create(deploy({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['x', 'z'] }] }, template: template({ app: 'x' }) }))).toEqual([]);
  });

  it('Deployment replicas, template restartPolicy, strategy', () => {
    const ok = { selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }) };
    expect(create(deploy({ ...ok, replicas: -1 }))).toEqual(['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
    expect(create(deploy({ ...ok, template: template({ app: 'x' }, { restartPolicy: 'Never' }) }))).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
    expect(create(deploy({ ...ok, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }))).toEqual([
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0',
    ]);
    expect(create(deploy({ ...ok, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1', maxUnavailable: '120%' } } }))).toEqual([
      "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"1\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "120%": must not be greater than 100%',
    ]);
    expect(create(deploy({ ...ok, strategy: { type: 'Recreate', rollingUpdate: {} } }))).toEqual(["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
    expect(create(deploy({ ...ok, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c' }] } } }))).toEqual(['spec.template.spec.containers[0].image: Required value']);
  });

  it('selector is immutable on update (apps/v1)', () => {
    const old = deploy({ selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x', v: '1' }) }) as KubeObject;
    old.metadata.resourceVersion = '3';
    setDefaults(old);
    const n = structuredClone(old);
    (n.spec as any).selector = { matchLabels: { app: 'x', v: '1' } };
    expect(validateUpdate(n, old).map(line)).toEqual(['spec.selector: Invalid value: {"matchLabels":{"app":"x","v":"1"}}: field is immutable']);
    const scaled = structuredClone(old);
    (scaled.spec as any).replicas = 5;
    expect(validateUpdate(scaled, old)).toEqual([]);
  });

  it('ReplicaSet, DaemonSet and StatefulSet', () => {
    expect(create(deploy({ selector: { matchLabels: { app: 'x' } }, template: template({ app: 'y' }) }, 'ReplicaSet'))).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"y"}: `selector` does not match template `labels`',
    ]);
    expect(create(deploy({ selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }) }, 'DaemonSet'))).toEqual([]);
    expect(create(deploy({ selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }, 'DaemonSet'))).toEqual([
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ]);
    const sts = deploy({ serviceName: 'web', selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }) }, 'StatefulSet') as KubeObject;
    expect(create(sts)).toEqual([]);
    const old = structuredClone(sts);
    old.metadata.resourceVersion = '1';
    setDefaults(old);
    const n = structuredClone(old);
    (n.spec as any).serviceName = 'other';
    expect(validateUpdate(n, old).map(line)).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
    const scaled = structuredClone(old);
    (scaled.spec as any).replicas = 3;
    expect(validateUpdate(scaled, old)).toEqual([]);
  });

  it('Job: restartPolicy OnFailure or Never, generated selector', () => {
    const job = (spec: Record<string, unknown>) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta('pi', { uid: 'abc-123' }), spec });
    expect(create(job({ template: template(undefined) }))).toEqual(['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
    const ok = job({ template: template(undefined, { restartPolicy: 'Never' }) }) as KubeObject;
    setDefaults(ok);
    expect(validateCreate(ok)).toEqual([]);
    expect((ok.spec as any).selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc-123' } });
    expect((ok.spec as any).template.metadata.labels).toEqual({
      'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'abc-123', 'batch.kubernetes.io/controller-uid': 'abc-123',
    });
    expect(create(job({ manualSelector: true, template: template({ app: 'x' }, { restartPolicy: 'OnFailure' }) }))).toEqual(['spec.selector: Required value']);
    const old = structuredClone(ok);
    old.metadata.resourceVersion = '1';
    const n = structuredClone(old);
    (n.spec as any).template.spec.containers[0].image = 'other';
    expect(validateUpdate(n, old).map((e) => `${e.field} ${e.detail}`)).toEqual(['spec.template field is immutable']);
  });
});

describe('other kinds', () => {
  it('ConfigMap and Secret keys and sizes', () => {
    const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cm'), data });
    expect(create(cm({ 'bad key': 'x', 'good.key_1-a': 'y' }))).toEqual([
      "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
    expect(create(cm({ big: 'x'.repeat(1024 * 1024) }))).toEqual([': Too long: may not be more than 1048576 bytes']);
    const secret = (extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: meta('s'), ...extra });
    expect(create(secret({ data: { '..x': 'eA==' } }))).toEqual(['data[..x]: Invalid value: "..x": must not start with \'..\'']);
    expect(create(secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }))).toEqual(['data[tls.key]: Required value']);
    const old = secret({ data: { a: 'eA==' }, immutable: true }) as KubeObject;
    old.metadata.resourceVersion = '1';
    setDefaults(old);
    const n = structuredClone(old);
    (n as any).data.a = 'eQ==';
    expect(validateUpdate(n, old).map(line)).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
  });

  it('Node taints, Lease, EndpointSlice, Endpoints, Event', () => {
    expect(create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', effect: 'NoSchedule' }, { key: 'x' }] } }).map((e) => e.split(': ').slice(0, 2).join(': '))).toEqual([
      'spec.taints[1]: Duplicate value',
      'spec.taints[2].effect: Required value',
    ]);
    expect(create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('l'), spec: { holderIdentity: 'a', leaseDurationSeconds: 0 } })).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    ]);
    expect(create({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('s'), addressType: 'IPX', endpoints: [] })).toEqual([
      'addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"',
    ]);
    expect(create({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('s'), addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] })).toEqual([]);
    expect(create({ apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.1.2.3' }], ports: [{ port: 80 }] }] })).toEqual([]);
    expect(create({ apiVersion: 'v1', kind: 'Endpoints', metadata: meta('web'), subsets: [{ addresses: [{ ip: 'x' }], ports: [{ port: 80 }] }] })).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    expect(create({ apiVersion: 'v1', kind: 'Event', metadata: meta('p.1'), involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' }, reason: 'X' })).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
    expect(create({ apiVersion: 'v1', kind: 'Event', metadata: meta('p.1'), involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'X' })).toEqual([]);
  });

  it('DeleteOptions and Eviction bodies', () => {
    expect(validateCreate({ apiVersion: 'v1', kind: 'DeleteOptions', metadata: {}, propagationPolicy: 'Sometimes' } as KubeObject).map(line)).toEqual([
      'propagationPolicy: Unsupported value: "Sometimes": supported values: "Foreground", "Background", "Orphan", "nil"',
    ]);
    expect(validateCreate({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'default' } } as KubeObject)).toEqual([]);
  });
});

describe('Service update strategy helper', () => {
  it('carries allocated values over before validating a replace', async () => {
    const { patchAllocatedValues } = await import('../src/validation/index.ts');
    const old = { apiVersion: 'v1', kind: 'Service', metadata: meta('web', { resourceVersion: '2' }), spec: { type: 'NodePort', clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'], ports: [{ name: 'http', port: 80, nodePort: 30080 }] } } as KubeObject;
    setDefaults(old);
    const n = { apiVersion: 'v1', kind: 'Service', metadata: meta('web', { resourceVersion: '2' }), spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } } as KubeObject;
    setDefaults(n);
    expect(validateUpdate(structuredClone(n), old).map(line)).toEqual(['spec.clusterIPs[0]: Invalid value: []string{}: primary clusterIP can not be unset']);
    patchAllocatedValues(n as any, old as any);
    expect(n.spec).toMatchObject({ clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'], ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
    expect(validateUpdate(n, old)).toEqual([]);
  });
});

describe('update preparation and more update rules', () => {
  it('fills system metadata from the stored object so a plain replace validates', async () => {
    const { fillSystemFieldsForUpdate } = await import('../src/validation/index.ts');
    const old = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cm', { uid: 'u1', resourceVersion: '4', creationTimestamp: '2026-01-01T00:00:00Z' }), data: { a: 'b' } } as KubeObject;
    const n = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cm', { resourceVersion: '4' }), data: { a: 'c' } } as KubeObject;
    expect(validateUpdate(n, old).map((e) => e.field)).toEqual(['metadata.uid', 'metadata.creationTimestamp']);
    fillSystemFieldsForUpdate(n.metadata as any, old.metadata as any);
    expect(validateUpdate(n, old)).toEqual([]);
  });

  it('Node podCIDRs and EndpointSlice addressType do not change', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', resourceVersion: '1' }, spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] } } as KubeObject;
    const n = structuredClone(node);
    (n.spec as any).podCIDRs = ['10.244.2.0/24'];
    (n.spec as any).podCIDR = '10.244.2.0/24';
    expect(validateUpdate(n, node).map(line)).toEqual(['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
    const cordoned = structuredClone(node);
    (cordoned.spec as any).unschedulable = true;
    expect(validateUpdate(cordoned, node)).toEqual([]);
    const es = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('s', { resourceVersion: '1' }), addressType: 'IPv4', endpoints: [] } as KubeObject;
    const es2 = { ...structuredClone(es), addressType: 'IPv6' };
    expect(validateUpdate(es2, es).map(line)).toEqual(['addressType: Invalid value: "IPv6": field is immutable']);
  });
});

describe('mergeFieldErrors', () => {
  it('joins schema and validation errors without repeats', async () => {
    const { mergeFieldErrors } = await import('../src/validation/index.ts');
    const { checkSchema } = await import('../src/schema/index.ts');
    const o = pod({ containers: [{ image: 'x' }] }) as KubeObject;
    setDefaults(o);
    const merged = mergeFieldErrors(checkSchema(o).errors, validateCreate(o));
    expect(merged.map(line)).toEqual(['spec.containers[0].name: Required value']);
  });
});
