// as=Table answers: kubectl's columns per kind, each row carrying the object's metadata (or the object).
import type { KubeObject } from '@k8ts/api';
import { tableFor } from '@k8ts/api/tables/index.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function partial(o: KubeObject) {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function toTable(kind: string, objects: KubeObject[], o: { include?: IncludeObject; resourceVersion?: string; continue?: string; remainingItemCount?: number; noHeaders?: boolean }) {
  const t = tableFor(kind, objects, {});
  const include = o.include ?? 'Metadata';
  const rows = t.rows.map((row, i) => {
    const src = objects[row.objectIndex ?? i];
    const r: Record<string, unknown> = { cells: row.cells };
    if (row.conditions) r.conditions = row.conditions;
    if (include === 'Metadata') r.object = partial(src);
    else if (include === 'Object') r.object = src;
    return r;
  });
  const metadata: Record<string, unknown> = {};
  if (o.resourceVersion) metadata.resourceVersion = o.resourceVersion;
  if (o.continue) metadata.continue = o.continue;
  if (o.remainingItemCount !== undefined) metadata.remainingItemCount = o.remainingItemCount;
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata,
    columnDefinitions: o.noHeaders ? [] : t.columnDefinitions,
    rows,
  };
}
