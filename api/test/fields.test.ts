import { describe, it, expect } from 'vitest';
import { SelectorError } from '../src/labels.ts';
import { selectionPredicate, parseFieldSelector, fieldSelectorFor, fieldsOf, matchesFields, objectMatchesFields, FieldSelectorError, formatFieldSelector, requiresExactMatch } from '../src/fields.ts';

const pod = {
  metadata: { name: 'p1', namespace: 'default' },
  spec: { nodeName: 'node1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', hostNetwork: true },
  status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], nominatedNodeName: '' },
};

describe('field selector parsing', () => {
  it('parses =, == and != with escapes', () => {
    const s = parseFieldSelector('metadata.name=x,spec.nodeName!=,status.phase==Running,a=b\\,c');
    expect(s.requirements).toEqual([
      { field: 'a', operator: '=', value: 'b,c' },
      { field: 'metadata.name', operator: '=', value: 'x' },
      { field: 'spec.nodeName', operator: '!=', value: '' },
      { field: 'status.phase', operator: '=', value: 'Running' },
    ]);
    expect(formatFieldSelector(s)).toBe('a=b\\,c,metadata.name=x,spec.nodeName!=,status.phase=Running');
    expect(requiresExactMatch(s, 'metadata.name')).toBe('x');
    expect(parseFieldSelector('').requirements).toEqual([]);
  });
  it('rejects what upstream rejects', () => {
    expect(() => parseFieldSelector('foo')).toThrow("invalid selector: 'foo'; can't understand 'foo'");
    expect(() => parseFieldSelector('a=b=c')).toThrow('invalid field selector: unescaped character in value: =');
    expect(() => parseFieldSelector('a=b\\x')).toThrow('invalid field selector: invalid escape sequence: \\x');
    expect(() => parseFieldSelector('a=b\\')).toThrow('invalid field selector: invalid escape sequence: \\');
  });
});

describe('field selectors per kind', () => {
  it('matches pod fields', () => {
    expect(fieldsOf('Pod', pod)).toMatchObject({ 'metadata.name': 'p1', 'metadata.namespace': 'default', 'spec.nodeName': 'node1', 'spec.hostNetwork': 'true', 'status.phase': 'Running', 'status.podIP': '10.0.0.5', 'status.nominatedNodeName': '' });
    expect(objectMatchesFields('Pod', fieldSelectorFor('Pod', 'spec.nodeName=node1,status.phase!=Failed'), pod)).toBe(true);
    expect(objectMatchesFields('Pod', fieldSelectorFor('Pod', 'spec.nodeName='), pod)).toBe(false);
    expect(objectMatchesFields('Pod', fieldSelectorFor('Pod', 'spec.host=node1'), pod)).toBe(true);
    expect(objectMatchesFields('Pod', fieldSelectorFor('Pod', 'spec.restartPolicy=Always,spec.schedulerName=default-scheduler,spec.serviceAccountName=default'), pod)).toBe(true);
    expect(fieldsOf('Pod', { metadata: { name: 'x' } })['spec.hostNetwork']).toBe('false');
  });
  it('rejects unsupported labels with the kind\'s message', () => {
    expect(() => fieldSelectorFor('Pod', 'foo=bar')).toThrow(FieldSelectorError);
    expect(() => fieldSelectorFor('Pod', 'foo=bar')).toThrow('field label not supported: foo');
    expect(() => fieldSelectorFor('Node', 'metadata.namespace=x')).toThrow('field label not supported: metadata.namespace');
    expect(() => fieldSelectorFor('Deployment', 'spec.replicas=1')).toThrow('"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
    expect(() => fieldSelectorFor('ConfigMap', 'metadata.name=a')).not.toThrow();
  });
  it('covers events, nodes, secrets, namespaces, services, replicasets and jobs', () => {
    const ev = { metadata: { name: 'e', namespace: 'ns' }, involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p1', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{c}' }, reason: 'Pulled', type: 'Normal', source: { component: 'kubelet' }, reportingComponent: 'kubelet' };
    expect(objectMatchesFields('Event', fieldSelectorFor('Event', 'involvedObject.namespace=ns,involvedObject.uid=u1,involvedObject.name=p1'), ev)).toBe(true);
    expect(fieldsOf('Event', ev)).toMatchObject({ source: 'kubelet', reason: 'Pulled', type: 'Normal', 'involvedObject.kind': 'Pod', 'involvedObject.fieldPath': 'spec.containers{c}' });
    expect(fieldsOf('Event', { metadata: {}, reportingComponent: 'x' }).source).toBe('x');
    const node = { metadata: { name: 'n1' }, spec: { unschedulable: true } };
    expect(fieldsOf('Node', node)).toEqual({ 'metadata.name': 'n1', 'spec.unschedulable': 'true' });
    expect(objectMatchesFields('Secret', fieldSelectorFor('Secret', 'type=kubernetes.io/tls'), { metadata: { name: 's' }, type: 'kubernetes.io/tls' })).toBe(true);
    expect(fieldsOf('Namespace', { metadata: { name: 'ns' }, status: { phase: 'Active' } })).toEqual({ 'metadata.name': 'ns', 'status.phase': 'Active' });
    expect(fieldsOf('Service', { metadata: { name: 's', namespace: 'd' }, spec: { clusterIP: '10.96.0.1', type: 'ClusterIP' } })).toMatchObject({ 'spec.clusterIP': '10.96.0.1', 'spec.type': 'ClusterIP' });
    expect(fieldsOf('ReplicaSet', { metadata: { name: 'r' }, status: { replicas: 3 } })['status.replicas']).toBe('3');
    expect(fieldsOf('Job', { metadata: { name: 'j' }, status: {} })['status.successful']).toBe('0');
    expect(matchesFields(parseFieldSelector('metadata.namespace!=kube-system'), fieldsOf('ConfigMap', { metadata: { name: 'c', namespace: 'default' } }))).toBe(true);
  });
});

describe('selection predicate', () => {
  it('combines label and field selectors and reports both kinds of errors', () => {
    const p = selectionPredicate('Pod', 'app=web', 'spec.nodeName=node1');
    expect(p.matches({ ...pod, metadata: { ...pod.metadata, labels: { app: 'web' } } })).toBe(true);
    expect(p.matches({ ...pod, metadata: { ...pod.metadata, labels: { app: 'db' } } })).toBe(false);
    expect(p.matches(pod)).toBe(false);
    expect(selectionPredicate('Pod').matches(pod)).toBe(true);
    expect(() => selectionPredicate('Pod', 'a in', undefined)).toThrow(SelectorError);
    expect(() => selectionPredicate('Pod', '', 'nope=1')).toThrow('field label not supported: nope');
  });
});
