// What the Go types (and so kubernetes-types) cannot say, added to the generated schemas: enums (the
// `+enum` values of upstream's OpenAPI), Quantity and IntOrString shapes, free-form objects, and the
// x-kubernetes-group-version-kind of every top-level kind.
type Schema = Record<string, any>;

const core = 'io.k8s.api.core.v1';
const apps = 'io.k8s.api.apps.v1';
const batch = 'io.k8s.api.batch.v1';
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const discovery = 'io.k8s.api.discovery.v1';

const protocols = ['SCTP', 'TCP', 'UDP'];
const taintEffects = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

/** definition → property → allowed values (for arrays: of the items). */
export const enums: Record<string, Record<string, string[]>> = {
  [`${core}.ContainerPort`]: { protocol: protocols },
  [`${core}.ServicePort`]: { protocol: protocols },
  [`${core}.EndpointPort`]: { protocol: protocols },
  [`${discovery}.EndpointPort`]: { protocol: protocols },
  [`${core}.PodSpec`]: {
    restartPolicy: ['Always', 'Never', 'OnFailure'],
    dnsPolicy: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
    preemptionPolicy: ['Never', 'PreemptLowerPriority'],
  },
  [`${core}.Container`]: {
    imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
    terminationMessagePolicy: ['FallbackToLogsOnError', 'File'],
    restartPolicy: ['Always'],
  },
  [`${core}.EphemeralContainer`]: {
    imagePullPolicy: ['Always', 'IfNotPresent', 'Never'],
    terminationMessagePolicy: ['FallbackToLogsOnError', 'File'],
  },
  [`${core}.ServiceSpec`]: {
    type: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'],
    externalTrafficPolicy: ['Cluster', 'Local'],
    internalTrafficPolicy: ['Cluster', 'Local'],
    sessionAffinity: ['ClientIP', 'None'],
    ipFamilyPolicy: ['PreferDualStack', 'RequireDualStack', 'SingleStack'],
    ipFamilies: ['IPv4', 'IPv6'],
  },
  [`${core}.HTTPGetAction`]: { scheme: ['HTTP', 'HTTPS'] },
  [`${core}.Taint`]: { effect: taintEffects },
  [`${core}.Toleration`]: { operator: ['Equal', 'Exists'] },
  [`${core}.NodeSelectorRequirement`]: { operator: ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'] },
  [`${core}.NamespaceStatus`]: { phase: ['Active', 'Terminating'] },
  [`${core}.PodStatus`]: { phase: ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'] },
  [`${meta}.LabelSelectorRequirement`]: { operator: ['DoesNotExist', 'Exists', 'In', 'NotIn'] },
  [`${meta}.DeleteOptions`]: { propagationPolicy: ['Background', 'Foreground', 'Orphan'] },
  [`${apps}.DeploymentStrategy`]: { type: ['Recreate', 'RollingUpdate'] },
  [`${apps}.DaemonSetUpdateStrategy`]: { type: ['OnDelete', 'RollingUpdate'] },
  [`${apps}.StatefulSetUpdateStrategy`]: { type: ['OnDelete', 'RollingUpdate'] },
  [`${apps}.StatefulSetSpec`]: { podManagementPolicy: ['OrderedReady', 'Parallel'] },
  [`${batch}.JobSpec`]: { completionMode: ['Indexed', 'NonIndexed'], podReplacementPolicy: ['Failed', 'TerminatingOrFailed'] },
  [`${discovery}.EndpointSlice`]: { addressType: ['FQDN', 'IPv4', 'IPv6'] },
};

interface PatchMeta { strategy: string; mergeKey?: string; listType?: 'map' | 'set' | 'atomic'; listMapKeys?: string[] }
const merge = (mergeKey?: string, listMapKeys?: string[], strategy = 'merge'): PatchMeta =>
  ({ strategy, ...(mergeKey ? { mergeKey } : {}), listType: mergeKey ? 'map' : 'set', ...(mergeKey ? { listMapKeys: listMapKeys ?? [mergeKey] } : {}) });
const conditions = merge('type');

/**
 * Strategic-merge-patch metadata of the Go types (their patchStrategy / patchMergeKey tags and
 * +listType markers), written as upstream's OpenAPI writes it: x-kubernetes-patch-strategy,
 * x-kubernetes-patch-merge-key, x-kubernetes-list-type, x-kubernetes-list-map-keys.
 */
export const patchMeta: Record<string, Record<string, PatchMeta>> = {
  [`${meta}.ObjectMeta`]: { finalizers: merge(), ownerReferences: merge('uid') },
  [`${core}.PodSpec`]: {
    volumes: merge('name', undefined, 'merge,retainKeys'),
    initContainers: merge('name'),
    containers: merge('name'),
    ephemeralContainers: merge('name'),
    imagePullSecrets: merge('name'),
    hostAliases: merge('ip'),
    topologySpreadConstraints: merge('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    schedulingGates: merge('name'),
    resourceClaims: merge('name', undefined, 'merge,retainKeys'),
  },
  [`${core}.Container`]: {
    ports: merge('containerPort', ['containerPort', 'protocol']),
    env: merge('name'),
    volumeMounts: merge('mountPath'),
    volumeDevices: merge('devicePath'),
  },
  [`${core}.EphemeralContainer`]: {
    ports: merge('containerPort', ['containerPort', 'protocol']),
    env: merge('name'),
    volumeMounts: merge('mountPath'),
    volumeDevices: merge('devicePath'),
  },
  [`${core}.ResourceRequirements`]: { claims: { strategy: '', listType: 'map', listMapKeys: ['name'] } },
  [`${core}.PodStatus`]: { conditions, podIPs: merge('ip'), hostIPs: merge('ip') },
  [`${core}.ServiceSpec`]: { ports: merge('port', ['port', 'protocol']) },
  [`${core}.ServiceStatus`]: { conditions },
  [`${core}.NodeStatus`]: { conditions, addresses: merge('type') },
  [`${core}.NamespaceStatus`]: { conditions },
  [`${apps}.DeploymentSpec`]: {},
  [`${apps}.DeploymentStatus`]: { conditions },
  [`${apps}.ReplicaSetStatus`]: { conditions },
  [`${apps}.DaemonSetStatus`]: { conditions },
  [`${apps}.StatefulSetStatus`]: { conditions },
  [`${batch}.JobStatus`]: { conditions: { strategy: 'merge', mergeKey: 'type', listType: 'atomic' } },
};

/** The group/version/kind of each top-level definition. */
function gvkOf(name: string): { group: string; version: string; kind: string } | undefined {
  const m = /^io\.k8s\.api\.([a-z]+)\.(v\d\w*)\.(\w+)$/.exec(name);
  if (m) {
    const group = m[1] === 'core' ? '' : ['coordination', 'discovery'].includes(m[1]) ? `${m[1]}.k8s.io` : m[1];
    return { group, version: m[2], kind: m[3] };
  }
  return undefined;
}

function walk(s: unknown, f: (s: Schema) => void): void {
  if (Array.isArray(s)) { s.forEach((x) => walk(x, f)); return; }
  if (s && typeof s === 'object') {
    f(s as Schema);
    for (const v of Object.values(s)) walk(v, f);
  }
}

export function applyOverlay(defs: Record<string, Schema>): void {
  for (const [name, def] of Object.entries(defs)) {
    // apiVersion/kind are plain strings upstream (the server checks them, not the schema).
    for (const p of ['apiVersion', 'kind']) {
      const prop = def.properties?.[p];
      if (prop && 'const' in prop) { delete prop.const; prop.type = 'string'; }
    }
    // A top-level kind: has apiVersion, kind and metadata (or is a List / Status / option kind).
    const gvk = gvkOf(name);
    if (gvk && def.properties?.apiVersion && def.properties?.kind && def.properties?.metadata) def['x-kubernetes-group-version-kind'] = [gvk];
    // The Kubernetes API has no floating point fields: every TS number is an integer.
    walk(def, (s) => {
      if (s.type === 'number') s.type = 'integer';
    });
    // IntOrString appears inline as number|string.
    walk(def, (s) => {
      if (Array.isArray(s.type) && s.type.length === 2 && s.type.includes('number') && s.type.includes('string')) {
        delete s.type;
        s.anyOf = [{ type: 'integer' }, { type: 'string' }];
        s['x-kubernetes-int-or-string'] = true;
      }
    });
  }
  for (const [name, props] of Object.entries(enums)) {
    const def = defs[name];
    if (!def) continue;
    for (const [p, values] of Object.entries(props)) {
      const prop = def.properties?.[p];
      if (!prop) throw new Error(`overlay: ${name} has no property ${p}`);
      if (prop.type === 'array') prop.items = { ...prop.items, enum: values };
      else prop.enum = values;
    }
  }
  for (const [name, props] of Object.entries(patchMeta)) {
    const def = defs[name];
    if (!def) continue;
    for (const [p, m] of Object.entries(props)) {
      const prop = def.properties?.[p];
      if (!prop) throw new Error(`overlay: ${name} has no property ${p}`);
      if (m.strategy) prop['x-kubernetes-patch-strategy'] = m.strategy;
      if (m.mergeKey) prop['x-kubernetes-patch-merge-key'] = m.mergeKey;
      if (m.listType) prop['x-kubernetes-list-type'] = m.listType;
      if (m.listMapKeys) prop['x-kubernetes-list-map-keys'] = m.listMapKeys;
    }
  }
  const strategy = defs[`${apps}.DeploymentSpec`]?.properties?.strategy;
  if (strategy) strategy['x-kubernetes-patch-strategy'] = 'retainKeys';
  const quantity = defs['io.k8s.apimachinery.pkg.api.resource.Quantity'];
  if (quantity) { delete quantity.type; quantity.anyOf = [{ type: 'string' }, { type: 'number' }]; }
  for (const free of [`${meta}.FieldsV1`, 'io.k8s.apimachinery.pkg.runtime.RawExtension']) {
    const d = defs[free];
    if (d) { d.type = 'object'; d.additionalProperties = true; d['x-kubernetes-preserve-unknown-fields'] = true; delete d.properties; }
  }
  const del = defs[`${meta}.DeleteOptions`];
  if (del) {
    del['x-kubernetes-group-version-kind'] = [
      { group: '', version: 'v1', kind: 'DeleteOptions' }, { group: 'apps', version: 'v1', kind: 'DeleteOptions' },
      { group: 'batch', version: 'v1', kind: 'DeleteOptions' }, { group: 'policy', version: 'v1', kind: 'DeleteOptions' },
      { group: 'coordination.k8s.io', version: 'v1', kind: 'DeleteOptions' }, { group: 'discovery.k8s.io', version: 'v1', kind: 'DeleteOptions' },
      { group: 'autoscaling', version: 'v1', kind: 'DeleteOptions' },
    ];
  }
  const status = defs[`${meta}.Status`];
  if (status) status['x-kubernetes-group-version-kind'] = [{ group: '', version: 'v1', kind: 'Status' }];
}
