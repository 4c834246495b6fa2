// -o custom-columns=HEADER:PATH,... and -o custom-columns-file=FILE, as cli-runtime's CustomColumnsPrinter:
// one row per object (the items of a List), values found with JSONPath allowing missing keys, "<none>" when
// nothing is found, several values joined by ",", each formatted as Go's %v; headers once, aligned by tabwriter.
import { findResults } from './jsonpath.ts';
import { formatTabs } from './tabwriter.ts';
import type { ObjectLike } from './index.ts';

export interface Column { header: string; fieldSpec: string }

const relaxed = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/;

/** "a.b", ".a.b", "{a.b}", "{.a.b}" → "{.a.b}" (RelaxedJSONPathExpression). */
export function relaxedJSONPathExpression(expr: string): string {
  if (expr === '') return expr;
  const m = relaxed.exec(expr);
  if (!m) throw new Error("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  return `{.${m[1] || m[2]}}`;
}

/** Columns from "NAME:.metadata.name,IMAGE:.spec.containers[*].image". */
export function columnsFromSpec(spec: string): Column[] {
  if (!spec) throw new Error('custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const i = part.indexOf(':');
    if (i < 0) throw new Error(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return { header: part.slice(0, i), fieldSpec: relaxedJSONPathExpression(part.slice(i + 1)) };
  });
}

const usage = 'Expected format is one line of space separated headers, one line of space separated column specs.';

/** Columns from a template file: a line of headers, then a line of field specs, split on whitespace. */
export function columnsFromTemplate(text: string): Column[] {
  const lines = text.split(/\r?\n/);
  if (text === '' || lines.length < 1) throw new Error(`invalid template, missing header line. ${usage}`);
  if (lines.length < 2 || (lines.length === 2 && lines[1] === '')) throw new Error(`invalid template, missing spec line. ${usage}`);
  const words = (l: string) => l.split(/\s+/).filter(Boolean);
  const headers = words(lines[0]);
  const specs = words(lines[1]);
  if (headers.length !== specs.length) throw new Error(`number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  return headers.map((header, i) => ({ header, fieldSpec: relaxedJSONPathExpression(specs[i]) }));
}

/** A JSON value as Go's fmt %v prints the decoded (unstructured) value. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  const o = v as Record<string, unknown>;
  return `map[${Object.keys(o).sort().map((k) => `${k}:${goValue(o[k])}`).join(' ')}]`;
}

/** %v of a float64: %g with the shortest representation, exponent for < 1e-4 or >= 1e21. */
function goFloat(n: number): string {
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [mant, exp] = n.toExponential().split('e');
    const e = Number(exp);
    return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return String(n);
}

function row(columns: Column[], obj: unknown): string {
  return columns.map((c) => {
    const results = findResults(c.fieldSpec, obj);
    const values: string[] = [];
    if (results.length === 0 || results[0].length === 0) values.push('<none>');
    for (const r of results) for (const v of r) values.push(goValue(v));
    return values.join(',');
  }).join('\t');
}

/** Rows printed before a failing one; kubectl flushes them before it reports the error. */
export class CustomColumnsError extends Error {
  readonly printed: string;
  constructor(message: string, printed: string) { super(message); this.printed = printed; }
}

/** The header line, tab-separated. */
export function customColumnsHeader(columns: Column[]): string {
  return `${columns.map((c) => c.header).join('\t')}\n`;
}

/** The rows for one object or a List of them, tab-separated (unaligned); `before` is what precedes them in an error's output. */
export function customColumnsRows(columns: Column[], obj: ObjectLike, before = ''): string {
  let s = '';
  const items = Array.isArray(obj.items) && /List$/.test(obj.kind ?? '') ? (obj.items as unknown[]) : [obj];
  for (const it of items) {
    try { s += `${row(columns, it)}\n`; } catch (e) { throw new CustomColumnsError((e as Error).message, formatTabs(before + s)); }
  }
  return s;
}

/** The printed table for one object or a List of them. */
export function printCustomColumns(columns: Column[], obj: ObjectLike, noHeaders: boolean): string {
  const header = noHeaders ? '' : customColumnsHeader(columns);
  return formatTabs(header + customColumnsRows(columns, obj, header));
}
