// Applying a strategic merge patch, with upstream apimachinery's semantics (util/strategicpatch):
// maps merge key by key, `null` deletes, lists with a merge key merge item by item, lists of scalars with
// strategy merge are unions, other lists are replaced; the directives `$patch: replace|delete`,
// `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>` and `$retainKeys` are honoured.
import { badPatch, unprocessablePatch } from './errors.ts';
import { lookupPatchMeta, patchSchemaFor, splitStrategy } from './schema.ts';
import type { PatchSchema } from './schema.ts';

export type JsonMap = Record<string, any>;

export const directiveMarker = '$patch';
export const deleteDirective = 'delete';
export const replaceDirective = 'replace';
export const mergeDirective = 'merge';
export const retainKeysDirective = '$retainKeys';
export const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';
export const setElementOrderPrefix = '$setElementOrder/';

export interface MergeOptions {
  /** Apply the parallel directive lists ($setElementOrder, $deleteFromPrimitiveList, $retainKeys) — true when applying a patch. */
  mergeParallelList: boolean;
  /** Drop nulls that match nothing — true when applying; false when merging two patches. */
  ignoreUnmatchedNulls: boolean;
}

export const applyOptions: MergeOptions = { mergeParallelList: true, ignoreUnmatchedNulls: true };

// ---- small helpers ----

export type ValueKind = 'null' | 'map' | 'list' | 'string' | 'number' | 'boolean';

export function kindOf(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  switch (typeof v) {
    case 'object': return 'map';
    case 'string': return 'string';
    case 'number': case 'bigint': return 'number';
    default: return 'boolean';
  }
}

export function isMap(v: unknown): v is JsonMap {
  return kindOf(v) === 'map';
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return false;
  if (ka === 'list') {
    const x = a as unknown[], y = b as unknown[];
    return x.length === y.length && x.every((v, i) => deepEqual(v, y[i]));
  }
  if (ka === 'map') {
    const x = a as JsonMap, y = b as JsonMap;
    const kx = Object.keys(x), ky = Object.keys(y);
    return kx.length === ky.length && kx.every((k) => Object.prototype.hasOwnProperty.call(y, k) && deepEqual(x[k], y[k]));
  }
  return false;
}

/** Go's fmt %v of a JSON scalar, which upstream uses to sort and compare scalars and merge keys. */
export function scalarString(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') {
    if (v === 0 || !Number.isFinite(v)) return String(v);
    // Go's %v of a float64 (strconv 'g', shortest): exponent form when exp < -4 or exp >= 6.
    const [mantissa, e] = v.toExponential().split('e');
    const exp = parseInt(e, 10);
    if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    return String(v);
  }
  return String(v);
}

function goMap(v: unknown): string {
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goMap(v[k])}`).join(' ')}]`;
  if (Array.isArray(v)) return `[${v.map(goMap).join(' ')}]`;
  return scalarString(v);
}

const errNoListOfLists = () => unprocessablePatch('lists of lists are not supported');
const errBadSetElementOrder = () => badPatch('invalid patch format of setElementOrder list');
const errBadRetainKeys = () => badPatch('invalid patch format of retainKeys');
const errNoMergeKey = (m: unknown, key: string) => badPatch(`map: ${goMap(m)} does not contain declared merge key: ${key}`);
const errBadPatchType = (t: unknown, m: unknown) => badPatch(`unknown patch type: ${scalarString(t)} in map: ${goMap(m)}`);
const errBadArgType = (expected: string, actual: unknown) => badPatch(`expected a ${expected}, but received a ${kindOf(actual)}`);

/** Removes `null` values from maps, recursively (upstream discardNullValuesFromPatch). */
function discardNulls(v: any): any {
  if (isMap(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) discardNulls(x);
  }
  return v;
}

/**
 * A value taken over whole where nothing exists in the original (upstream removeDirectives): maps that
 * carry `$patch` are dropped (`keep` false), so are such list elements; nulls are discarded. Keys
 * starting with `$` are stripped as the typed decoding upstream does.
 */
function removeDirectives(v: any): { value: any; keep: boolean } {
  if (isMap(v)) {
    if (Object.prototype.hasOwnProperty.call(v, directiveMarker)) return { value: undefined, keep: false };
    for (const k of Object.keys(v)) {
      if (k.startsWith('$') || v[k] === null || v[k] === undefined) {
        delete v[k];
        continue;
      }
      const r = removeDirectives(v[k]);
      if (r.keep) v[k] = r.value;
      else delete v[k];
    }
    return { value: v, keep: true };
  }
  if (Array.isArray(v)) {
    const out: any[] = [];
    for (const x of v) {
      const r = removeDirectives(x);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  return { value: v, keep: true };
}

/** A value replacing an existing one (or appended to a merge list): upstream stores it as it is and the typed
 * decoding then drops nulls and `$`-keys; this does the same. */
function decodedValue(v: any): any {
  if (isMap(v)) {
    for (const k of Object.keys(v)) {
      if (k.startsWith('$') || v[k] === null || v[k] === undefined) delete v[k];
      else v[k] = decodedValue(v[k]);
    }
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = decodedValue(v[i]);
  }
  return v;
}

// ---- maps ----

function handleDirectiveInMergeMap(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === replaceDirective) {
    delete patch[directiveMarker];
    return patch;
  }
  if (directive === deleteDirective) return {};
  throw errBadPatchType(directive, patch);
}

function applyRetainKeysDirective(original: JsonMap, patch: JsonMap, opts: MergeOptions): void {
  if (!Object.prototype.hasOwnProperty.call(patch, retainKeysDirective)) return;
  const retainKeys = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!opts.mergeParallelList) {
    // Merging two patches: the directive must agree where both carry it.
    if (Object.prototype.hasOwnProperty.call(original, retainKeysDirective)) {
      if (!deepEqual(original[retainKeysDirective], retainKeys)) {
        throw unprocessablePatch(`${goMap(original[retainKeysDirective])} and ${goMap(retainKeys)} are not deep equal: this may happen when calculating the 3-way diff patch`);
      }
    } else {
      original[retainKeysDirective] = retainKeys;
    }
    return;
  }
  if (!Array.isArray(retainKeys)) throw errBadRetainKeys();
  const keep = new Set(retainKeys.map((k) => String(k)));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!keep.has(k)) throw errBadRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * Merges `patch` into `original` (both are owned by the caller and may be modified) and returns the result.
 */
export function mergeMap(original: JsonMap | null | undefined, patch: JsonMap, schema: PatchSchema, opts: MergeOptions): JsonMap {
  if (Object.prototype.hasOwnProperty.call(patch, directiveMarker)) return handleDirectiveInMergeMap(patch[directiveMarker], patch);
  const out: JsonMap = original ?? {};
  applyRetainKeysDirective(out, patch, opts);
  mergePatchIntoOriginal(out, patch, schema, opts);

  for (const k of Object.keys(patch)) {
    const patchV = patch[k];
    let key = k;
    let isDeleteList = false;
    if (k.startsWith(deleteFromPrimitiveListPrefix)) {
      if (!opts.mergeParallelList) {
        out[k] = patchV;
        continue;
      }
      key = k.slice(deleteFromPrimitiveListPrefix.length);
      isDeleteList = true;
    }

    if (patchV === null || patchV === undefined) {
      delete out[key];
      if (opts.ignoreUnmatchedNulls) continue;
    }

    const { meta, schema: sub } = lookupPatchMeta(schema, key);
    const { strategy } = splitStrategy(meta.strategy);

    if (!Object.prototype.hasOwnProperty.call(out, key)) {
      if (!isDeleteList) {
        if (!opts.mergeParallelList) {
          out[key] = opts.ignoreUnmatchedNulls ? discardNulls(patchV) : patchV;
        } else {
          const r = removeDirectives(patchV);
          if (r.keep) out[key] = r.value;
        }
      }
      continue;
    }

    const ok = kindOf(out[key]), pk = kindOf(patchV);
    if (ok !== pk) {
      if (!isDeleteList) out[key] = opts.mergeParallelList ? decodedValue(patchV) : patchV;
      continue;
    }
    if (ok === 'map') {
      out[key] = strategy === replaceDirective
        ? (opts.mergeParallelList ? decodedValue(patchV) : patchV)
        : mergeMap(out[key], patchV, sub, opts);
    } else if (ok === 'list') {
      out[key] = strategy === mergeDirective || isDeleteList
        ? mergeSlice(out[key], patchV, sub, meta.mergeKey ?? '', opts, isDeleteList)
        : (opts.mergeParallelList ? decodedValue(patchV) : patchV);
    } else {
      out[key] = patchV;
    }
  }
  return out;
}

/** Processes `$setElementOrder/<list>` directives (and the lists they apply to). */
function mergePatchIntoOriginal(original: JsonMap, patch: JsonMap, schema: PatchSchema, opts: MergeOptions): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    if (!opts.mergeParallelList) {
      // Merging two patches: keep one copy of the directive; both must agree.
      if (Object.prototype.hasOwnProperty.call(original, key)) {
        if (!deepEqual(original[key], order)) throw errBadSetElementOrder();
      } else {
        original[key] = order;
      }
      continue;
    }
    if (!Array.isArray(order)) throw errBadSetElementOrder();
    const listKey = key.slice(setElementOrderPrefix.length);
    const foundOriginal = Object.prototype.hasOwnProperty.call(original, listKey) && original[listKey] !== null;
    const foundPatch = Object.prototype.hasOwnProperty.call(patch, listKey) && patch[listKey] !== null;
    const originalList = foundOriginal ? original[listKey] : [];
    const patchList = foundPatch ? patch[listKey] : [];
    if (foundOriginal && !Array.isArray(originalList)) throw errBadArgType('list', originalList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType('list', patchList);
    const { meta, schema: sub } = lookupPatchMeta(schema, listKey);
    const { strategy } = splitStrategy(meta.strategy);
    const mergeKey = meta.mergeKey ?? '';
    validatePatchWithSetOrderList(patchList, order, mergeKey);

    let merged: any[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList).value;
    else if (foundOriginal && foundPatch) {
      merged = strategy === mergeDirective ? mergeSlice(originalList, patchList, sub, mergeKey, opts, false) : patchList;
    } else continue;

    const elementKind = sliceElementKind(originalList, patchList);
    const { inList, notInList } = mergeKey
      ? partitionMapsByPresentInList(merged, order, mergeKey)
      : partitionPrimitivesByPresentInList(merged, order);
    original[listKey] = normalizeElementOrder(inList, notInList, order, originalList, mergeKey, elementKind);
    delete patch[listKey];
  }
}

function validatePatchWithSetOrderList(patchList: any[], order: any[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? extractToDeleteItems(patchList).nonDelete : patchList;
  let j = 0;
  for (const item of items) {
    let found = false;
    for (; j < order.length; j++) {
      const same = mergeKey ? isMap(item) && isMap(order[j]) && deepEqual(item[mergeKey], order[j][mergeKey]) : deepEqual(item, order[j]);
      if (same) {
        found = true;
        break;
      }
    }
    if (!found) throw badPatch(`The order in patch list:\n${goMap(patchList)}\n doesn't match $setElementOrder list:\n${goMap(order)}\n`);
  }
}

// ---- lists ----

/** The kind shared by the elements of both lists ('null' when both are empty). */
function sliceElementKind(a: any[], b: any[]): ValueKind {
  let k: ValueKind | undefined;
  for (const v of [...a, ...b]) {
    const vk = kindOf(v);
    if (vk === 'list') throw errNoListOfLists();
    if (k === undefined) k = vk;
    else if (k !== vk && !(vk === 'null' || k === 'null')) {
      throw badPatch(`no elements in any of the given slices have the same type: ${k} and ${vk}`);
    }
  }
  return k ?? 'null';
}

function dedupeScalars(list: any[]): any[] {
  const out: any[] = [];
  for (const v of list) if (!out.some((x) => deepEqual(x, v))) out.push(v);
  return out;
}

function mergeSlice(original: any[], patch: any[], schema: PatchSchema, mergeKey: string, opts: MergeOptions, isDeleteList: boolean): any[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: any[];
  let orig = original;
  let pat = patch;
  if (kind !== 'map') {
    if (opts.mergeParallelList && isDeleteList) return original.filter((v) => !patch.some((d) => deepEqual(d, v)));
    merged = dedupeScalars([...original, ...patch]);
  } else {
    if (!mergeKey) throw badPatch(`cannot merge lists without merge key for ${schema.name}`);
    ({ original: orig, patch: pat } = mergeSliceWithSpecialElements(original, patch, mergeKey));
    merged = mergeSliceWithoutSpecialElements([...orig], pat, mergeKey, schema, opts);
  }
  const { inList, notInList } = mergeKey
    ? partitionMapsByPresentInList(merged, pat, mergeKey)
    : partitionPrimitivesByPresentInList(merged, pat);
  return normalizeElementOrder(inList, notInList, pat, orig, mergeKey, kind);
}

function mergeSliceWithSpecialElements(original: any[], patch: any[], mergeKey: string): { original: any[]; patch: any[] } {
  const withoutSpecial: any[] = [];
  let replace = false;
  let orig = original;
  for (const v of patch) {
    if (!isMap(v) || !Object.prototype.hasOwnProperty.call(v, directiveMarker)) {
      withoutSpecial.push(v);
      continue;
    }
    const t = v[directiveMarker];
    if (t === deleteDirective) {
      if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
      orig = orig.filter((o) => !(isMap(o) && deepEqual(o[mergeKey], v[mergeKey])));
    } else if (t === replaceDirective) {
      replace = true;
    } else if (t === mergeDirective) {
      throw badPatch('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(t, v);
    }
  }
  if (replace) return { original: withoutSpecial, patch: [] };
  return { original: orig, patch: withoutSpecial };
}

function mergeSliceWithoutSpecialElements(original: any[], patch: any[], mergeKey: string, schema: PatchSchema, opts: MergeOptions): any[] {
  for (const v of patch) {
    if (!isMap(v) || !Object.prototype.hasOwnProperty.call(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    const i = original.findIndex((o) => isMap(o) && deepEqual(o[mergeKey], v[mergeKey]));
    if (i >= 0) original[i] = mergeMap(original[i], v, schema, opts);
    else original.push(opts.mergeParallelList ? decodedValue(v) : v);
  }
  return original;
}

function partitionMapsByPresentInList(list: any[], by: any[], mergeKey: string): { inList: any[]; notInList: any[] } {
  const inList: any[] = [], notInList: any[] = [];
  for (const v of list) {
    if (!isMap(v) || !Object.prototype.hasOwnProperty.call(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    if (by.some((b) => isMap(b) && deepEqual(b[mergeKey], v[mergeKey]))) inList.push(v);
    else notInList.push(v);
  }
  return { inList, notInList };
}

function partitionPrimitivesByPresentInList(list: any[], by: any[]): { inList: any[]; notInList: any[] } {
  const inList: any[] = [], notInList: any[] = [];
  for (const v of list) (by.some((b) => deepEqual(b, v)) ? inList : notInList).push(v);
  return { inList, notInList };
}

export function extractToDeleteItems(list: any[]): { nonDelete: any[]; toDelete: any[] } {
  const nonDelete: any[] = [], toDelete: any[] = [];
  for (const v of list) {
    if (!isMap(v)) throw errBadArgType('map', v);
    (v[directiveMarker] === deleteDirective ? toDelete : nonDelete).push(v);
  }
  return { nonDelete, toDelete };
}

/** Position of `item` in `order`: by merge key for maps, by value for scalars; -1 if absent. */
function indexIn(order: any[], item: any, mergeKey: string, kind: ValueKind): number {
  if (kind === 'map' && mergeKey) {
    return order.findIndex((o) => isMap(o) && isMap(item) && deepEqual(o[mergeKey], item[mergeKey]));
  }
  return order.findIndex((o) => deepEqual(o, item));
}

/**
 * Sorts `toSort` into the order of `order` (delete directives go last), with the exact behaviour of
 * upstream's sort.SliceStable over its comparator (an insertion sort for small lists).
 */
export function normalizeSliceOrder(toSort: any[], order: any[], mergeKey: string, kind: ValueKind): any[] {
  let items = toSort;
  let toDelete: any[] = [];
  if (kind === 'map') {
    for (const v of [...toSort, ...order]) {
      if (!isMap(v) || !Object.prototype.hasOwnProperty.call(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    }
    ({ nonDelete: items, toDelete } = extractToDeleteItems(toSort));
  }
  const data = [...items];
  const less = (a: any, b: any): boolean => {
    const ia = indexIn(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexIn(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  for (let i = 1; i < data.length; i++) {
    for (let j = i; j > 0 && less(data[j], data[j - 1]); j--) [data[j], data[j - 1]] = [data[j - 1], data[j]];
  }
  return [...data, ...toDelete];
}

function normalizeElementOrder(patch: any[], serverOnly: any[], patchOrder: any[], serverOrder: any[], mergeKey: string, kind: ValueKind): any[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function mergeSortedSlice(left: any[], right: any[], serverOrder: any[], mergeKey: string, kind: ValueKind): any[] {
  const out: any[] = [];
  let i = 0, j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

// ---- entry point ----

/**
 * Applies a strategic merge patch to an object of `kind` (e.g. "Pod", "Deployment") and returns the
 * patched copy; neither input is modified. Throws PatchError for a malformed patch.
 */
export function strategicMergePatch<T>(kind: string, original: T, patch: unknown): T {
  if (!isMap(patch)) throw badPatch(`json: cannot unmarshal ${kindOf(patch) === 'list' ? 'array' : kindOf(patch)} into Go value of type map[string]interface {}`);
  const o = isMap(original) ? structuredClone(original) : {};
  return mergeMap(o, structuredClone(patch), patchSchemaFor(kind), applyOptions) as T;
}

/** Same, with an explicit schema (for callers that patch a sub-structure). */
export function strategicMergeMapPatch(schema: PatchSchema, original: JsonMap, patch: JsonMap): JsonMap {
  return mergeMap(structuredClone(original), structuredClone(patch), schema, applyOptions);
}
