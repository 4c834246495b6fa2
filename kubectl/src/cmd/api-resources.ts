// kubectl api-resources: the served resources (preferred versions), grouped by API group.
import type { Factory } from '../factory.ts';
import { apiVersionOfResource, type APIResource } from '../discovery.ts';
import { formatTabs } from '../printers/tabwriter.ts';

export interface ApiResourcesOptions { output?: string; noHeaders?: boolean; namespaced?: boolean; apiGroup?: string; verbs?: string[]; sortBy?: string }

export async function runApiResources(f: Factory, o: ApiResourcesOptions): Promise<void> {
  const mapper = await f.restMapper();
  const seen = new Set<string>();
  let rs: APIResource[] = mapper.resources.filter((r) => {
    const k = `${r.group}/${r.resource}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (o.namespaced !== undefined) rs = rs.filter((r) => r.namespaced === o.namespaced);
  if (o.apiGroup !== undefined) rs = rs.filter((r) => r.group === o.apiGroup);
  if (o.verbs?.length) rs = rs.filter((r) => o.verbs!.every((v) => r.verbs.includes(v)));
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  rs = [...rs].sort((a, b) => {
    if (o.sortBy === 'name') return cmp(a.resource, b.resource);
    if (o.sortBy === 'kind') return cmp(a.kind, b.kind);
    return cmp(a.group, b.group) || cmp(a.resource, b.resource);
  });
  const out = (o.output ?? '').replace(/^=/, '');
  if (out === 'name') {
    f.io.out(rs.map((r) => (r.group ? `${r.resource}.${r.group}\n` : `${r.resource}\n`)).join(''));
    return;
  }
  if (out && out !== 'wide') throw new Error(`--output ${out} is not available`);
  const wide = out === 'wide';
  let s = '';
  if (!o.noHeaders) s += ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])].join('\t') + '\n';
  for (const r of rs) {
    const cells = [r.resource, r.shortNames.join(','), apiVersionOfResource(r), String(r.namespaced), r.kind];
    if (wide) cells.push(r.verbs.join(','), r.categories.join(','));
    s += cells.join('\t') + '\n';
  }
  f.io.out(formatTabs(s));
}
