// Discovery and the RESTMapper: which resources the server serves, and what a typed name refers to.
import { resourcePath } from '@k8ts/api/resources.ts';
import type { RestClient } from '@k8ts/client/rest.ts';
import { NoResourceMatchError, NoKindMatchError } from './errors.ts';

/** One served resource, as kubectl's RESTMapping knows it. */
export interface APIResource {
  group: string;
  version: string;
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: string[];
}

const aggregatedAccept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

interface AggregatedResource {
  resource: string;
  responseKind?: { group?: string; version?: string; kind?: string };
  scope?: string;
  singularResource?: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: { subresource: string }[];
}
interface AggregatedList {
  kind?: string;
  items?: { metadata?: { name?: string }; versions?: { version: string; resources?: AggregatedResource[] }[] }[];
}
interface LegacyResource {
  name: string; singularName?: string; namespaced: boolean; kind: string; verbs?: string[];
  shortNames?: string[]; categories?: string[];
}

/** The discovery answer in kubectl's priority order: preferred versions first, core group first. */
export async function discoverResources(rest: RestClient): Promise<APIResource[]> {
  // One after the other: the second request reuses the first one's connection. In parallel each opens
  // its own, and a second TLS handshake costs more client CPU than the round trip it saves.
  const core = await rest.request<AggregatedList & { versions?: string[] }>({ path: '/api', accept: aggregatedAccept });
  const groups = await rest.request<AggregatedList & { groups?: { name: string; versions: { version: string }[]; preferredVersion?: { version: string } }[] }>({ path: '/apis', accept: aggregatedAccept });
  const out: APIResource[] = [];
  for (const doc of [core, groups]) {
    if (doc?.kind === 'APIGroupDiscoveryList') {
      for (const g of doc.items ?? []) {
        const group = g.metadata?.name ?? '';
        for (const v of g.versions ?? []) {
          for (const r of v.resources ?? []) {
            out.push({
              group, version: v.version, resource: r.resource,
              singular: r.singularResource ?? r.responseKind?.kind?.toLowerCase() ?? r.resource,
              kind: r.responseKind?.kind ?? '', namespaced: r.scope === 'Namespaced',
              shortNames: r.shortNames ?? [], categories: r.categories ?? [], verbs: r.verbs ?? [],
              subresources: (r.subresources ?? []).map((s) => s.subresource),
            });
          }
        }
      }
      continue;
    }
    const gvs: { group: string; version: string }[] = [];
    if (doc && 'versions' in doc && Array.isArray(doc.versions) && typeof doc.versions[0] === 'string') {
      for (const v of doc.versions as unknown as string[]) gvs.push({ group: '', version: v });
    }
    if (doc && 'groups' in doc) {
      for (const g of doc.groups ?? []) {
        const pref = g.preferredVersion?.version;
        const versions = g.versions.map((v) => v.version);
        for (const v of pref ? [pref, ...versions.filter((x) => x !== pref)] : versions) gvs.push({ group: g.name, version: v });
      }
    }
    const lists = await Promise.all(gvs.map((gv) => rest.request<{ resources: LegacyResource[] }>({
      path: gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`,
    })));
    gvs.forEach((gv, i) => {
      const all = lists[i]?.resources ?? [];
      for (const r of all) {
        if (r.name.includes('/')) continue;
        out.push({
          group: gv.group, version: gv.version, resource: r.name, singular: r.singularName || r.kind.toLowerCase(),
          kind: r.kind, namespaced: r.namespaced, shortNames: r.shortNames ?? [], categories: r.categories ?? [],
          verbs: r.verbs ?? [],
          subresources: all.filter((s) => s.name.startsWith(r.name + '/')).map((s) => s.name.slice(r.name.length + 1)),
        });
      }
    });
  }
  return out;
}

export function apiVersionOfResource(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** "pod", "deployment.apps": the GroupKind as kubectl prints it in names. */
export function groupKindName(r: { group: string; kind: string }): string {
  return (r.group ? `${r.kind}.${r.group}` : r.kind).toLowerCase();
}

/** The REST path of a collection or object (discovered resources have the fields the API's table has). */
export function pathFor(r: APIResource, namespace?: string, name?: string, subresource?: string): string {
  return resourcePath(r, namespace, name, subresource);
}

export class RESTMapper {
  readonly resources: APIResource[];
  constructor(resources: APIResource[]) { this.resources = resources; }

  /** What the user typed ("po", "pods", "Pod", "deploy", "deployments.apps", "deployments.v1.apps"). */
  resourceFor(typed: string): APIResource {
    const lower = typed.toLowerCase();
    // The shortcut expander first: a short name stands for its resource.
    for (const r of this.resources) {
      if (r.shortNames.includes(lower)) return r;
    }
    const candidates: { name: string; rest: string }[] = [{ name: lower, rest: '' }];
    const parts = lower.split('.');
    if (parts.length > 1) {
      candidates.push({ name: parts[0], rest: parts.slice(1).join('.') });
    }
    for (const c of candidates) {
      for (const r of this.resources) {
        if (c.name !== r.resource && c.name !== r.singular && c.name !== r.kind.toLowerCase()) continue;
        if (!c.rest) return r;
        if (c.rest === r.group || c.rest === `${r.version}.${r.group}` || (!r.group && c.rest === r.version)) return r;
      }
    }
    throw new NoResourceMatchError(typed);
  }

  /**
   * meta.RESTMapper.ResourcesFor for a bare name ("po", "pods", "pod", "Pod"): every served version
   * of every matching resource, in discovery priority order.
   */
  resourcesFor(typed: string): APIResource[] {
    const lower = typed.toLowerCase();
    const short = this.resources.find((r) => r.shortNames.includes(lower));
    const name = short ? short.resource : lower;
    const out = this.resources.filter((r) => name === r.resource || name === r.singular || name === r.kind.toLowerCase());
    if (!out.length) throw new NoResourceMatchError(typed);
    return out;
  }

  /** The resources of a category ("all"). */
  category(name: string): APIResource[] {
    return this.resources.filter((r) => r.categories.includes(name));
  }

  /** The mapping for an object's apiVersion and kind. */
  kindFor(apiVersion: string, kind: string): APIResource {
    const i = apiVersion.indexOf('/');
    const group = i < 0 ? '' : apiVersion.slice(0, i);
    const version = i < 0 ? apiVersion : apiVersion.slice(i + 1);
    const r = this.resources.find((x) => x.group === group && x.version === version && x.kind === kind);
    if (!r) throw new NoKindMatchError(kind, group, version);
    return r;
  }
}
