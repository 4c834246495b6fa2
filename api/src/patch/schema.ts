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
  fields: Record<string, PatchMeta>;
}

const struct = (name: string, fields: Record<string, PatchMeta> = {}): PatchSchema => ({ name, fields });
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
  ephemeralContainers: mergeBy('name', container),
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
  ReplicationController: workload('ReplicationController'),
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
