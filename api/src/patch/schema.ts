// Strategic-merge-patch metadata: for each field of the Kubernetes types that carries a
// `patchStrategy` / `patchMergeKey` struct tag upstream, the strategy and merge key, organised as a tree
// of structs so a lookup follows the path through the object (pod templates inside workloads included).
// Lists not listed here are atomic (replaced); maps not listed here are merged key by key.

export interface PatchMeta {
  /** "merge", "replace", "retainKeys" or "merge,retainKeys". */
  strategy?: string;
  /** The key identifying list items (lists of maps with strategy merge). */
  mergeKey?: string;
  /** The struct of the field's value (for a list: of each element). */
  schema?: PatchSchema;
}

export interface PatchSchema {
  name: string;
  /** The upstream OpenAPI definition name, e.g. io.k8s.api.core.v1.PodSpec. */
  definition?: string;
  fields: Record<string, PatchMeta>;
}

const packages: Record<string, string> = {
  Deployment: 'apps', ReplicaSet: 'apps', DaemonSet: 'apps', StatefulSet: 'apps', Job: 'batch',
  Lease: 'coordination', EndpointSlice: 'discovery', ObjectMeta: 'meta', OwnerReference: 'meta',
};

function definitionOf(name: string): string {
  const base = name.replace(/(Spec|Status|Strategy)$/, '');
  const pkg = packages[name] ?? packages[base] ?? 'core';
  if (pkg === 'meta') return `io.k8s.apimachinery.pkg.apis.meta.v1.${name}`;
  return `io.k8s.api.${pkg}.v1.${name}`;
}

const struct = (name: string, fields: Record<string, PatchMeta> = {}): PatchSchema => ({ name, definition: definitionOf(name), fields });
const mergeBy = (mergeKey: string, schema?: PatchSchema): PatchMeta => ({ strategy: 'merge', mergeKey, schema });

export const emptySchema: PatchSchema = struct('unknown');

const conditionsByType = mergeBy('type');

const ownerReference = struct('OwnerReference');
export const objectMetaSchema = struct('ObjectMeta', {
  finalizers: { strategy: 'merge' },
  ownerReferences: mergeBy('uid', ownerReference),
});

const container = struct('Container', {
  ports: mergeBy('containerPort', struct('ContainerPort')),
  env: mergeBy('name', struct('EnvVar')),
  volumeMounts: mergeBy('mountPath', struct('VolumeMount')),
  volumeDevices: mergeBy('devicePath', struct('VolumeDevice')),
  resources: { schema: struct('ResourceRequirements') },
});

export const podSpecSchema = struct('PodSpec', {
  volumes: { strategy: 'merge,retainKeys', mergeKey: 'name', schema: struct('Volume') },
  initContainers: mergeBy('name', container),
  containers: mergeBy('name', container),
  ephemeralContainers: mergeBy('name', struct('EphemeralContainer', container.fields)),
  imagePullSecrets: mergeBy('name', struct('LocalObjectReference')),
  hostAliases: mergeBy('ip', struct('HostAlias')),
  topologySpreadConstraints: mergeBy('topologyKey', struct('TopologySpreadConstraint')),
  schedulingGates: mergeBy('name', struct('PodSchedulingGate')),
  resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name', schema: struct('PodResourceClaim') },
});

const podStatusSchema = struct('PodStatus', {
  conditions: conditionsByType,
  podIPs: mergeBy('ip', struct('PodIP')),
  hostIPs: mergeBy('ip', struct('HostIP')),
  resourceClaimStatuses: { strategy: 'merge,retainKeys', mergeKey: 'name', schema: struct('PodResourceClaimStatus') },
});

export const podTemplateSpecSchema = struct('PodTemplateSpec', {
  metadata: { schema: objectMetaSchema },
  spec: { schema: podSpecSchema },
});

const withConditions = (name: string) => struct(name, { conditions: conditionsByType });

const workload = (kind: string, spec: Record<string, PatchMeta> = {}) => struct(kind, {
  metadata: { schema: objectMetaSchema },
  spec: { schema: struct(`${kind}Spec`, { template: { schema: podTemplateSpecSchema }, ...spec }) },
  status: { schema: withConditions(`${kind}Status`) },
});

const kinds: Record<string, PatchSchema> = {
  Pod: struct('Pod', {
    metadata: { schema: objectMetaSchema },
    spec: { schema: podSpecSchema },
    status: { schema: podStatusSchema },
  }),
  PodTemplate: struct('PodTemplate', { metadata: { schema: objectMetaSchema }, template: { schema: podTemplateSpecSchema } }),
  Deployment: workload('Deployment', { strategy: { strategy: 'retainKeys', schema: struct('DeploymentStrategy') } }),
  ReplicaSet: workload('ReplicaSet'),
  DaemonSet: workload('DaemonSet'),
  StatefulSet: workload('StatefulSet'),
  Job: workload('Job'),
  Service: struct('Service', {
    metadata: { schema: objectMetaSchema },
    spec: { schema: struct('ServiceSpec', { ports: mergeBy('port', struct('ServicePort')) }) },
    status: { schema: withConditions('ServiceStatus') },
  }),
  Node: struct('Node', {
    metadata: { schema: objectMetaSchema },
    spec: { schema: struct('NodeSpec', { podCIDRs: { strategy: 'merge' } }) },
    status: { schema: struct('NodeStatus', { conditions: conditionsByType, addresses: mergeBy('type', struct('NodeAddress')) }) },
  }),
  Namespace: struct('Namespace', { metadata: { schema: objectMetaSchema }, status: { schema: withConditions('NamespaceStatus') } }),
  ServiceAccount: struct('ServiceAccount', { metadata: { schema: objectMetaSchema }, secrets: mergeBy('name', struct('ObjectReference')) }),
  ConfigMap: struct('ConfigMap', { metadata: { schema: objectMetaSchema } }),
  Secret: struct('Secret', { metadata: { schema: objectMetaSchema } }),
  Endpoints: struct('Endpoints', { metadata: { schema: objectMetaSchema } }),
  Event: struct('Event', { metadata: { schema: objectMetaSchema } }),
  Lease: struct('Lease', { metadata: { schema: objectMetaSchema } }),
  EndpointSlice: struct('EndpointSlice', { metadata: { schema: objectMetaSchema } }),
};

/** Whether k8ts knows the struct tags of a kind (upstream rejects strategic merge patches for others, e.g. CRs). */
export function hasPatchSchema(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(kinds, kind);
}

/** The patch schema of a kind; unknown kinds get the generic one (maps merge, lists replace). */
export function patchSchemaFor(kind: string): PatchSchema {
  return kinds[kind] ?? struct(kind, { metadata: { schema: objectMetaSchema } });
}

/** The metadata of field `key` of a struct, and the schema of its value. */
export function lookupPatchMeta(schema: PatchSchema, key: string): { meta: PatchMeta; schema: PatchSchema } {
  const meta = schema.fields[key] ?? {};
  return { meta, schema: meta.schema ?? emptySchema };
}

/**
 * Splits a field's patch strategies into (retainKeys, strategy), as upstream's
 * extractRetainKeysPatchStrategy: "merge,retainKeys" → (true, "merge").
 */
export function splitStrategy(strategy: string | undefined): { retainKeys: boolean; strategy: string } {
  if (!strategy) return { retainKeys: false, strategy: '' };
  const parts = strategy.split(',');
  if (parts.length === 1) return parts[0] === 'retainKeys' ? { retainKeys: true, strategy: '' } : { retainKeys: false, strategy: parts[0] };
  const retainKeys = parts.includes('retainKeys');
  return { retainKeys, strategy: parts.find((p) => p !== 'retainKeys') ?? '' };
}

export interface PatchExtensions {
  'x-kubernetes-patch-strategy': string;
  'x-kubernetes-patch-merge-key'?: string;
}

/**
 * The `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` extensions of the OpenAPI
 * definitions, by definition name and property (e.g. io.k8s.api.core.v1.PodSpec → containers →
 * merge/name). kubectl computes its apply patches from these when the OpenAPI v3 document has them.
 */
export function openapiPatchExtensions(): Record<string, Record<string, PatchExtensions>> {
  const out: Record<string, Record<string, PatchExtensions>> = {};
  const seen = new Set<PatchSchema>();
  const walk = (s: PatchSchema) => {
    if (seen.has(s)) return;
    seen.add(s);
    for (const [field, meta] of Object.entries(s.fields)) {
      if (meta.strategy && s.definition) {
        const ext: PatchExtensions = { 'x-kubernetes-patch-strategy': meta.strategy };
        if (meta.mergeKey) ext['x-kubernetes-patch-merge-key'] = meta.mergeKey;
        (out[s.definition] ??= {})[field] = ext;
      }
      if (meta.schema) walk(meta.schema);
    }
  };
  for (const s of Object.values(kinds)) walk(s);
  return out;
}

/**
 * The flat view of a kind's table: path in the object → strategy and merge key, e.g. for Deployment
 * "spec.template.spec.containers" → { strategy: "merge", mergeKey: "name" } and
 * "spec.template.spec.containers[].ports" → { strategy: "merge", mergeKey: "containerPort" }.
 */
export function patchMetaPaths(kind: string): Record<string, { strategy: string; mergeKey?: string }> {
  const out: Record<string, { strategy: string; mergeKey?: string }> = {};
  const walk = (s: PatchSchema, prefix: string, depth: number) => {
    if (depth > 12) return;
    for (const [field, meta] of Object.entries(s.fields)) {
      const path = prefix ? `${prefix}.${field}` : field;
      if (meta.strategy) out[path] = meta.mergeKey ? { strategy: meta.strategy, mergeKey: meta.mergeKey } : { strategy: meta.strategy };
      if (meta.schema) walk(meta.schema, meta.mergeKey || meta.strategy === 'merge' ? `${path}[]` : path, depth + 1);
    }
  };
  walk(patchSchemaFor(kind), '', 0);
  return out;
}
