// --sort-by: order objects (or Table rows) by a JSONPath field, as kubectl's RuntimeSort does
// (numbers numerically, strings byte-wise, missing values first).
import { printJsonPath, parseTemplate } from './jsonpath.ts';

/** No object has the --sort-by field. */
export class SortFieldNotFound extends Error {}

/** The template kubectl builds from --sort-by (".a.b" or "{.a.b}"). */
export function sortTemplate(field: string): string {
  const t = field.startsWith('{') ? field : `{${field}}`;
  parseTemplate(t);
  return t;
}

function fieldValue(template: string, obj: unknown): { v: unknown; missing: boolean } {
  const text = printJsonPath(template, obj);
  if (text === '') return { v: undefined, missing: true };
  const n = Number(text);
  return { v: text.trim() !== '' && !Number.isNaN(n) ? n : text, missing: false };
}

/** Stable sort by the field (strings byte-wise, as kubectl 1.32 orders them); absent values sort first. */
export function sortByField<T>(items: T[], field: string, objectOf: (x: T) => unknown): T[] {
  const t = sortTemplate(field);
  const keyed = items.map((x, i) => ({ x, i, k: fieldValue(t, objectOf(x)) }));
  if (keyed.length && keyed.every((k) => k.k.missing)) throw new SortFieldNotFound(`couldn't find any field with path ${JSON.stringify(t)} in the list of objects`);
  keyed.sort((a, b) => {
    if (a.k.missing || b.k.missing) return a.k.missing === b.k.missing ? a.i - b.i : a.k.missing ? -1 : 1;
    const x = a.k.v, y = b.k.v;
    let less: boolean, greater: boolean;
    if (typeof x === 'number' && typeof y === 'number') { less = x < y; greater = x > y; }
    else { less = String(x) < String(y); greater = String(x) > String(y); }
    return less ? -1 : greater ? 1 : a.i - b.i;
  });
  return keyed.map((k) => k.x);
}
