// Discovery documents: /api, /apis, /apis/<g>, /api/v1, /apis/<g>/<v>, plain and aggregated (v2, v2beta1).
import { resources, groupVersions, apiVersionOf, type ResourceInfo } from '@k8ts/api';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

export function versionInfo() {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: 'k8ts', gitTreeState: 'clean', buildDate: '2026-11-23T00:00:00Z',
    goVersion: `node${process.versions.node}`, compiler: 'k8ts', platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDoc(group: string) {
  const versions = groupVersions().filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList() {
  const groups = [...new Set(resources.filter((r) => r.group).map((r) => r.group))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) };
}

export function apiGroup(group: string) {
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group) };
}

export function apiResourceList(group: string, version: string) {
  const list: Record<string, unknown>[] = [];
  for (const r of resources.filter((x) => x.group === group && x.version === version)) {
    const main: Record<string, unknown> = {
      name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
    };
    if (r.shortNames.length) main.shortNames = r.shortNames;
    if (r.categories.length) main.categories = r.categories;
    main.storageVersionHash = hash(`${apiVersionOf(r)}/${r.kind}`);
    list.push(main);
    for (const s of r.subresources) {
      const e: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== r.group || s.version !== r.version) { e.group = s.group; e.version = s.version; }
      list.push(e);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: list };
}

function discoveryResource(r: ResourceInfo) {
  const d: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) d.shortNames = r.shortNames;
  if (r.categories.length) d.categories = r.categories;
  if (r.subresources.length) {
    d.subresources = r.subresources.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }));
  }
  return d;
}

/** The aggregated document for /api (legacy core group) or /apis (all named groups). */
export function aggregated(legacy: boolean, version: 'v2' | 'v2beta1') {
  const groups = legacy ? [''] : [...new Set(resources.filter((r) => r.group).map((r) => r.group))];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g },
      versions: groupVersions().filter((gv) => gv.group === g).map((gv) => ({
        version: gv.version,
        resources: resources.filter((r) => r.group === g && r.version === gv.version).map(discoveryResource),
        freshness: 'Current',
      })),
    })),
  };
}

function hash(s: string): string {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Buffer.from(String(h >>> 0)).toString('base64').slice(0, 11);
}
