// Patching: RFC 6902 json-patch, RFC 7386 merge-patch, Kubernetes strategic merge patch (apply and
// compute), with the list merge keys of the Kubernetes types.
export { PatchError } from './errors.ts';
export { applyJsonPatch, applyMergePatch } from './json.ts';
export type { JsonPatchOperation } from './json.ts';
export { strategicMergePatch, strategicMergeMapPatch } from './strategic.ts';
export { createThreeWayMergePatch, createTwoWayMergePatch, PreconditionError, sortKeys } from './diff.ts';
export { hasPatchSchema, patchSchemaFor, lookupPatchMeta } from './schema.ts';
export type { PatchMeta, PatchSchema } from './schema.ts';
export { openapiPatchExtensions, patchMetaPaths } from './schema.ts';
export type { PatchExtensions } from './schema.ts';
