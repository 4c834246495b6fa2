// Computing strategic merge patches, as upstream's CreateTwoWayMergePatch / CreateThreeWayMergePatch
// (what `kubectl apply` sends): diff maps key by key, lists with a merge key item by item (deleted items
// become `{"$patch":"delete", <key>: v}`, the new order `$setElementOrder/<list>`), lists of scalars with
// strategy merge as additions plus `$deleteFromPrimitiveList/<list>`, other lists replaced wholesale.
import { unprocessablePatch } from './errors.ts';
import { lookupPatchMeta, patchSchemaFor, splitStrategy } from './schema.ts';
import type { PatchSchema } from './schema.ts';
import {
  deepEqual, directiveMarker, deleteDirective, deleteFromPrimitiveListPrefix, isMap, kindOf, mergeDirective,
  mergeMap, normalizeSliceOrder, replaceDirective, retainKeysDirective, scalarString, setElementOrderPrefix,
} from './strategic.ts';
import type { JsonMap, ValueKind } from './strategic.ts';

export interface DiffOptions {
  /** Only compute deletions (original → modified). */
  ignoreChangesAndAdditions?: boolean;
  /** Only compute changes and additions. */
  ignoreDeletions?: boolean;
  /** Emit `$setElementOrder` lists. */
  setElementOrder?: boolean;
  /** Emit `$retainKeys` for this map (set from the field's strategy). */
  buildRetainKeysDirective?: boolean;
}

const goLess = (a: string, b: string) => a < b;

function sortScalars(list: any[]): any[] {
  return [...list].sort((a, b) => {
    const x = scalarString(a), y = scalarString(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function sortByMergeKey(list: any[], mergeKey: string): any[] {
  return [...list].sort((a, b) => {
    const x = scalarString(a?.[mergeKey]), y = scalarString(b?.[mergeKey]);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function hasAdditionalNewField(original: JsonMap, modified: JsonMap): boolean {
  for (const [k, v] of Object.entries(original)) {
    if (v === null || v === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(modified, k)) return true;
  }
  return false;
}

/** The strategic merge patch turning `original` into `modified` under the given options. */
export function diffMaps(original: JsonMap, modified: JsonMap, schema: PatchSchema, opts: DiffOptions): JsonMap {
  const patch: JsonMap = {};
  const retainKeys: string[] = [];
  for (const key of Object.keys(modified)) {
    const modifiedValue = modified[key];
    if (opts.buildRetainKeysDirective && modifiedValue !== null && modifiedValue !== undefined) retainKeys.push(key);
    if (!Object.prototype.hasOwnProperty.call(original, key)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    const originalValue = original[key];
    if (key === directiveMarker) {
      if (!deepEqual(originalValue, modifiedValue) && !opts.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    if (kindOf(originalValue) !== kindOf(modifiedValue)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    if (isMap(originalValue)) handleMapDiff(key, originalValue, modifiedValue, patch, schema, opts);
    else if (Array.isArray(originalValue)) handleSliceDiff(key, originalValue, modifiedValue, patch, schema, opts);
    else replaceIfNotEqual(key, originalValue, modifiedValue, patch, opts);
  }
  if (!opts.ignoreDeletions) {
    for (const key of Object.keys(original)) if (!Object.prototype.hasOwnProperty.call(modified, key)) patch[key] = null;
  }
  if (retainKeys.length > 0 && (Object.keys(patch).length > 0 || hasAdditionalNewField(original, modified))) {
    patch[retainKeysDirective] = sortScalars(retainKeys);
  }
  return patch;
}

function replaceIfNotEqual(key: string, original: unknown, modified: unknown, patch: JsonMap, opts: DiffOptions): void {
  if (opts.ignoreChangesAndAdditions) return;
  if (deepEqual(original, modified)) return;
  patch[key] = modified;
}

function handleMapDiff(key: string, original: JsonMap, modified: JsonMap, patch: JsonMap, schema: PatchSchema, opts: DiffOptions): void {
  const { meta, schema: sub } = lookupPatchMeta(schema, key);
  const { retainKeys, strategy } = splitStrategy(meta.strategy);
  if (strategy === replaceDirective) {
    if (!opts.ignoreChangesAndAdditions) patch[key] = modified;
    return;
  }
  const value = diffMaps(original, modified, sub, { ...opts, buildRetainKeysDirective: retainKeys });
  if (Object.keys(value).length > 0) patch[key] = value;
}

function handleSliceDiff(key: string, original: any[], modified: any[], patch: JsonMap, schema: PatchSchema, opts: DiffOptions): void {
  const { meta, schema: sub } = lookupPatchMeta(schema, key);
  const { retainKeys, strategy } = splitStrategy(meta.strategy);
  if (strategy !== mergeDirective) {
    replaceIfNotEqual(key, original, modified, patch, opts);
    return;
  }
  const { add, del, order } = diffLists(original, modified, sub, meta.mergeKey ?? '', { ...opts, buildRetainKeysDirective: retainKeys });
  if (add.length > 0) patch[key] = add;
  if (del.length > 0) patch[deleteFromPrimitiveListPrefix + key] = del;
  if (order.length > 0) patch[setElementOrderPrefix + key] = order;
}

function listKind(original: any[], modified: any[]): ValueKind {
  let k: ValueKind | undefined;
  for (const v of [...original, ...modified]) {
    const vk = kindOf(v);
    if (vk === 'list') throw unprocessablePatch('lists of lists are not supported');
    if (k === undefined) k = vk;
    else if (k !== vk) throw unprocessablePatch(`no elements in any of the given slices have the same type: ${k} and ${vk}`);
  }
  return k ?? 'null';
}

function diffLists(original: any[], modified: any[], schema: PatchSchema, mergeKey: string, opts: DiffOptions): { add: any[]; del: any[]; order: any[] } {
  if (original.length === 0) {
    if (modified.length === 0 || opts.ignoreChangesAndAdditions) return { add: [], del: [], order: [] };
    return { add: modified, del: [], order: [] };
  }
  const kind = listKind(original, modified);
  if (kind === 'map') {
    let { patch, deletions } = diffListsOfMaps(original, modified, schema, mergeKey, opts);
    patch = normalizeSliceOrder(patch, modified, mergeKey, kind);
    const orderSame = original.length === modified.length &&
      modified.every((m, i) => deepEqual(original[i]?.[mergeKey], m?.[mergeKey]));
    patch = [...patch, ...deletions];
    let order: any[] = [];
    if (opts.setElementOrder &&
      ((!opts.ignoreChangesAndAdditions && (patch.length > 0 || !orderSame)) || (!opts.ignoreDeletions && patch.length > 0))) {
      order = modified.map((m) => ({ [mergeKey]: m[mergeKey] }));
    }
    return { add: patch, del: [], order };
  }
  const { add, del } = diffListsOfScalars(original, modified, opts);
  const sortedAdd = normalizeSliceOrder(add, modified, mergeKey, kind);
  let order: any[] = [];
  if (opts.setElementOrder && ((!opts.ignoreDeletions && del.length > 0) || (!opts.ignoreChangesAndAdditions && !deepEqual(original, modified)))) {
    order = modified;
  }
  return { add: sortedAdd, del, order };
}

function diffListsOfScalars(original: any[], modified: any[], opts: DiffOptions): { add: any[]; del: any[] } {
  const o = sortScalars(original), m = sortScalars(modified);
  const add: any[] = [], del: any[] = [];
  let i = 0, j = 0;
  while (i < o.length || j < m.length) {
    const os = i < o.length ? scalarString(o[i]) : undefined;
    const ms = j < m.length ? scalarString(m[j]) : undefined;
    if (os !== undefined && ms !== undefined && os === ms) {
      i++; j++;
    } else if (os !== undefined && (ms === undefined || goLess(os, ms))) {
      if (!opts.ignoreDeletions) del.push(o[i]);
      i++;
    } else {
      if (!opts.ignoreChangesAndAdditions) add.push(m[j]);
      j++;
    }
  }
  const dedupDel: any[] = [];
  for (const d of del) if (!dedupDel.some((x) => deepEqual(x, d))) dedupDel.push(d);
  return { add, del: dedupDel };
}

function diffListsOfMaps(original: any[], modified: any[], schema: PatchSchema, mergeKey: string, opts: DiffOptions): { patch: any[]; deletions: any[] } {
  const patch: any[] = [], deletions: any[] = [];
  for (const v of [...original, ...modified]) {
    if (!isMap(v) || !Object.prototype.hasOwnProperty.call(v, mergeKey)) {
      throw unprocessablePatch(`map: ${JSON.stringify(v)} does not contain declared merge key: ${mergeKey}`);
    }
  }
  const o = sortByMergeKey(original, mergeKey), m = sortByMergeKey(modified, mergeKey);
  let i = 0, j = 0;
  while (i < o.length || j < m.length) {
    const os = i < o.length ? scalarString(o[i][mergeKey]) : undefined;
    const ms = j < m.length ? scalarString(m[j][mergeKey]) : undefined;
    if (os !== undefined && ms !== undefined && os === ms) {
      const value = diffMaps(o[i], m[j], schema, opts);
      if (Object.keys(value).length > 0) {
        value[mergeKey] = m[j][mergeKey];
        patch.push(value);
      }
      i++; j++;
    } else if (os === undefined || (ms !== undefined && os > ms)) {
      if (!opts.ignoreChangesAndAdditions) patch.push(m[j]);
      j++;
    } else {
      if (!opts.ignoreDeletions) deletions.push({ [directiveMarker]: deleteDirective, [mergeKey]: o[i][mergeKey] });
      i++;
    }
  }
  return { patch, deletions };
}

/** Recursively orders map keys as Go's encoding/json does (sorted), so JSON.stringify matches kubectl byte for byte. */
export function sortKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortKeys) as T;
  if (isMap(v)) {
    const out: JsonMap = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out as T;
  }
  return v;
}

/**
 * The two-way strategic merge patch from `original` to `modified` (upstream CreateTwoWayMergePatch):
 * applying it to `original` yields `modified`.
 */
export function createTwoWayMergePatch(kind: string, original: unknown, modified: unknown): JsonMap {
  const o = isMap(original) ? original : {}, m = isMap(modified) ? modified : {};
  return sortKeys(diffMaps(o, m, patchSchemaFor(kind), { setElementOrder: true }));
}

export class PreconditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreconditionError';
  }
}

/**
 * What `kubectl apply` sends (upstream CreateThreeWayMergePatch with overwrite): from the last-applied
 * configuration (`original`), the new manifest (`modified`) and the live object (`current`), the patch
 * that sets everything the manifest says and deletes what was removed from the manifest since the last
 * apply, leaving fields only the server set alone. `{}` when nothing changes. Keys are sorted like Go's
 * JSON encoder. Throws PreconditionError when apiVersion, kind or metadata.name would change.
 */
export function createThreeWayMergePatch(kind: string, original: unknown, modified: unknown, current: unknown): JsonMap {
  const o = isMap(original) ? original : {};
  const m = isMap(modified) ? modified : {};
  const c = isMap(current) ? current : {};
  const schema = patchSchemaFor(kind);
  const delta = diffMaps(c, m, schema, { ignoreDeletions: true, setElementOrder: true });
  const deletions = diffMaps(o, m, schema, { ignoreChangesAndAdditions: true, setElementOrder: true });
  const patch = mergeMap(structuredClone(deletions), structuredClone(delta), schema, { mergeParallelList: false, ignoreUnmatchedNulls: false });
  for (const key of ['apiVersion', 'kind']) {
    if (Object.prototype.hasOwnProperty.call(patch, key)) throw new PreconditionError('At least one of apiVersion, kind and name was changed');
  }
  if (isMap(patch.metadata) && Object.prototype.hasOwnProperty.call(patch.metadata, 'name')) {
    throw new PreconditionError('At least one of apiVersion, kind and name was changed');
  }
  return sortKeys(patch);
}
