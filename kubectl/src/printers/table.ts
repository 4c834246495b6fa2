// Server-side Tables as kubectl prints them (printers.HumanReadablePrinter + decorateTable + printTable).
import { formatTabs } from './tabwriter.ts';

export interface TableColumnDefinition { name: string; type: string; format?: string; description?: string; priority?: number }
export interface TableRow { cells: unknown[]; object?: { metadata?: { namespace?: string; labels?: Record<string, string> } } }
export interface Table {
  kind?: string;
  apiVersion?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export interface PrintOptions {
  noHeaders?: boolean;
  wide?: boolean;
  withNamespace?: boolean;
  /** The lower-cased GroupKind ("pod", "deployment.apps") to prefix names with. */
  kind?: string;
  showLabels?: boolean;
  /** -L: label keys shown as extra columns. */
  columnLabels?: string[];
}

/** labels.FormatLabels: sorted "k=v,..." or "<none>". */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (!keys.length) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') {
    const i = v.search(/[\f\n\r]/);
    return i >= 0 ? v.slice(0, i) + '...' : v;
  }
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function labelHeader(key: string): string {
  const parts = key.split('/');
  return parts[parts.length - 1].toUpperCase();
}

/** decorateTable: NAMESPACE, kind-prefixed names, -L label columns, LABELS. Returns a new table. */
export function decorateTable(t: Table, o: PrintOptions): Table {
  let columns = t.columnDefinitions;
  const labels = o.columnLabels ?? [];
  const extra = labels.length + (o.withNamespace ? 1 : 0) + (o.showLabels ? 1 : 0);
  let nameColumn = -1;
  if (o.kind) nameColumn = columns.findIndex((c) => c.format === 'name' && c.type === 'string');
  if (extra) {
    columns = [
      ...(o.withNamespace ? [{ name: 'Namespace', type: 'string' }] : []),
      ...columns,
      ...labels.map((l) => ({ name: labelHeader(l), type: 'string' })),
      ...(o.showLabels ? [{ name: 'Labels', type: 'string' }] : []),
    ];
  }
  const rows = t.rows.map((r) => {
    let cells = [...r.cells];
    if (nameColumn >= 0) cells[nameColumn] = `${o.kind}/${cellText(cells[nameColumn])}`;
    const m = r.object?.metadata;
    if (o.withNamespace) cells = [m?.namespace ?? '', ...cells];
    for (const l of labels) cells.push(m?.labels?.[l] ?? '');
    if (o.showLabels) cells.push(formatLabels(m?.labels));
    return { ...r, cells };
  });
  return { ...t, columnDefinitions: columns, rows };
}

/** printTable: tab-separated lines (before the tabwriter), nothing at all when there are no rows. */
export function tableLines(t: Table, o: PrintOptions): string {
  const shown = (c: TableColumnDefinition) => o.wide || !c.priority;
  let s = '';
  if (!o.noHeaders) {
    if (!t.rows.length) return '';
    s += t.columnDefinitions.filter(shown).map((c) => c.name.toUpperCase()).join('\t') + '\n';
  }
  for (const r of t.rows) {
    const cells: string[] = [];
    r.cells.forEach((c, i) => {
      const def = t.columnDefinitions[i];
      if (!def || !shown(def)) return;
      cells.push(cellText(c));
    });
    s += cells.join('\t') + '\n';
  }
  return s;
}

/**
 * One HumanReadablePrinter: prints tables of one resource type, headers once (again only when the
 * columns change), through one tabwriter flushed by `flush()`.
 */
export class TablePrinter {
  private readonly o: PrintOptions;
  private lastColumns: TableColumnDefinition[] | undefined;
  private printedHeaders = false;
  private pending = '';

  constructor(o: PrintOptions) { this.o = o; }

  print(t: Table): void {
    const local = { ...this.o };
    const same = this.lastColumns && JSON.stringify(t.columnDefinitions) === JSON.stringify(this.lastColumns);
    if (this.printedHeaders && (t.columnDefinitions.length === 0 || same)) local.noHeaders = true;
    if (t.columnDefinitions.length === 0) t = { ...t, columnDefinitions: this.lastColumns ?? [] };
    else if (!same) { this.lastColumns = t.columnDefinitions; this.printedHeaders = false; }
    if (t.rows.length) this.printedHeaders = true;
    this.pending += tableLines(decorateTable(t, local), local);
  }

  /** The aligned text printed so far (the tabwriter's Flush). */
  flush(): string {
    const s = this.pending ? formatTabs(this.pending) : '';
    this.pending = '';
    return s;
  }
}
