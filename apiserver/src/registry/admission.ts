// The object pipeline shared by create, update and patch: schema check, unknown fields, defaults, validation.
// The rules themselves live in @k8ts/api; this module only applies them with the request's settings.
import { errors, type KubeObject, type FieldError } from '@k8ts/api';
import { checkSchema, pruneUnknownFields } from '@k8ts/api/schema/index.ts';
import { setDefaults } from '@k8ts/api/defaults/index.ts';
import { validateCreate, validateUpdate } from '@k8ts/api/validation/index.ts';
import type { RequestContext } from './context.ts';

function kindGroup(obj: KubeObject): string {
  const av = obj.apiVersion ?? '';
  return av.includes('/') ? av.slice(0, av.indexOf('/')) : '';
}

function invalid(obj: KubeObject, causes: FieldError[]) {
  return errors.invalid(kindGroup(obj), obj.kind ?? '', obj.metadata?.name ?? '', causes);
}

/** Type checks and the unknown-field policy (Strict → 400, Warn → warning + drop, Ignore → drop). */
export function decodeChecks(obj: KubeObject, ctx: RequestContext): void {
  const { errors: schemaErrors, unknownFields } = checkSchema(obj);
  if (unknownFields.length) {
    if (ctx.fieldValidation === 'Strict') {
      const msg = unknownFields.map((f) => `unknown field "${f}"`).join(', ');
      throw errors.badRequest(`${obj.kind} in version "${obj.apiVersion?.split('/').pop()}" cannot be handled as a ${obj.kind}: strict decoding error: ${msg}`);
    }
    if (ctx.fieldValidation === 'Warn') for (const f of unknownFields) ctx.warnings.push(`unknown field "${f}"`);
    pruneUnknownFields(obj);
  }
  if (schemaErrors.length) throw invalid(obj, schemaErrors);
}

export function defaultObject(obj: KubeObject): void {
  setDefaults(obj);
}

export function validateForCreate(obj: KubeObject): void {
  const errs = validateCreate(obj);
  if (errs.length) throw invalid(obj, errs);
}

export function validateForUpdate(obj: KubeObject, old: KubeObject): void {
  const errs = validateUpdate(obj, old);
  if (errs.length) throw invalid(obj, errs);
}
