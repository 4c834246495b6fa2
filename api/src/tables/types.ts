// The meta.k8s.io/v1 Table shapes, and the column helpers every printer uses.
import { translateTimestampSince } from '../age.ts';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  /** Index of the row's source object in the `objects` given to tableFor (always set by tableFor); the API
   * server puts a PartialObjectMetadata of that object in `object` and drops this before answering. */
  objectIndex?: number;
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export interface PrintOptions {
  now: Date;
  /** Include the priority-1 columns' cells; the API server always does (kubectl hides them unless -o wide). */
  wide: boolean;
}

export type Obj = Record<string, any>;

/** A printer: the cells of one object, in column order. */
export type Printer = (obj: Obj, opts: PrintOptions) => { cells: unknown[]; conditions?: TableRowCondition[] };

export interface KindTable {
  columns: TableColumnDefinition[];
  print: Printer;
}

export const nameDescription = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of a name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const creationTimestampDescription = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export function col(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

export const nameColumn = col('Name', 'string', nameDescription, 0, 'name');
export const ageColumn = col('Age', 'string', creationTimestampDescription);
export const containersColumn = col('Containers', 'string', 'Names of each container in the template.', 1);
export const imagesColumn = col('Images', 'string', 'Images referenced by each container in the template.', 1);

export function age(obj: Obj, opts: PrintOptions): string {
  return translateTimestampSince(obj?.metadata?.creationTimestamp, opts.now);
}

/** Container names and images on one line each, comma separated (upstream layoutContainerCells). */
export function layoutContainerCells(containers: Obj[] | undefined): { names: string; images: string } {
  const cs = containers ?? [];
  return { names: cs.map((c) => c.name ?? '').join(','), images: cs.map((c) => c.image ?? '').join(',') };
}

/** Lists at most three items, then " + N more..." (upstream listWithMoreString); "<unset>" when empty. */
export function listWithMore(items: string[], count: number, max = 3): string {
  const shown = items.slice(0, max);
  const s = shown.join(',');
  if (count > max) return `${s} + ${count - max} more...`;
  return s === '' ? '<unset>' : s;
}
