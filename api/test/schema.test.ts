import { describe, expect, it } from 'vitest';
import {
  checkSchema, definitions, definitionNameFor, openapiV3Document, openapiV3Root, pruneUnknownFields, schemaFor, strictDecodingMessage,
} from '../src/schema/index.ts';
import { resources } from '../src/resources.ts';
import type { KubeObject } from '../src/object.ts';

const pod = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec, ...extra });

describe('generated schemas', () => {
  it('has a schema with a gvk for every served kind and the option kinds', () => {
    for (const r of resources) {
      const name = definitionNameFor(r.group, r.version, r.kind);
      expect(name, `${r.group}/${r.version}/${r.kind}`).toBeDefined();
      expect(definitions[name!].description).toBeTruthy();
    }
    expect(definitionNameFor('policy', 'v1', 'Eviction')).toBe('io.k8s.api.policy.v1.Eviction');
    expect(definitionNameFor('autoscaling', 'v1', 'Scale')).toBe('io.k8s.api.autoscaling.v1.Scale');
    expect(definitionNameFor('', 'v1', 'Binding')).toBe('io.k8s.api.core.v1.Binding');
    expect(definitionNameFor('', 'v1', 'DeleteOptions')).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    expect(definitionNameFor('apps', 'v1', 'DeleteOptions')).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    expect(schemaFor('discovery.k8s.io/v1', 'EndpointSlice')).toBe(definitions['io.k8s.api.discovery.v1.EndpointSlice']);
  });

  it('requires what upstream requires', () => {
    expect(definitions['io.k8s.api.core.v1.Container'].required).toEqual(['name']);
    expect(definitions['io.k8s.api.core.v1.PodSpec'].required).toEqual(['containers']);
    expect(definitions['io.k8s.api.core.v1.ContainerPort'].required).toEqual(['containerPort']);
    expect(definitions['io.k8s.api.core.v1.ServicePort'].required).toEqual(['port']);
    expect(definitions['io.k8s.api.apps.v1.DeploymentSpec'].required).toEqual(['selector', 'template']);
    expect(definitions['io.k8s.api.discovery.v1.EndpointSlice'].required).toEqual(['addressType', 'endpoints']);
    expect(definitions['io.k8s.api.core.v1.ObjectReference'].required).toBeUndefined();
  });

  it('keeps descriptions for kubectl explain', () => {
    expect(definitions['io.k8s.api.core.v1.Pod'].description).toMatch(/^Pod is a collection of containers/);
    expect(definitions['io.k8s.api.core.v1.Container'].properties.image.description).toMatch(/Container image name/);
  });
});

describe('checkSchema', () => {
  it('accepts a valid pod, with nulls and status', () => {
    const r = checkSchema(pod({ containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] },
      { metadata: { name: 'p', creationTimestamp: null, labels: { app: 'x' } }, status: { phase: 'Pending' } }));
    expect(r).toEqual({ errors: [], unknownFields: [] });
  });

  it('nulls deep inside lists count as unset, and leave the object as it was; errors after them still point right', () => {
    const obj = pod({ containers: [{ name: 'c', image: 'nginx', ports: null, env: [{ name: 'A', value: null }] }, { name: 'd', image: 5, args: null }] },
      { metadata: { name: 'p', labels: null } });
    const before = JSON.stringify(obj);
    const r = checkSchema(obj);
    expect(r.errors.map((e) => e.field)).toEqual(['spec.containers[1].image']);
    expect(JSON.stringify(obj)).toBe(before);
  });

  it('names unknown fields as strict decoding does', () => {
    const r = checkSchema(pod({ foo: 1, containers: [{ name: 'c', imagee: 'nginx' }, { name: 'd', ports: [{ containerPort: 1, bar: 2 }] }] }, { extra: true }));
    expect(r.unknownFields).toEqual(['extra', 'spec.foo', 'spec.containers[0].imagee', 'spec.containers[1].ports[0].bar']);
    expect(strictDecodingMessage(['spec.foo', 'spec.bar'])).toBe('strict decoding error: unknown field "spec.foo", unknown field "spec.bar"');
  });

  it('does not flag metadata, apiVersion, kind or status', () => {
    const r = checkSchema({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'd', labels: { a: 'b' }, annotations: { x: 'y' }, managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }] },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
      status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
    });
    expect(r).toEqual({ errors: [], unknownFields: [] });
  });

  it('reports type, required and enum errors with Kubernetes field paths', () => {
    const r = checkSchema(pod({
      restartPolicy: 'Sometimes',
      containers: [{ name: 'c', ports: [{ containerPort: 80 }, { containerPort: 'http', protocol: 'ICMP' }] }, { image: 'x' }],
    }));
    expect(r.errors).toContainEqual({ type: 'FieldValueTypeInvalid', field: 'spec.containers[0].ports[1].containerPort', value: 'http', detail: 'must be of type integer' });
    expect(r.errors).toContainEqual({ type: 'FieldValueNotSupported', field: 'spec.containers[0].ports[1].protocol', value: 'ICMP', supported: ['SCTP', 'TCP', 'UDP'] });
    expect(r.errors).toContainEqual({ type: 'FieldValueNotSupported', field: 'spec.restartPolicy', value: 'Sometimes', supported: ['Always', 'Never', 'OnFailure'] });
    expect(r.errors).toContainEqual({ type: 'FieldValueRequired', field: 'spec.containers[1].name' });
    expect(r.errors).toHaveLength(4);
    // Required lists are left to validation: Go clients send empty lists as null.
    expect(checkSchema(pod({})).errors).toEqual([]);
    expect(checkSchema({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's' }, addressType: 'IPv4', endpoints: null }).errors).toEqual([]);
    expect(checkSchema({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's' }, endpoints: [] }).errors)
      .toEqual([{ type: 'FieldValueRequired', field: 'addressType' }]);
    // Required numbers and booleans are Go scalars: missing means zero upstream, not an error.
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd' }, status: { numberReady: 1 } };
    expect(checkSchema(ds).errors).toEqual([]);
    expect(checkSchema({ ...ds, status: { numberReady: 'one' } }).errors).toEqual([{ type: 'FieldValueTypeInvalid', field: 'status.numberReady', value: 'one', detail: 'must be of type integer' }]);
  });

  it('accepts Quantity and IntOrString as string or number', () => {
    const ok = checkSchema(pod({ containers: [{ name: 'c', resources: { limits: { cpu: 1, memory: '1Gi' }, requests: { cpu: '100m' } } }] }));
    expect(ok.errors).toEqual([]);
    const bad = checkSchema(pod({ containers: [{ name: 'c', resources: { limits: { cpu: true } } }] }));
    expect(bad.errors).toEqual([{ type: 'FieldValueTypeInvalid', field: 'spec.containers[0].resources.limits[cpu]', value: true, detail: 'must be of type string or number' }]);
    const svc = (targetPort: unknown): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort }] } });
    expect(checkSchema(svc(8080)).errors).toEqual([]);
    expect(checkSchema(svc('http')).errors).toEqual([]);
    expect(checkSchema(svc({})).errors).toEqual([{ type: 'FieldValueTypeInvalid', field: 'spec.ports[0].targetPort', value: {}, detail: 'must be of type integer or string' }]);
  });

  it('checks enums of the overlay: service type, strategy, taints, selector operators', () => {
    const svc = checkSchema({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'Internal', ports: [{ port: 80 }] } });
    expect(svc.errors).toEqual([{ type: 'FieldValueNotSupported', field: 'spec.type', value: 'Internal', supported: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] }]);
    const dep = checkSchema({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { strategy: { type: 'Blue' }, selector: { matchExpressions: [{ key: 'a', operator: 'Is' }] }, template: {} },
    });
    expect(dep.errors.map((e) => e.field)).toEqual(['spec.selector.matchExpressions[0].operator', 'spec.strategy.type']);
    const node = checkSchema({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Never' }] } });
    expect(node.errors).toEqual([{ type: 'FieldValueNotSupported', field: 'spec.taints[0].effect', value: 'Never', supported: ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] }]);
  });

  it('passes kinds it has no schema for', () => {
    expect(checkSchema({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' }, spec: { any: 1 } })).toEqual({ errors: [], unknownFields: [] });
  });
});

describe('pruneUnknownFields', () => {
  it('drops unknown fields and reports them', () => {
    const p = pod({ foo: 1, containers: [{ name: 'c', image: 'i', imagee: 'x' }] });
    expect(pruneUnknownFields(p)).toEqual(['spec.foo', 'spec.containers[0].imagee']);
    expect(p.spec).toEqual({ containers: [{ name: 'c', image: 'i' }] });
    expect(checkSchema(p).unknownFields).toEqual([]);
  });
});

describe('openapiV3Document', () => {
  it('serves components with gvk and PATCH operations with fieldValidation', () => {
    const doc = openapiV3Document('apps', 'v1') as any;
    const dep = doc.components.schemas['io.k8s.api.apps.v1.Deployment'];
    expect(dep['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    expect(dep.properties.metadata.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    expect(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    expect(doc.components.schemas['io.k8s.api.core.v1.PodSpec']).toBeDefined();
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch.parameters.map((p: any) => p.name)).toContain('fieldValidation');
    expect(patch.operationId).toBe('patchAppsV1NamespacedDeployment');
    const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].patch;
    expect(scale['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    // Every served kind of the group version has a PATCH operation.
    const kinds = Object.values(doc.paths).map((p: any) => p.patch?.['x-kubernetes-group-version-kind']?.kind).filter(Boolean);
    expect(new Set(kinds)).toEqual(new Set(['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Scale']));
    // Every $ref resolves inside the document.
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[\w.]+/g)!;
    for (const r of refs) expect(doc.components.schemas[r.slice(21)], r).toBeDefined();
  });

  it('covers cluster-scoped core kinds and lists the group versions', () => {
    const core = openapiV3Document('', 'v1') as any;
    expect(core.paths['/api/v1/nodes/{name}'].patch.operationId).toBe('patchCoreV1Node');
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch['x-kubernetes-group-version-kind']).toEqual({ group: '', version: 'v1', kind: 'Pod' });
    expect(openapiV3Document('nope', 'v1')).toBeUndefined();
    const root = openapiV3Root();
    expect(Object.keys(root.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/coordination.k8s.io/v1', 'apis/discovery.k8s.io/v1']));
    expect(root.paths['api/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
  });
});

describe('checkSchema and empty enum values', () => {
  it('leaves "" to defaults and validation, as Go decoding does', () => {
    const r = checkSchema({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: '', sessionAffinity: '', ports: [{ port: 80, protocol: '' }] } });
    expect(r.errors).toEqual([]);
  });
});

describe('patchMetaFor', () => {
  it('gives strategic merge keys as upstream tags them', async () => {
    const { patchMetaFor } = await import('../src/schema/index.ts');
    expect(patchMetaFor('v1', 'Pod', ['spec', 'containers'])).toMatchObject({ strategy: 'merge', mergeKey: 'name', listType: 'map', listMapKeys: ['name'] });
    expect(patchMetaFor('v1', 'Pod', ['spec', 'containers', 'ports'])).toMatchObject({ strategy: 'merge', mergeKey: 'containerPort', listMapKeys: ['containerPort', 'protocol'] });
    expect(patchMetaFor('apps/v1', 'Deployment', ['spec', 'template', 'spec', 'volumes'])).toMatchObject({ strategy: 'merge,retainKeys', mergeKey: 'name' });
    expect(patchMetaFor('apps/v1', 'Deployment', ['spec', 'template', 'spec', 'containers', 'env'])).toMatchObject({ mergeKey: 'name' });
    expect(patchMetaFor('apps/v1', 'Deployment', ['spec', 'strategy'])).toMatchObject({ strategy: 'retainKeys' });
    expect(patchMetaFor('v1', 'Service', ['spec', 'ports'])).toMatchObject({ mergeKey: 'port' });
    expect(patchMetaFor('v1', 'Node', ['status', 'conditions'])).toMatchObject({ mergeKey: 'type' });
    expect(patchMetaFor('v1', 'Pod', ['metadata', 'finalizers'])).toMatchObject({ strategy: 'merge', listType: 'set' });
    const tol = patchMetaFor('v1', 'Pod', ['spec', 'tolerations'])!;
    expect(tol.strategy).toBeUndefined();
    expect(tol.mergeKey).toBeUndefined();
    expect(patchMetaFor('v1', 'Pod', ['spec', 'nope'])).toBeUndefined();
    expect(patchMetaFor('v1', 'Pod', ['metadata', 'labels', 'app'])?.schema).toEqual({ type: 'string' });
  });
});

describe('committed schemas', () => {
  it('carry every overlay enum and patch tag (regenerate with node api/scripts/gen-schemas.ts)', async () => {
    const { enums, patchMeta } = await import('../scripts/schema-overlay.ts');
    for (const [def, props] of Object.entries(enums)) {
      for (const [p, values] of Object.entries(props)) {
        const prop = definitions[def].properties[p];
        expect(prop.enum ?? prop.items?.enum, `${def}.${p}`).toEqual(values);
      }
    }
    for (const [def, props] of Object.entries(patchMeta)) {
      for (const [p, m] of Object.entries(props)) {
        const prop = definitions[def].properties[p];
        expect(prop['x-kubernetes-patch-merge-key'], `${def}.${p}`).toBe(m.mergeKey);
        expect(prop['x-kubernetes-list-type'], `${def}.${p}`).toBe(m.listType);
      }
    }
  });
});

describe('warmSchemas', () => {
  it('compiles validators ahead of use', async () => {
    const { warmSchemas } = await import('../src/schema/index.ts');
    warmSchemas([{ apiVersion: 'v1', kind: 'ConfigMap' }]);
    expect(checkSchema({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 1 } } as KubeObject).errors)
      .toEqual([{ type: 'FieldValueTypeInvalid', field: 'data[a]', value: 1, detail: 'must be of type string' }]);
  });
});
