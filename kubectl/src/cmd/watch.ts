// kubectl get -w / --watch-only: print what exists, then stream changes (get.go's watch) until the
// server ends the stream (exit 0) or SIGINT/SIGTERM arrives (kubectl's interrupt handler: exit 1).
import type { Factory } from '../factory.ts';
import type { RestClient, ResponseStream } from '@k8ts/client';
import { pathFor, groupKindName, type APIResource } from '../discovery.ts';
import { visitsFromArgs } from '../resource/args.ts';
import { decorateTable, tableLines, type Table, type PrintOptions } from '../printers/table.ts';
import { omitManagedFields, nameLine, type ObjectLike } from '../printers/index.ts';
import { toJson, toCompactJson } from '../printers/json.ts';
import { toYaml } from '../printers/yaml.ts';
import { parseOutput, type OutputFormat } from './output.ts';
import { customColumnsHeader, customColumnsRows } from '../printers/custom-columns.ts';
import { ExitError } from '../errors.ts';
import { printJsonPath } from '../printers/jsonpath.ts';
import { sortByField, SortFieldNotFound } from '../printers/sort.ts';

const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** What `get -w` needs of get's options. */
export interface WatchOptions {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  showLabels?: boolean;
  showKind?: boolean;
  noHeaders?: boolean;
  labelColumns?: string[];
  chunkSize?: string;
  sortBy?: string;
  showManagedFields?: boolean;
  watchOnly?: boolean;
  outputWatchEvents?: boolean;
}

/** Display width of a cell: Go's tabwriter counts UTF-8 runes. */
function cellWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Go's text/tabwriter with kubectl's settings (minwidth 6, padding 3) and liggitt/tabwriter's
 * RememberWidths: a column never gets narrower than it was in an earlier block or flush, so rows
 * printed one event at a time stay aligned with the header.
 */
export class RememberingTabWriter {
  private pending = '';
  private readonly maxWidths: number[] = [];
  private readonly minWidth = 6;
  private readonly padding = 3;

  write(s: string): void { this.pending += s; }

  /** The aligned text written since the last flush. */
  flush(): string {
    const text = this.pending;
    this.pending = '';
    if (!text) return '';
    const trailing = text.endsWith('\n');
    const lines = (trailing ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
    const widths: number[][] = lines.map((cells) => new Array(Math.max(0, cells.length - 1)).fill(0));
    this.format(lines, widths, 0, 0, lines.length);
    const out = lines.map((cells, i) => cells.map((c, j) => (j < cells.length - 1 ? c + ' '.repeat(Math.max(0, widths[i][j] - cellWidth(c))) : c)).join(''));
    return out.join('\n') + (trailing ? '\n' : '');
  }

  private format(lines: string[][], widths: number[][], col: number, start: number, end: number): void {
    let i = start;
    while (i < end) {
      if (lines[i].length - 1 <= col) { i++; continue; }
      let j = i;
      let w = this.minWidth;
      while (j < end && lines[j].length - 1 > col) {
        w = Math.max(w, cellWidth(lines[j][col]) + this.padding);
        j++;
      }
      const remembered = this.maxWidths[col];
      if (remembered === undefined) this.maxWidths[col] = w;
      else if (remembered > w) w = remembered;
      else this.maxWidths[col] = w;
      for (let k = i; k < j; k++) widths[k][col] = w;
      this.format(lines, widths, col + 1, i, j);
      i = j;
    }
  }
}

/** formatEventType: the EVENT cell, padded as kubectl pads it. */
export function formatEventType(t: string): string {
  return ({ ADDED: 'ADDED   ', MODIFIED: 'MODIFIED', DELETED: 'DELETED ', ERROR: 'ERROR   ' } as Record<string, string>)[t] ?? t;
}

/** Prints watched objects as HumanReadablePrinter does: headers once (again when the columns change). */
export class WatchTablePrinter {
  private readonly o: PrintOptions;
  private lastColumns: Table['columnDefinitions'] | undefined;
  private printedHeaders = false;
  readonly w = new RememberingTabWriter();

  constructor(o: PrintOptions) { this.o = o; }

  print(t: Table, eventType?: string): void {
    const local = { ...this.o };
    const same = this.lastColumns && JSON.stringify(t.columnDefinitions) === JSON.stringify(this.lastColumns);
    if (this.printedHeaders && (!t.columnDefinitions?.length || same)) local.noHeaders = true;
    if (!t.columnDefinitions?.length) t = { ...t, columnDefinitions: this.lastColumns ?? [] };
    else if (!same) { this.lastColumns = t.columnDefinitions; this.printedHeaders = false; }
    if (t.rows?.length) this.printedHeaders = true;
    let d = decorateTable({ ...t, rows: t.rows ?? [] }, local);
    if (eventType) {
      d = {
        ...d,
        columnDefinitions: [{ name: 'Event', type: 'string' }, ...d.columnDefinitions],
        rows: d.rows.map((r) => ({ ...r, cells: [formatEventType(eventType), ...r.cells] })),
      };
    }
    this.w.write(tableLines(d, local));
  }
}

/** The objects' printer for -o json|yaml|name while watching. */
export class WatchGenericPrinter {
  private readonly format: 'json' | 'yaml' | 'name' | 'jsonpath';
  private readonly showManagedFields: boolean;
  private readonly template: string;
  private count = 0;
  constructor(format: 'json' | 'yaml' | 'name' | 'jsonpath', showManagedFields: boolean, template = '') {
    this.format = format;
    this.showManagedFields = showManagedFields;
    this.template = template;
  }
  print(obj: ObjectLike, eventType?: string): string {
    const o = this.showManagedFields ? obj : omitManagedFields(obj);
    if (this.format === 'name') return nameLine(o);
    if (this.format === 'jsonpath') {
      const data = eventType ? { type: eventType, object: o } : o;
      try { return printJsonPath(this.template, data); } catch (e) { throw new Error(`error executing jsonpath ${JSON.stringify(this.template)}: ${(e as Error).message}`); }
    }
    // metav1.WatchEvent marshals compactly, type before object.
    if (this.format === 'json') return eventType ? `{"type":${toCompactJson(eventType)},"object":${toCompactJson(o)}}\n` : toJson(o);
    const sep = this.count++ > 0 ? '---\n' : '';
    return sep + toYaml(eventType ? { type: eventType, object: o } : o);
  }
}

interface WatchTarget { mapping: APIResource; name?: string }

/**
 * Resolves SIGINT/SIGTERM into a promise. Once one arrived, further ones are ignored while the command
 * winds down (kubectl exits at the first one; a second must not kill us by default).
 */
export function interrupted(): { promise: Promise<void>; dispose(): void; fired(): boolean } {
  let fired = false;
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  const on = () => { fired = true; resolve(); };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    promise, fired: () => fired,
    dispose() {
      if (fired) return;
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

async function listAll(rest: RestClient, path: string, query: Record<string, string | number | undefined>, accept: string | undefined, limit: number): Promise<{ rv: string; tables: Table[]; objects: ObjectLike[] }> {
  const tables: Table[] = [];
  const objects: ObjectLike[] = [];
  let rv = '';
  let cont: string | undefined;
  do {
    const body = await rest.request<ObjectLike & { metadata?: { continue?: string; resourceVersion?: string } }>({
      path, query: { ...query, limit: limit > 0 ? limit : undefined, continue: cont }, accept,
    });
    const meta = body.metadata as { continue?: string; resourceVersion?: string } | undefined;
    cont = meta?.continue || undefined;
    rv = meta?.resourceVersion ?? rv;
    if (body.kind === 'Table') tables.push(body as unknown as Table);
    else {
      const kind = String(body.kind ?? '').replace(/List$/, '');
      for (const it of (body.items as ObjectLike[]) ?? []) objects.push({ apiVersion: body.apiVersion, kind, ...it });
    }
  } while (cont);
  return { rv, tables, objects };
}

export async function runGetWatch(f: Factory, args: string[], o: WatchOptions): Promise<void> {
  const out: OutputFormat = parseOutput(o.output);
  if (o.sortBy) f.io.err(o.watchOnly ? 'warning: --watch-only requested, --sort-by will be ignored\n' : 'warning: --watch requested, --sort-by will be ignored for watch events received\n');
  if (!args.length) {
    throw new Error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
  }
  const mapper = await f.restMapper();
  const visits: WatchTarget[] = visitsFromArgs(mapper, args);
  const kinds = new Set(visits.map((v) => `${v.mapping.group}/${v.mapping.resource}`));
  if (kinds.size > 1) throw new Error('you may only specify a single resource type');
  const { mapping: m, name } = visits[0];
  const { namespace } = f.namespace();
  const ns = o.allNamespaces || !m.namespaced ? undefined : namespace;
  const rest = f.rest();
  const table = out.kind === 'table';
  const accept = table ? tableAccept : undefined;
  const limit = Number(o.chunkSize ?? 500);

  const tablePrinter = table ? new WatchTablePrinter({
    wide: out.kind === 'table' && out.wide, noHeaders: o.noHeaders, withNamespace: !!o.allNamespaces && m.namespaced,
    kind: o.showKind ? groupKindName(m) : undefined, showLabels: o.showLabels, columnLabels: o.labelColumns,
  }) : undefined;
  const genericPrinter = out.kind === 'generic' ? new WatchGenericPrinter(out.format, !!o.showManagedFields)
    : out.kind === 'jsonpath' ? new WatchGenericPrinter('jsonpath', !!o.showManagedFields, out.template) : undefined;
  // skipPrinter: while false, objects are not printed (a Table still passes, without rows, for its columns).
  let outputObjects = !o.watchOnly;
  const printTable = (t: Table, eventType?: string) => tablePrinter!.print(outputObjects ? t : { ...t, rows: [] }, eventType);
  // -o custom-columns: the header once, then each object's row, aligned with the widths seen so far.
  const columnsWriter = out.kind === 'custom-columns' ? new RememberingTabWriter() : undefined;
  if (columnsWriter && out.kind === 'custom-columns' && (!o.noHeaders || out.fromFile)) columnsWriter.write(customColumnsHeader(out.columns));
  const printObject = (obj: ObjectLike, eventType?: string) => {
    if (!outputObjects) return;
    if (columnsWriter && out.kind === 'custom-columns') { columnsWriter.write(customColumnsRows(out.columns, obj)); f.io.out(columnsWriter.flush()); }
    else f.io.out(genericPrinter!.print(obj, eventType));
  };
  const flush = () => { if (tablePrinter) { const s = tablePrinter.w.flush(); if (s) f.io.out(s); } };

  let rv = '0';
  const query: Record<string, string | undefined> = { labelSelector: o.selector, fieldSelector: o.fieldSelector };
  const isList = name === undefined;
  if (visits.length > 1) {
    // Several named objects are printed, but only one object or collection can be watched.
    const ev = o.outputWatchEvents ? 'ADDED' : undefined;
    for (const v of visits) {
      const body = await rest.request<ObjectLike>({ path: pathFor(m, ns ?? namespace, v.name), accept });
      if (table) printTable(body.kind === 'Table' ? (body as unknown as Table) : singleRowTable(body), ev);
      else printObject(body, ev);
    }
    flush();
    throw new Error('you may only watch a single resource or type of resource at a time');
  }
  if (o.sortBy) query.includeObject = table ? 'Object' : undefined;
  if (!isList) {
    const body = await rest.request<ObjectLike>({ path: pathFor(m, ns ?? namespace, name), accept });
    const ev = o.outputWatchEvents ? 'ADDED' : undefined;
    if (table) printTable(body.kind === 'Table' ? (body as unknown as Table) : singleRowTable(body), ev);
    else printObject(body, ev);
    query.fieldSelector = `metadata.name=${name}`;
  } else {
    const listed = await listAll(rest, pathFor(m, ns), query, accept, limit);
    rv = listed.rv;
    const ev = o.outputWatchEvents ? 'ADDED' : undefined;
    for (const t of listed.tables) printTable(o.sortBy ? { ...t, rows: sortedRows(t.rows, o.sortBy) } : t, ev);
    for (const obj of o.sortBy ? sortByField(listed.objects, o.sortBy, (x) => x) : listed.objects) printObject(obj, ev);
  }
  flush();
  // Watches started from a list emit no synthetic ADDED events; a single object's watch does, so skip it.
  outputObjects = isList;

  const intr = interrupted();
  let stream: ResponseStream | undefined;
  try {
    stream = await Promise.race([
      rest.stream({ path: pathFor(m, ns ?? (isList ? undefined : namespace)), query: { ...query, resourceVersion: rv, watch: 'true' }, accept }),
      intr.promise.then(() => undefined),
    ]);
    if (stream) {
      const s = stream;
      void intr.promise.then(() => s.close());
      try {
        for await (const line of s) {
          let ev: { type?: string; object?: ObjectLike };
          try { ev = JSON.parse(line); } catch { continue; }
          if (!ev.type || ev.type === 'BOOKMARK' || !ev.object) continue;
          // An ERROR event (e.g. 410 Expired) ends the watch; the server closes the stream after it.
          if (ev.type === 'ERROR') break;
          const eventType = o.outputWatchEvents ? ev.type : undefined;
          if (table) printTable(ev.object.kind === 'Table' ? (ev.object as unknown as Table) : singleRowTable(ev.object), eventType);
          else printObject(ev.object, eventType);
          flush();
          outputObjects = true;
        }
      } catch (e) {
        // A watch connection that breaks ends the watch as a closed one does (kubectl exits 0).
        if (!(e as { code?: unknown }).code || typeof (e as { code?: unknown }).code !== 'string') throw e;
      }
    }
  } finally {
    intr.dispose();
    stream?.close();
  }
  if (intr.fired()) throw new ExitError(1);
}

/** The initial list sorted as get --sort-by sorts it (no rows when none has the field). */
function sortedRows(rows: Table['rows'], sortBy: string): Table['rows'] {
  try {
    return sortByField(rows, sortBy, (r) => r.object);
  } catch (e) {
    if (e instanceof SortFieldNotFound) return [];
    throw e;
  }
}

/** A NAME/AGE table for an object when the server sent no Table. */
function singleRowTable(obj: ObjectLike): Table {
  return {
    columnDefinitions: [{ name: 'Name', type: 'string', format: 'name', priority: 0 }],
    rows: [{ cells: [obj.metadata?.name ?? ''], object: { metadata: obj.metadata as { namespace?: string } } }],
  };
}
