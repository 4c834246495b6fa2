// Server-side printing: the meta.k8s.io/v1 Table the API server answers `as=Table` requests with,
// with upstream's columns and cell values per kind (pkg/printers/internalversion), and upstream's
// default table (Name, Created At) for kinds without a printer.
import { podTable } from './pods.ts';
import { configMapTable, endpointSliceTable, endpointsTable, eventTable, leaseTable, namespaceTable, nodeTable, secretTable, serviceAccountTable, serviceTable } from './core.ts';
import { daemonSetTable, deploymentTable, jobTable, replicaSetTable, statefulSetTable } from './workloads.ts';
import { col, creationTimestampDescription, nameColumn } from './types.ts';
import type { KindTable, Obj, PrintOptions, Table, TableRow } from './types.ts';

export type { Table, TableRow, TableColumnDefinition, TableRowCondition, KindTable } from './types.ts';
export { podStatusSummary } from './pods.ts';
export { findNodeRoles, formatEndpoints, makePortString } from './core.ts';

const tables: Record<string, KindTable> = {
  Pod: podTable,
  Node: nodeTable,
  Service: serviceTable,
  Namespace: namespaceTable,
  ConfigMap: configMapTable,
  Secret: secretTable,
  ServiceAccount: serviceAccountTable,
  Endpoints: endpointsTable,
  EndpointSlice: endpointSliceTable,
  Event: eventTable,
  Lease: leaseTable,
  Deployment: deploymentTable,
  ReplicaSet: replicaSetTable,
  DaemonSet: daemonSetTable,
  StatefulSet: statefulSetTable,
  Job: jobTable,
};

// rest.DefaultTableConvertor: the name and the creation time in RFC 3339.
const defaultTable: KindTable = {
  columns: [nameColumn, col('Created At', 'date', creationTimestampDescription)],
  print: (o: Obj) => {
    const ts = o.metadata?.creationTimestamp;
    const t = ts ? Date.parse(ts) : NaN;
    return { cells: [o.metadata?.name ?? '', Number.isNaN(t) ? null : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')] };
  },
};

export function hasPrinter(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(tables, kind);
}

export interface TableOptions {
  now?: Date;
  /** Cells of priority-1 columns too (default true, as the API server does). */
  wide?: boolean;
}

/**
 * The Table for `objects` of `kind`. Each row carries `objectIndex`, the index of its object; the API
 * server sets `rows[i].object` (PartialObjectMetadata, or the full object for includeObject=Object).
 */
export function tableFor(kind: string, objects: Obj[], opts: TableOptions = {}): Table {
  const t = tables[kind] ?? defaultTable;
  const printOpts: PrintOptions = { now: opts.now ?? new Date(), wide: opts.wide ?? true };
  const rows: TableRow[] = objects.map((o, i) => {
    const { cells, conditions } = t.print(o, printOpts);
    return conditions ? { cells, conditions, objectIndex: i } : { cells, objectIndex: i };
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {},
    columnDefinitions: t.columns.map((c) => ({ ...c })),
    rows,
  };
}

/** The PartialObjectMetadata upstream puts in a row for includeObject=Metadata (the default). */
export function partialObjectMetadata(obj: Obj, apiVersion = 'meta.k8s.io/v1'): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata ?? {} };
}

/** Fills every row's `object` with the PartialObjectMetadata of its source object and drops objectIndex. */
export function withRowObjects(table: Table, objects: Obj[]): Table {
  return {
    ...table,
    rows: table.rows.map(({ objectIndex, ...r }) => ({ ...r, object: partialObjectMetadata(objects[objectIndex ?? 0]) })),
  };
}
