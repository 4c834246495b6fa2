// The builder part of the rollout commands: "TYPE NAME", "TYPE/NAME", "TYPE -l sel" → fetched objects.
import type { Factory } from '../../factory.ts';
import { pathFor, type APIResource } from '../../discovery.ts';
import { visitsFromArgs } from '../../resource/args.ts';
import type { ObjectLike } from '../../printers/index.ts';

export type Obj = Record<string, any>;

/** One fetched object and how to address it (resource.Info). */
export interface Info { mapping: APIResource; namespace?: string; name: string; object: Obj }

export const requiredResourceMessage = 'required resource not specified';

/**
 * Resolves the arguments and fetches each object. A name that does not exist is the server's
 * NotFound error; a bare type needs a selector (or, with `allowAll`, means every object of the type).
 */
export async function fetchInfos(f: Factory, args: string[], o: { selector?: string; allowAll?: boolean } = {}): Promise<Info[]> {
  if (!args.length) throw new Error(requiredResourceMessage);
  const mapper = await f.restMapper();
  const { namespace } = f.namespace();
  const out: Info[] = [];
  for (const v of visitsFromArgs(mapper, args)) {
    const ns = v.mapping.namespaced ? namespace : undefined;
    if (v.name !== undefined) {
      const object = await f.rest().request<Obj>({ path: pathFor(v.mapping, ns, v.name) });
      out.push({ mapping: v.mapping, namespace: ns, name: v.name, object });
      continue;
    }
    if (!o.selector && !o.allowAll) throw new Error('resource(s) were provided, but no name was specified');
    const list = await f.rest().request<{ items?: Obj[] }>({ path: pathFor(v.mapping, ns), query: { labelSelector: o.selector } });
    for (const it of list.items ?? []) {
      const object = { apiVersion: apiVersionOf(v.mapping), kind: v.mapping.kind, ...it };
      out.push({ mapping: v.mapping, namespace: it.metadata?.namespace, name: it.metadata?.name ?? '', object });
    }
  }
  return out;
}

export function apiVersionOf(m: APIResource): string {
  return m.group ? `${m.group}/${m.version}` : m.version;
}

/** "deployments.apps": how kubectl names a resource in its own error messages. */
export function resourceString(m: APIResource): string {
  return m.group ? `${m.resource}.${m.group}` : m.resource;
}

/** An object stub that nameLine() prints as "deployment.apps/web". */
export function nameStub(info: Info): ObjectLike {
  return { apiVersion: apiVersionOf(info.mapping), kind: info.mapping.kind, metadata: { name: info.name } };
}

/** "{apps ReplicaSet}": Go's %v of a GroupKind. */
export function groupKindValue(m: APIResource): string {
  return `{${m.group} ${m.kind}}`;
}
