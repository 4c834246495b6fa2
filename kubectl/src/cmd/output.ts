// Parsing -o/--output as kubectl's PrintFlags do.
import { allowedFormats } from '../printers/index.ts';
import type { GenericFormat } from '../printers/index.ts';

export type OutputFormat = { kind: 'table'; wide: boolean } | { kind: 'generic'; format: GenericFormat } | { kind: 'jsonpath'; template: string };

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
  throw new Error(`unable to match a printer suitable for the output format "${v}", allowed formats are: ${allowedFormats}`);
}

/** Flags given as "-n=foo" reach us with a leading "=". */
export function flagValue(v: string | undefined): string | undefined {
  return v === undefined ? undefined : v.replace(/^=/, '');
}
