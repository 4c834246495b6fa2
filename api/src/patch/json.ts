// RFC 6902 JSON patch and RFC 7386 JSON merge patch: thin wrappers over fast-json-patch and
// json-merge-patch that never mutate their inputs and report errors as PatchError.
import fastJsonPatch from 'fast-json-patch';
import jsonMergePatch from 'json-merge-patch';
import { PatchError, badPatch, unprocessablePatch } from './errors.ts';

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

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Checks the shape of a json-patch document (decode errors are 400 upstream). */
function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) throw badPatch('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  for (const op of patch) {
    if (!isPlainObject(op)) throw badPatch('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    if (typeof op.op !== 'string' || !ops.has(op.op)) throw badPatch(`Unexpected kind: ${String(op.op)}`);
    if (typeof op.path !== 'string') throw badPatch(`${op.op} operation missing path`);
    if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string') throw badPatch(`${op.op} operation missing from`);
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !('value' in op)) throw badPatch(`${op.op} operation missing value`);
  }
  return patch as JsonPatchOperation[];
}

/** Applies an RFC 6902 patch to a copy of `doc`; throws PatchError (400 malformed, 422 not applicable). */
export function applyJsonPatch<T>(doc: T, patch: unknown): T {
  const operations = decodeJsonPatch(patch);
  let result: unknown = structuredClone(doc);
  for (const op of operations) {
    try {
      result = fastJsonPatch.applyOperation(result, structuredClone(op) as never, true, true, true).newDocument;
    } catch (e) {
      if (e instanceof PatchError) throw e;
      const name = (e as { name?: string }).name ?? '';
      switch (name) {
        case 'TEST_OPERATION_FAILED':
          throw unprocessablePatch(`testing value ${op.path} failed: test failed`);
        case 'OPERATION_PATH_UNRESOLVABLE':
        case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
        case 'OPERATION_VALUE_OUT_OF_BOUNDS':
          if (op.op === 'remove') throw unprocessablePatch(`Unable to remove nonexistent key: ${lastSegment(op.path)}: missing value`);
          if (op.op === 'replace') throw unprocessablePatch(`replace operation does not apply: doc is missing key: ${op.path}: missing value`);
          if (op.op === 'move' || op.op === 'copy') throw unprocessablePatch(`${op.op} operation does not apply: doc is missing from path: ${op.from}: missing value`);
          throw unprocessablePatch(`${op.op} operation does not apply: doc is missing path: "${op.path}": missing value`);
        case 'OPERATION_FROM_UNRESOLVABLE':
          throw unprocessablePatch(`${op.op} operation does not apply: doc is missing from path: ${op.from}: missing value`);
        default:
          throw unprocessablePatch(((e as Error).message ?? String(e)).split('\n')[0]);
      }
    }
  }
  return result as T;
}

/** Applies an RFC 7386 merge patch to a copy of `doc`; a patch that is not a JSON object is a 400. */
export function applyMergePatch<T>(doc: T, patch: unknown): T {
  if (!isPlainObject(patch)) throw badPatch('Invalid JSON Patch');
  return jsonMergePatch.apply(structuredClone(doc), structuredClone(patch)) as T;
}
