// Small object edits: scale, label, annotate, cordon/uncordon.
import type { Factory } from '../factory.ts';
import { pathFor, type APIResource } from '../discovery.ts';
import { visitsFromArgs } from '../resource/args.ts';
import { nameLine, type ObjectLike } from '../printers/index.ts';
import { AggregateError, FlagError } from '../errors.ts';
import { toCompactJson } from '../printers/json.ts';

interface Target { mapping: APIResource; namespace?: string; name: string }

/** Resolves "TYPE NAME...", "TYPE/NAME..." or "TYPE -l sel" / "TYPE --all" to objects. */
async function targets(f: Factory, args: string[], o: { selector?: string; all?: boolean; allNamespaces?: boolean }): Promise<Target[]> {
  const mapper = await f.restMapper();
  const { namespace } = f.namespace();
  const out: Target[] = [];
  for (const v of visitsFromArgs(mapper, args)) {
    const ns = v.mapping.namespaced ? namespace : undefined;
    if (v.name !== undefined) { out.push({ mapping: v.mapping, namespace: ns, name: v.name }); continue; }
    if (!o.selector && !o.all) throw new Error('resource(s) were provided, but no name was specified');
    const list = await f.rest().request<{ items: ObjectLike[] }>({ path: pathFor(v.mapping, o.allNamespaces ? undefined : ns), query: { labelSelector: o.selector } });
    for (const it of list.items ?? []) out.push({ mapping: v.mapping, namespace: it.metadata?.namespace, name: it.metadata?.name ?? '' });
  }
  return out;
}

export async function runScale(f: Factory, args: string[], o: { replicas?: string; currentReplicas?: string; selector?: string; all?: boolean }): Promise<void> {
  if (o.replicas === undefined) throw new FlagError('required flag(s) "replicas" not set');
  const replicas = Number(o.replicas);
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  if (!args.length) throw new Error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
  const ts = await targets(f, args, o);
  const errors: unknown[] = [];
  // The builder fetches the objects first; scale refuses when none could be found.
  const found: Target[] = [];
  for (const t of ts) {
    try { await f.rest().request({ path: pathFor(t.mapping, t.namespace, t.name) }); found.push(t); } catch (e) { errors.push(e); }
  }
  if (!found.length) {
    const msg = errors.map((e) => (e instanceof Error ? e.message : String(e))).join(', ');
    throw new Error(`no objects passed to scale ${msg}`);
  }
  for (const t of found) {
    try {
      const path = pathFor(t.mapping, t.namespace, t.name, 'scale');
      if (o.currentReplicas !== undefined && Number(o.currentReplicas) !== -1) {
        const scale = await f.rest().request<{ spec?: { replicas?: number } }>({ path });
        const cur = scale.spec?.replicas ?? 0;
        if (cur !== Number(o.currentReplicas)) throw new Error(`Expected replicas to be ${o.currentReplicas}, was ${cur}`);
        await f.rest().request({ method: 'PUT', path, body: { ...scale, spec: { ...scale.spec, replicas } } });
      } else {
        await f.rest().request({ method: 'PATCH', path, body: { spec: { replicas } }, contentType: 'application/merge-patch+json' });
      }
      f.io.out(nameLine({ apiVersion: t.mapping.group ? `${t.mapping.group}/${t.mapping.version}` : t.mapping.version, kind: t.mapping.kind, metadata: { name: t.name } }, 'scaled'));
    } catch (e) { errors.push(e); }
  }
  if (errors.length) throw new AggregateError(errors);
}

const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** "a=b", "c-" → changes; mirrors parseLabels/parseAnnotations. */
export function parseChanges(specs: string[], what: 'label' | 'annotation'): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const s of specs) {
    if (s.includes('=')) {
      const i = s.indexOf('=');
      const k = s.slice(0, i), v = s.slice(i + 1);
      if (!k) throw new Error(`invalid ${what} spec: ${s}`);
      if (what === 'label' && !labelValue.test(v)) {
        throw new Error(`invalid label value: "${s}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
      }
      set[k] = v;
    } else if (s.endsWith('-')) {
      remove.push(s.slice(0, -1));
    } else {
      throw new Error(`invalid ${what} spec: ${s}`);
    }
  }
  for (const r of remove) if (r in set) throw new Error(`can not both modify and remove ${what === 'label' ? 'a label' : 'an annotation'} in the same command`);
  return { set, remove };
}

/** label/annotate: split arguments into resources and KEY=VAL / KEY- changes. */
function splitArgs(args: string[]): { resources: string[]; changes: string[] } {
  const resources: string[] = [], changes: string[] = [];
  for (const a of args) (a.includes('=') || (a.endsWith('-') && resources.length > 0 && !a.includes('/')) ? changes : resources).push(a);
  return { resources, changes };
}

export async function runLabelOrAnnotate(f: Factory, what: 'label' | 'annotation', args: string[], o: { overwrite?: boolean; selector?: string; all?: boolean; allNamespaces?: boolean }): Promise<void> {
  const { resources, changes } = splitArgs(args);
  if (!changes.length) throw new Error(`at least one ${what} update is required`);
  if (!resources.length) throw new Error('one or more resources must be specified as <resource> <name> or <resource>/<name>');
  const { set, remove } = parseChanges(changes, what);
  const ts = await targets(f, resources, o);
  const errors: unknown[] = [];
  for (const t of ts) {
    try {
      const path = pathFor(t.mapping, t.namespace, t.name);
      const cur = await f.rest().request<ObjectLike>({ path });
      const field = what === 'label' ? 'labels' : 'annotations';
      const old = { ...((cur.metadata?.[field] as Record<string, string> | undefined) ?? {}) };
      if (!o.overwrite) {
        const clashes = Object.entries(set).filter(([k, v]) => k in old && old[k] !== v);
        if (clashes.length && what === 'label') throw new Error(`'${clashes[0][0]}' already has a value (${old[clashes[0][0]]}), and --overwrite is false`);
        if (clashes.length) {
          throw new Error(`--overwrite is false but found the following declared annotation(s): ${clashes.map(([k]) => `'${k}' already has a value (${old[k]})`).join('; ')}`);
        }
      }
      if (what === 'label') for (const k of remove) if (!(k in old)) f.io.out(`label "${k}" not found.\n`);
      const next: Record<string, string> = { ...old, ...set };
      for (const k of remove) delete next[k];
      const oldMeta = { ...cur.metadata, [field]: Object.keys(old).length ? old : undefined };
      const newMeta = { ...cur.metadata, [field]: Object.keys(next).length ? next : undefined };
      const oldText = toCompactJson({ ...cur, metadata: oldMeta });
      const newText = toCompactJson({ ...cur, metadata: newMeta });
      let msg = what === 'label' ? 'not labeled' : 'annotated';
      let result = cur;
      if (oldText !== newText) {
        const patch: Record<string, string | null> = {};
        for (const k of Object.keys(set)) if (old[k] !== set[k]) patch[k] = set[k];
        for (const k of remove) if (k in old) patch[k] = null;
        result = await f.rest().request<ObjectLike>({
          method: 'PATCH', path, contentType: 'application/merge-patch+json',
          body: { metadata: { [field]: Object.keys(next).length || Object.keys(patch).length ? patch : null } },
        });
        if (what === 'label') msg = !o.overwrite && newText.length < oldText.length ? 'unlabeled' : 'labeled';
      }
      f.io.out(nameLine(result, msg));
    } catch (e) { errors.push(e); }
  }
  if (errors.length) throw new AggregateError(errors);
}

export async function runCordon(f: Factory, args: string[], unschedulable: boolean, o: { selector?: string }): Promise<void> {
  const mapper = await f.restMapper();
  const nodes = mapper.resourceFor('nodes');
  const names: string[] = [];
  if (o.selector) {
    const list = await f.rest().request<{ items: ObjectLike[] }>({ path: pathFor(nodes), query: { labelSelector: o.selector } });
    for (const it of list.items ?? []) names.push(it.metadata?.name ?? '');
  } else {
    if (args.length !== 1) throw new Error('USAGE: ' + (unschedulable ? 'cordon' : 'uncordon') + ' NODE [flags]');
    names.push(args[0].replace(/^(nodes?|no)\//, ''));
  }
  const errors: unknown[] = [];
  for (const name of names) {
    try {
      const node = await f.rest().request<ObjectLike & { spec?: { unschedulable?: boolean } }>({ path: pathFor(nodes, undefined, name) });
      const verb = unschedulable ? 'cordoned' : 'uncordoned';
      if (!!node.spec?.unschedulable === unschedulable) { f.io.out(nameLine(node, `already ${verb}`)); continue; }
      const updated = await f.rest().request<ObjectLike>({
        method: 'PATCH', path: pathFor(nodes, undefined, name), contentType: 'application/strategic-merge-patch+json',
        body: { spec: { unschedulable: unschedulable ? true : null } },
      });
      f.io.out(nameLine(updated, verb));
    } catch (e) { errors.push(e); }
  }
  if (errors.length) throw new AggregateError(errors);
}
