// The builder's ResourceTypeOrNameArgs: "pods", "pods,svc", "pod nginx web", "pod/nginx svc/web", "all".
import type { APIResource, RESTMapper } from '../discovery.ts';

/** One thing to fetch: a whole collection (name undefined) or one named object. */
export interface Visit { mapping: APIResource; name?: string }

export class ArgsError extends Error {}

function expand(mapper: RESTMapper, typed: string): APIResource[] {
  if (typed === 'all') {
    const all = mapper.category('all');
    // One entry per resource (preferred version only).
    const seen = new Set<string>();
    return all.filter((r) => { const k = `${r.group}/${r.resource}`; if (seen.has(k)) return false; seen.add(k); return true; });
  }
  return [mapper.resourceFor(typed)];
}

/** Turns command arguments into visits in the order kubectl fetches them. */
export function visitsFromArgs(mapper: RESTMapper, args: string[]): Visit[] {
  if (args.some((a) => a.includes('/'))) {
    return args.map((a) => {
      const i = a.indexOf('/');
      if (i < 0) {
        throw new ArgsError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`);
      }
      const type = a.slice(0, i), name = a.slice(i + 1);
      if (!name) throw new ArgsError(`arguments in resource/name form must have a single resource and name`);
      return { mapping: mapper.resourceFor(type), name };
    });
  }
  const [types, ...names] = args;
  const mappings = types.split(',').filter(Boolean).flatMap((t) => expand(mapper, t));
  if (!names.length) return mappings.map((mapping) => ({ mapping }));
  return mappings.flatMap((mapping) => names.map((name) => ({ mapping, name })));
}
