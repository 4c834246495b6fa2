// The API resources k8ts serves: one table that discovery, routing, the client and kubectl all read.

export interface SubresourceInfo {
  name: string;            // "status", "scale", "binding", "eviction", "log", "exec", ...
  kind: string;            // response kind
  group: string;
  version: string;
  verbs: string[];
}

export interface ResourceInfo {
  group: string;           // "" for the core group
  version: string;
  resource: string;        // plural: "pods"
  singular: string;        // "pod"
  kind: string;            // "Pod"
  listKind: string;        // "PodList"
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceInfo[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const sub = (name: string, kind: string, group = '', version = 'v1', verbs = ['get', 'patch', 'update']): SubresourceInfo =>
  ({ name, kind, group, version, verbs });
const status = (kind: string, group = '', version = 'v1') => sub('status', kind, group, version);
const scale = sub('scale', 'Scale', 'autoscaling', 'v1');

function r(group: string, version: string, kind: string, resource: string, o: Partial<ResourceInfo> = {}): ResourceInfo {
  return {
    group, version, kind, resource,
    singular: kind.toLowerCase(),
    listKind: `${kind}List`,
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources: [],
    ...o,
  };
}

export const resources: ResourceInfo[] = [
  r('', 'v1', 'Namespace', 'namespaces', { namespaced: false, shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: [status('Namespace'), sub('finalize', 'Namespace', '', 'v1', ['update'])] }),
  r('', 'v1', 'Pod', 'pods', {
    shortNames: ['po'], categories: ['all'],
    subresources: [
      status('Pod'),
      sub('binding', 'Binding', '', 'v1', ['create']),
      sub('eviction', 'Eviction', 'policy', 'v1', ['create']),
      sub('log', 'Pod', '', 'v1', ['get']),
      sub('exec', 'PodExecOptions', '', 'v1', ['create', 'get']),
      sub('attach', 'PodAttachOptions', '', 'v1', ['create', 'get']),
      sub('portforward', 'PodPortForwardOptions', '', 'v1', ['create', 'get']),
    ],
  }),
  r('', 'v1', 'Node', 'nodes', { namespaced: false, shortNames: ['no'], subresources: [status('Node')] }),
  r('', 'v1', 'Service', 'services', { shortNames: ['svc'], categories: ['all'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], subresources: [status('Service')] }),
  r('', 'v1', 'Endpoints', 'endpoints', { singular: 'endpoints', listKind: 'EndpointsList', shortNames: ['ep'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets'),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
  r('', 'v1', 'Event', 'events', { shortNames: ['ev'] }),
  r('apps', 'v1', 'Deployment', 'deployments', { shortNames: ['deploy'], categories: ['all'], subresources: [status('Deployment', 'apps'), scale] }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', { shortNames: ['rs'], categories: ['all'], subresources: [status('ReplicaSet', 'apps'), scale] }),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', { shortNames: ['ds'], categories: ['all'], subresources: [status('DaemonSet', 'apps')] }),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', { shortNames: ['sts'], categories: ['all'], subresources: [status('StatefulSet', 'apps'), scale] }),
  r('batch', 'v1', 'Job', 'jobs', { categories: ['all'], subresources: [status('Job', 'batch')] }),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases'),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices'),
];

export interface GroupVersion { group: string; version: string }

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

export function parseApiVersion(apiVersion: string): GroupVersion {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function groupVersions(): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const x of resources) seen.set(apiVersionOf(x), { group: x.group, version: x.version });
  return [...seen.values()];
}

const byGVR = new Map(resources.map((x) => [`${x.group}/${x.version}/${x.resource}`, x]));
const byGVK = new Map(resources.map((x) => [`${x.group}/${x.version}/${x.kind}`, x]));

export function lookupResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return byGVR.get(`${group}/${version}/${resource}`);
}

export function lookupKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  const gv = parseApiVersion(apiVersion);
  return byGVK.get(`${gv.group}/${gv.version}/${kind}`);
}

/**
 * Resolves what a user types (kubectl style): "po", "pods", "pod", "Pod", "deploy", "deployments.apps",
 * "deployments.v1.apps". Undefined when nothing matches.
 */
export function resolveResource(name: string): ResourceInfo | undefined {
  const lower = name.toLowerCase();
  const parts = lower.split('.');
  const head = parts[0];
  const rest = parts.slice(1).join('.');
  for (const x of resources) {
    const names = [x.resource, x.singular, x.kind.toLowerCase(), ...x.shortNames];
    if (!names.includes(head)) continue;
    if (!rest) return x;
    if (rest === x.group || rest === `${x.version}.${x.group}` || (x.group === '' && rest === x.version)) return x;
  }
  return undefined;
}

/** The REST path of a collection or object: /api/v1/namespaces/ns/pods/name. */
export function resourcePath(r: Pick<ResourceInfo, 'group' | 'version' | 'resource' | 'namespaced'>, namespace?: string, name?: string, subresource?: string): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
