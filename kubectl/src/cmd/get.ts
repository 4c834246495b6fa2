// kubectl get: server-side Tables for people, yaml/json/name for programs.
import type { Factory } from '../factory.ts';
import { pathFor, groupKindName } from '../discovery.ts';
import type { APIResource } from '../discovery.ts';
import { visitsFromArgs, type Visit } from '../resource/args.ts';
import { TablePrinter, type Table, type TableRow } from '../printers/table.ts';
import { printGeneric, omitManagedFields, type ObjectLike } from '../printers/index.ts';
import { parseOutput, customColumnsOutput } from './output.ts';
import { printJsonPath } from '../printers/jsonpath.ts';
import { sortByField, sortTemplate, SortFieldNotFound } from '../printers/sort.ts';
import { AggregateError, UsageError } from '../errors.ts';
import { isNotFound } from '@k8ts/api/status.ts';
import { humanDuration } from '@k8ts/api/age.ts';
import { runGetWatch } from './watch.ts';

export const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

export interface GetOptions {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  showLabels?: boolean;
  showKind?: boolean;
  noHeaders?: boolean;
  labelColumns?: string[];
  ignoreNotFound?: boolean;
  chunkSize?: string;
  sortBy?: string;
  showManagedFields?: boolean;
  /** -w: list, then stream changes. */
  watch?: boolean;
  /** --watch-only: stream changes without listing first. */
  watchOnly?: boolean;
  /** --output-watch-events: an EVENT column / watch event objects. */
  outputWatchEvents?: boolean;
}

interface Fetched { visit: Visit; tables?: Table[]; objects?: ObjectLike[] }

/** A Table from a plain object or list, for servers that ignore as=Table (kubectl's default NAME AGE). */
function fallbackTable(body: ObjectLike): Table {
  const items = Array.isArray(body.items) ? (body.items as ObjectLike[]) : [body];
  return {
    columnDefinitions: [{ name: 'Name', type: 'string', format: 'name', priority: 0 }, { name: 'Age', type: 'string', priority: 0 }],
    rows: items.map((o) => {
      const ts = (o.metadata as { creationTimestamp?: string } | undefined)?.creationTimestamp;
      return { cells: [o.metadata?.name ?? '', ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>'], object: { metadata: o.metadata as TableRow['object'] extends { metadata?: infer X } | undefined ? X : never } };
    }),
  };
}

/** Table rows by --sort-by; kubectl 1.32 prints no rows at all when no row has the field. */
function sortRows(rows: TableRow[], sortBy: string): TableRow[] {
  try {
    return sortByField(rows, sortBy, (r) => r.object);
  } catch (e) {
    if (e instanceof SortFieldNotFound) return [];
    throw e;
  }
}

export async function runGet(f: Factory, args: string[], o: GetOptions): Promise<void> {
  const out = parseOutput(o.output);
  if (o.outputWatchEvents && !(o.watch || o.watchOnly)) throw new Error('--output-watch-events option can only be used with --watch or --watch-only');
  if (o.watch || o.watchOnly) return runGetWatch(f, args, o);
  if (!args.length) {
    f.io.err('You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\n');
    throw new UsageError('Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).', 'get');
  }
  if (o.sortBy) sortTemplate(o.sortBy);
  const mapper = await f.restMapper();
  const visits = visitsFromArgs(mapper, args);
  const { namespace } = f.namespace();
  const ns = (m: APIResource) => (o.allNamespaces || !m.namespaced ? undefined : namespace);
  const limit = Number(o.chunkSize ?? 500);
  const rest = f.rest();
  const errors: unknown[] = [];
  const fetched: Fetched[] = [];
  const table = out.kind === 'table';
  for (const visit of visits) {
    const m = visit.mapping;
    try {
      if (visit.name !== undefined) {
        const body = await rest.request<ObjectLike>({ path: pathFor(m, ns(m) ?? namespace, visit.name), accept: table ? tableAccept : undefined });
        fetched.push(table ? { visit, tables: [body.kind === 'Table' ? (body as unknown as Table) : fallbackTable(body)] } : { visit, objects: [body] });
        continue;
      }
      const tables: Table[] = [];
      const objects: ObjectLike[] = [];
      let cont: string | undefined;
      do {
        const body = await rest.request<ObjectLike & { metadata?: { continue?: string } }>({
          path: pathFor(m, ns(m)),
          query: { labelSelector: o.selector, fieldSelector: o.fieldSelector, limit: limit > 0 && !o.sortBy ? limit : undefined, continue: cont, includeObject: table && o.sortBy ? 'Object' : undefined },
          accept: table ? tableAccept : undefined,
        });
        cont = (body.metadata as { continue?: string } | undefined)?.continue || undefined;
        if (table) tables.push(body.kind === 'Table' ? (body as unknown as Table) : fallbackTable(body));
        else {
          const kind = String(body.kind ?? '').replace(/List$/, '');
          for (const it of (body.items as ObjectLike[]) ?? []) objects.push({ apiVersion: body.apiVersion, kind, ...it });
        }
      } while (cont);
      fetched.push(table ? { visit, tables } : { visit, objects });
    } catch (e) {
      if (o.ignoreNotFound && isNotFound(e)) continue;
      errors.push(e);
    }
  }

  if (!table) {
    const single = visits.length === 1 && visits[0].name !== undefined;
    if (single && errors.length) throw errors[0];
    let objs = fetched.flatMap((x) => x.objects ?? []).map((x) => (o.showManagedFields ? x : omitManagedFields(x)));
    if (o.sortBy) objs = sortByField(objs, o.sortBy, (x) => x);
    let doc: ObjectLike;
    if (single && objs.length === 1) doc = objs[0];
    else doc = { apiVersion: 'v1', items: objs, kind: 'List', metadata: { resourceVersion: '' } };
    if (!(objs.length === 0 && o.ignoreNotFound)) {
      if (out.kind === 'jsonpath') {
        try { f.io.out(printJsonPath(out.template, doc)); } catch (e) { throw new Error(`error executing jsonpath ${JSON.stringify(out.template)}: ${(e as Error).message}`); }
      } else if (out.kind === 'custom-columns') {
        customColumnsOutput(out, doc, !!o.noHeaders, (s) => f.io.out(s));
      } else {
        f.io.out(printGeneric(doc, out.format));
      }
    }
    if (errors.length) throw new AggregateError(errors);
    return;
  }

  const kinds = new Set(fetched.map((x) => `${x.visit.mapping.group}/${x.visit.mapping.version}/${x.visit.mapping.kind}`));
  const withKind = kinds.size > 1 || !!o.showKind;
  let written = 0;
  let separatorReady = false;
  let printer: TablePrinter | undefined;
  let last: APIResource | undefined;
  let allNamespaced = !o.allNamespaces;
  const write = (s: string) => {
    if (!s) return;
    if (separatorReady) { f.io.out('\n'); separatorReady = false; }
    f.io.out(s);
    written += s.length;
  };
  for (const x of fetched) {
    const m = x.visit.mapping;
    allNamespaced = allNamespaced && m.namespaced;
    if (!printer || last !== m) {
      if (printer) write(printer.flush());
      if (last && !o.noHeaders && written > 0) separatorReady = true;
      printer = new TablePrinter({
        wide: out.wide, noHeaders: o.noHeaders, withNamespace: !!o.allNamespaces && m.namespaced,
        kind: withKind ? groupKindName(m) : undefined, showLabels: o.showLabels, columnLabels: o.labelColumns,
      });
      last = m;
    }
    for (const t of x.tables ?? []) printer.print(o.sortBy ? { ...t, rows: sortRows(t.rows, o.sortBy) } : t);
  }
  if (printer) write(printer.flush());
  if (written === 0 && !o.ignoreNotFound && errors.length === 0) {
    f.io.err(allNamespaced ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
  }
  if (errors.length) throw new AggregateError(errors);
}
