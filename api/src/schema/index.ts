// Structural schema checks of API objects against the generated schemas (api/schemas/definitions.json):
// type / required / enum errors as FieldErrors, and the unknown fields strict decoding rejects.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { KubeObject } from '../object.ts';
import type { FieldError } from '../status.ts';
import { parseApiVersion } from '../resources.ts';
import definitionsJson from '../../schemas/definitions.json' with { type: 'json' };

export { openapiV3Document, openapiV3Root } from './openapi.ts';

export type JSONSchema = Record<string, any>;

/** Every generated definition, by upstream OpenAPI name (io.k8s.api.core.v1.Pod). */
export const definitions = definitionsJson as Record<string, JSONSchema>;

const REF_PREFIX = '#/components/schemas/';
const DOC_ID = 'k8s';

export interface GroupVersionKind { group: string; version: string; kind: string }

const byGVK = new Map<string, string>();
for (const [name, def] of Object.entries(definitions)) {
  for (const g of (def['x-kubernetes-group-version-kind'] ?? []) as GroupVersionKind[]) {
    const key = `${g.group}/${g.version}/${g.kind}`;
    // DeleteOptions is registered in every group; the kinds' own definitions win.
    if (!byGVK.has(key) || name.includes(`.${g.kind}`)) byGVK.set(key, name);
  }
}

/** The definition name for a group/version/kind, e.g. ("apps","v1","Deployment") → io.k8s.api.apps.v1.Deployment. */
export function definitionNameFor(group: string, version: string, kind: string): string | undefined {
  return byGVK.get(`${group}/${version}/${kind}`);
}

/** The schema of a kind, by apiVersion and kind. */
export function schemaFor(apiVersion: string, kind: string): JSONSchema | undefined {
  const gv = parseApiVersion(apiVersion);
  const name = definitionNameFor(gv.group, gv.version, kind);
  return name ? definitions[name] : undefined;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(name: string): ValidateFunction {
  let v = compiled.get(name);
  if (!v) {
    if (!ajv) {
      ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, messages: true, inlineRefs: false, code: { optimize: false } });
      ajv.addSchema({ $id: DOC_ID, components: { schemas: definitions } });
    }
    v = ajv.compile({ $ref: `${DOC_ID}${REF_PREFIX}${name}` });
    compiled.set(name, v);
  }
  return v;
}

function resolve(s: JSONSchema | undefined): JSONSchema | undefined {
  let cur = s;
  for (let i = 0; cur && typeof cur.$ref === 'string' && i < 32; i++) cur = definitions[cur.$ref.slice(REF_PREFIX.length)];
  return cur;
}

/**
 * Turns a JSON pointer inside an object of definition `root` into a Kubernetes field path:
 * /spec/containers/0/ports/1 → spec.containers[0].ports[1]; map keys print as labels[key].
 */
function fieldPath(root: string, pointer: string): string {
  const segs = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let schema = resolve(definitions[root]);
  let out = '';
  for (const seg of segs) {
    if (schema?.type === 'array') {
      out += `[${seg}]`;
      schema = resolve(schema.items);
    } else if (schema?.properties && seg in schema.properties) {
      out += out ? `.${seg}` : seg;
      schema = resolve(schema.properties[seg]);
    } else if (schema && typeof schema.additionalProperties === 'object') {
      out += `[${seg}]`;
      schema = resolve(schema.additionalProperties);
    } else {
      out += out ? `.${seg}` : seg;
      schema = undefined;
    }
  }
  return out;
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

/**
 * Go's JSON decoding treats null as "not set": drop nulls from objects before checking. Only what holds a null
 * is copied; without any, the value itself comes back (the check only reads it).
 */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const y = withoutNulls(v[i]);
      if (!out && y !== v[i]) out = v.slice(0, i);
      out?.push(y);
    }
    return out ?? v;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    let out: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const x = o[keys[i]];
      const y = x === null ? x : withoutNulls(x);
      if (!out && (x === null || y !== x)) {
        out = {};
        for (let j = 0; j < i; j++) out[keys[j]] = o[keys[j]];
      }
      if (out && x !== null) out[keys[i]] = y;
    }
    return out ?? o;
  }
  return v;
}

function valueAt(obj: unknown, pointer: string): unknown {
  if (pointer === '') return obj;
  let cur: any = obj;
  for (const seg of pointer.slice(1).split('/')) {
    if (cur == null) return undefined;
    cur = cur[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

function typeName(schema: JSONSchema | undefined): string {
  if (!schema) return 'unknown';
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map((s: JSONSchema) => s.type).join(' or ');
  return Array.isArray(schema.type) ? schema.type.join(' or ') : String(schema.type);
}

interface Unknown { pointer: string; property: string; path: string }

function run(obj: KubeObject): { name?: string; data: unknown; errors: ErrorObject[] } {
  const name = obj.apiVersion && obj.kind ? schemaNameOf(obj) : undefined;
  if (!name) return { data: obj, errors: [] };
  const data = withoutNulls(obj);
  const v = validatorFor(name);
  v(data);
  return { name, data, errors: v.errors ?? [] };
}

function schemaNameOf(obj: KubeObject): string | undefined {
  const gv = parseApiVersion(String(obj.apiVersion));
  return definitionNameFor(gv.group, gv.version, String(obj.kind));
}

function unknownsOf(name: string, errors: ErrorObject[]): Unknown[] {
  const out: Unknown[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const property = String((e.params as { additionalProperty: string }).additionalProperty);
    const path = join(fieldPath(name, e.instancePath), property);
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ pointer: e.instancePath, property, path });
  }
  return out;
}

/**
 * Checks an object against its kind's schema. Unknown kinds pass. `unknownFields` are named as upstream's
 * strict decoding names them (`spec.containers[0].imagee`); `errors` hold type, required and enum violations.
 */
export function checkSchema(obj: KubeObject): { errors: FieldError[]; unknownFields: string[] } {
  const { name, data, errors } = run(obj);
  if (!name) return { errors: [], unknownFields: [] };
  const out: FieldError[] = [];
  const seen = new Set<string>();
  const push = (e: FieldError) => {
    const key = `${e.type}|${e.field}`;
    if (!seen.has(key)) { seen.add(key); out.push(e); }
  };
  // Type errors inside an anyOf branch are reported once, by the anyOf itself.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const e of errors) {
    const path = fieldPath(name, e.instancePath);
    const value = valueAt(data, e.instancePath);
    switch (e.keyword) {
      case 'additionalProperties':
        break;
      case 'required': {
        // A Go client sends an empty list as null (no omitempty): lists are left to validation. Numbers and
        // booleans are Go scalars: a missing one decodes as its zero value upstream, never "Required".
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        const propSchema = resolve(schemaAtPointer(name, e.instancePath)?.properties?.[missing]);
        if (propSchema?.type === 'array' || propSchema?.type === 'integer' || propSchema?.type === 'number' || propSchema?.type === 'boolean') break;
        push({ type: 'FieldValueRequired', field: join(path, missing) });
        break;
      }
      case 'enum':
        // Go decoding accepts "" for these string enums (the zero value; defaults or validation decide).
        if (value === '') break;
        push({ type: 'FieldValueNotSupported', field: path, value, supported: (e.params as { allowedValues: string[] }).allowedValues.map(String) });
        break;
      case 'type':
        if (anyOfPaths.has(e.instancePath)) break;
        push({ type: 'FieldValueTypeInvalid', field: path, value, detail: `must be of type ${(e.params as { type: string }).type}` });
        break;
      case 'anyOf':
        push({ type: 'FieldValueTypeInvalid', field: path, value, detail: `must be of type ${typeName(e.parentSchema ?? schemaAtPointer(name, e.instancePath))}` });
        break;
      default:
        push({ type: 'FieldValueInvalid', field: path, value, detail: e.message });
    }
  }
  return { errors: out, unknownFields: unknownsOf(name, errors).map((u) => u.path) };
}

function schemaAtPointer(root: string, pointer: string): JSONSchema | undefined {
  let schema = resolve(definitions[root]);
  if (pointer === '') return schema;
  for (const seg of pointer.slice(1).split('/')) {
    if (!schema) return undefined;
    if (schema.type === 'array') schema = resolve(schema.items);
    else if (schema.properties && seg in schema.properties) schema = resolve(schema.properties[seg]);
    else if (typeof schema.additionalProperties === 'object') schema = resolve(schema.additionalProperties);
    else return undefined;
  }
  return schema;
}

/**
 * Drops the fields the kind's schema does not know (fieldValidation=Ignore/Warn), mutating obj.
 * Returns the dropped fields' paths, named as checkSchema names them.
 */
export function pruneUnknownFields(obj: KubeObject): string[] {
  const { name, errors } = run(obj);
  if (!name) return [];
  const unknowns = unknownsOf(name, errors);
  for (const u of unknowns) {
    const parent = valueAt(obj, u.pointer);
    if (parent && typeof parent === 'object' && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[u.property];
  }
  return unknowns.map((u) => u.path);
}

/** The strict-decoding error text upstream answers with (400 BadRequest) for unknown fields. */
export function strictDecodingMessage(unknownFields: string[]): string {
  return `strict decoding error: ${unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`;
}

export interface FieldPatchMeta {
  /** x-kubernetes-patch-strategy: "merge", "retainKeys", "merge,retainKeys" or undefined (replace). */
  strategy?: string;
  /** x-kubernetes-patch-merge-key: the key list items are merged by (e.g. "name" for containers). */
  mergeKey?: string;
  /** x-kubernetes-list-type: "map", "set" or "atomic" (server-side apply). */
  listType?: string;
  /** x-kubernetes-list-map-keys (server-side apply). */
  listMapKeys?: string[];
  /** The field's schema, when it is known. */
  schema?: JSONSchema;
}

/**
 * The strategic-merge / server-side-apply metadata of a field, by field names from the object root
 * (list items are stepped into implicitly): patchMetaFor('v1','Pod',['spec','containers']) →
 * { strategy: 'merge', mergeKey: 'name', ... }; ['spec','containers','ports'] → mergeKey 'containerPort'.
 * Undefined when the kind or field is unknown.
 */
export function patchMetaFor(apiVersion: string, kind: string, path: string[]): FieldPatchMeta | undefined {
  const gv = parseApiVersion(apiVersion);
  const root = definitionNameFor(gv.group, gv.version, kind);
  if (!root) return undefined;
  let schema = resolve(definitions[root]);
  let prop: JSONSchema | undefined;
  for (const seg of path) {
    while (schema?.type === 'array') schema = resolve(schema.items);
    if (schema?.properties && seg in schema.properties) {
      prop = schema.properties[seg];
      schema = resolve(prop);
    } else if (schema && typeof schema.additionalProperties === 'object') {
      prop = schema.additionalProperties;
      schema = resolve(prop);
    } else {
      return undefined;
    }
  }
  if (!prop) return undefined;
  return {
    strategy: prop['x-kubernetes-patch-strategy'],
    mergeKey: prop['x-kubernetes-patch-merge-key'],
    listType: prop['x-kubernetes-list-type'],
    listMapKeys: prop['x-kubernetes-list-map-keys'],
    schema,
  };
}

/**
 * Compiles the validators of the given kinds (default: every kind with a schema) now rather than on first
 * use; the Pod graph takes about a second to compile, so an API server may call this at startup.
 */
export function warmSchemas(kinds?: { apiVersion: string; kind: string }[]): void {
  const names = kinds
    ? kinds.map((k) => { const gv = parseApiVersion(k.apiVersion); return definitionNameFor(gv.group, gv.version, k.kind); })
    : [...new Set(byGVK.values())];
  for (const n of names) if (n) validatorFor(n);
}
