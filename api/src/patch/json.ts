// RFC 6902 JSON patch and RFC 7386 JSON merge patch: thin wrappers over fast-json-patch and
// json-merge-patch that never mutate their inputs and report errors as PatchError. JSON patch follows
// the API server's library (evanphx/json-patch v4): `replace` of a missing object key adds it, `copy`
// from a missing key copies null, `add` without a value adds null, `test` of a missing path against
// null passes; errors carry that library's messages (checked against kubectl 1.32).
import fastJsonPatch from 'fast-json-patch';
import jsonMergePatch from 'json-merge-patch';
import { badPatch, unprocessablePatch } from './errors.ts';
import { deepEqual } from './strategic.ts';

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

const ops = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function goType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Decoding (a 400 upstream): a JSON array of JSON objects. Everything else is checked when applying. */
function decodeJsonPatch(patch: unknown): Record<string, unknown>[] {
  if (!Array.isArray(patch)) throw badPatch(`json: cannot unmarshal ${goType(patch)} into Go value of type jsonpatch.Patch`);
  for (const op of patch) {
    if (!isPlainObject(op)) throw badPatch(`json: cannot unmarshal ${goType(op)} into Go value of type jsonpatch.Operation`);
  }
  return patch as Record<string, unknown>[];
}

function tokens(path: string): string[] {
  if (path === '') return [];
  return path.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container (object or array) holding the last token of `path`, or undefined when it does not exist. */
function container(doc: unknown, path: string): { parent: any; key: string } | undefined {
  if (!path.startsWith('/')) return undefined;
  const t = tokens(path);
  let cur: any = doc;
  for (const k of t.slice(0, -1)) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(k) || Number(k) >= cur.length) return undefined;
      cur = cur[Number(k)];
    } else if (isPlainObject(cur) && Object.prototype.hasOwnProperty.call(cur, k)) {
      cur = cur[k];
    } else {
      return undefined;
    }
  }
  if (!Array.isArray(cur) && !isPlainObject(cur)) return undefined;
  return { parent: cur, key: t[t.length - 1] };
}

function has(c: { parent: any; key: string }): boolean {
  if (Array.isArray(c.parent)) return /^\d+$/.test(c.key) && Number(c.key) < c.parent.length;
  return Object.prototype.hasOwnProperty.call(c.parent, c.key);
}

function get(c: { parent: any; key: string }): unknown {
  return Array.isArray(c.parent) ? c.parent[Number(c.key)] : c.parent[c.key];
}

const invalidIndex = (op: string, path: string, key: string) =>
  unprocessablePatch(`error in ${op} for path: '${path}': Unable to access invalid index: ${key}: invalid index referenced`);

/** Checks one operation against the document as upstream does; returns the operation fast-json-patch should run (or null to skip). */
function prepare(doc: unknown, raw: Record<string, unknown>): JsonPatchOperation | null {
  const op = raw.op;
  if (typeof op !== 'string') throw unprocessablePatch('Unexpected kind: unknown');
  if (!ops.has(op)) throw unprocessablePatch(`Unexpected kind: ${op}`);
  const path = raw.path;
  if (typeof path !== 'string') throw unprocessablePatch(`${op} operation failed to decode path: missing value`);
  const value = 'value' in raw ? raw.value : null;
  switch (op) {
    case 'add': {
      const c = container(doc, path);
      if (!c) throw unprocessablePatch(`add operation does not apply: doc is missing path: "${path}": missing value`);
      if (Array.isArray(c.parent) && c.key !== '-' && !(/^\d+$/.test(c.key) && Number(c.key) <= c.parent.length)) throw invalidIndex('add', path, c.key);
      return { op: 'add', path, value };
    }
    case 'remove': {
      const c = container(doc, path);
      if (!c) throw unprocessablePatch(`remove operation does not apply: doc is missing path: "${path}": missing value`);
      if (Array.isArray(c.parent) && !has(c)) throw invalidIndex('remove', path, c.key);
      if (!has(c)) throw unprocessablePatch(`error in remove for path: '${path}': Unable to remove nonexistent key: ${c.key}: missing value`);
      return { op: 'remove', path };
    }
    case 'replace': {
      const c = container(doc, path);
      if (!c) throw unprocessablePatch(`replace operation does not apply: doc is missing path: ${path}: missing value`);
      if (Array.isArray(c.parent) && !has(c)) throw unprocessablePatch(`Object to be patched is missing field (${path}: missing value)`);
      return has(c) ? { op: 'replace', path, value } : { op: 'add', path, value };
    }
    case 'move':
    case 'copy': {
      const from = raw.from;
      if (typeof from !== 'string') throw unprocessablePatch(`${op} operation failed to decode from: operation, missing from field: missing value`);
      const f = container(doc, from);
      if (!f) throw unprocessablePatch(`${op} operation does not apply: doc is missing from path: ${from}: missing value`);
      const to = container(doc, path);
      if (!to) throw unprocessablePatch(`${op} operation does not apply: doc is missing destination path: ${path}: missing value`);
      if (!has(f)) {
        if (op === 'move') throw unprocessablePatch(`error in move for path: '${f.key}': Unable to remove nonexistent key: ${f.key}: missing value`);
        return { op: 'add', path, value: null };
      }
      return { op, path, from } as JsonPatchOperation;
    }
    default: {
      const c = container(doc, path);
      const found = path === '' ? { found: true, value: doc } : c && has(c) ? { found: true, value: get(c) } : { found: false, value: undefined };
      if (!found.found) {
        if (value === null) return null;
        throw unprocessablePatch(`testing value ${path} failed: test failed`);
      }
      if (!deepEqual(found.value, value)) throw unprocessablePatch(`testing value ${path} failed: test failed`);
      return null;
    }
  }
}

/** Applies an RFC 6902 patch to a copy of `doc`; throws PatchError (400 undecodable, 422 not applicable). */
export function applyJsonPatch<T>(doc: T, patch: unknown): T {
  const operations = decodeJsonPatch(patch);
  let result: unknown = structuredClone(doc);
  for (const raw of operations) {
    const op = prepare(result, raw);
    if (!op) continue;
    try {
      result = fastJsonPatch.applyOperation(result, structuredClone(op) as never, false, true, true).newDocument;
    } catch (e) {
      throw unprocessablePatch(((e as Error).message ?? String(e)).split('\n')[0]);
    }
  }
  return result as T;
}

/** Applies an RFC 7386 merge patch to a copy of `doc`; a patch that is not a JSON object is a 400. */
export function applyMergePatch<T>(doc: T, patch: unknown): T {
  if (!isPlainObject(patch)) throw badPatch('Invalid JSON Patch');
  return jsonMergePatch.apply(structuredClone(doc), structuredClone(patch)) as T;
}
