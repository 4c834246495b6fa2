// Parsing -o/--output as kubectl's PrintFlags do.
import { allowedFormats } from '../printers/index.ts';
import type { GenericFormat } from '../printers/index.ts';
import { readFileSync } from 'node:fs';
import { columnsFromSpec, columnsFromTemplate, printCustomColumns, CustomColumnsError, type Column } from '../printers/custom-columns.ts';
import type { ObjectLike } from '../printers/index.ts';

export type OutputFormat = { kind: 'table'; wide: boolean } | { kind: 'generic'; format: GenericFormat } | { kind: 'jsonpath'; template: string }
  | { kind: 'custom-columns'; columns: Column[]; fromFile: boolean };

export function parseOutput(o: string | undefined): OutputFormat {
  const v = (o ?? '').replace(/^=/, '');
  if (v === '') return { kind: 'table', wide: false };
  if (v === 'wide') return { kind: 'table', wide: true };
  if (v === 'yaml' || v === 'json' || v === 'name') return { kind: 'generic', format: v };
  const m = /^jsonpath=(.*)$/s.exec(v);
  if (m) {
    if (!m[1]) throw new Error('template format specified but no template given');
    return { kind: 'jsonpath', template: m[1] };
  }
  const cc = /^(custom-columns|custom-columns-file)(?:=(.*))?$/s.exec(v);
  if (cc) return { kind: 'custom-columns', columns: customColumns(cc[1], cc[2] ?? ''), fromFile: cc[1] === 'custom-columns-file' };
  throw new Error(`unable to match a printer suitable for the output format "${v}", allowed formats are: ${allowedFormats}`);
}

/** Prints -o custom-columns[-file]; a custom-columns-file prints its headers even with --no-headers, as kubectl 1.32 does. */
export function customColumnsOutput(out: { columns: Column[]; fromFile: boolean }, doc: ObjectLike, noHeaders: boolean, write: (s: string) => void): void {
  try {
    write(printCustomColumns(out.columns, doc, noHeaders && !out.fromFile));
  } catch (e) {
    if (e instanceof CustomColumnsError) write(e.printed);
    throw e;
  }
}

/** Flags given as "-n=foo" reach us with a leading "=". */
export function flagValue(v: string | undefined): string | undefined {
  return v === undefined ? undefined : v.replace(/^=/, '');
}

function customColumns(format: string, value: string): Column[] {
  if (!value) throw new Error('custom-columns format specified but no custom columns given');
  if (format === 'custom-columns') return columnsFromSpec(value);
  let text: string;
  try { text = readFileSync(value, 'utf8'); } catch (e) {
    throw new Error(`error reading template ${value}, open ${value}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}\n`);
  }
  return columnsFromTemplate(text);
}
