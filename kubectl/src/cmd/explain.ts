// kubectl explain: the OpenAPI v3 document of the resource's group version, rendered as kubectl 1.32's
// "plaintext" template does (explain/v2): KIND/VERSION, the FIELD line, DESCRIPTION and FIELDS.
import type { Factory } from '../factory.ts';
import type { APIResource, RESTMapper } from '../discovery.ts';
import { ExitError } from '../errors.ts';

type Schema = Record<string, any>;
export interface GVR { group: string; version: string; resource: string }

export interface ExplainOptions { apiVersion?: string; recursive: boolean; output?: string }

/** An error printed as is, without an "error: " prefix (cmdutil.CheckErr's NoMatch text). */
function fail(io: Factory['io'], message: string): never {
  io.err(message.endsWith('\n') ? message : message + '\n');
  throw new ExitError(1);
}

export async function runExplain(f: Factory, args: string[], o: ExplainOptions): Promise<void> {
  const suggest = 'Use "kubectl api-resources" for a complete list of supported resources.';
  if (args.length === 0) fail(f.io, `error: You must specify the type of resource to explain. ${suggest}\n`);
  if (args.length > 1) fail(f.io, 'error: We accept only this format: explain RESOURCE\n');
  if (o.output && o.output !== 'plaintext') fail(f.io, `error: unsupported output format "${o.output}": only plaintext is implemented`);
  const mapper = await f.restMapper();
  let target: { gvr: GVR; fieldPath: string[] };
  try {
    target = o.apiVersion ? splitResource(args[0], mapper) : splitResourceWithMatchingPrefix(args[0], mapper);
  } catch (e) {
    fail(f.io, e instanceof Error ? e.message : String(e));
  }
  const { gvr, fieldPath } = target;
  if (o.apiVersion) {
    const i = o.apiVersion.indexOf('/');
    gvr.group = i < 0 ? '' : o.apiVersion.slice(0, i);
    gvr.version = i < 0 ? o.apiVersion : o.apiVersion.slice(i + 1);
  }
  const rest = f.rest();
  const root = await rest.request<{ paths?: Record<string, { serverRelativeURL?: string }> }>({ path: '/openapi/v3' });
  const key = gvr.group ? `apis/${gvr.group}/${gvr.version}` : `api/${gvr.version}`;
  const url = root?.paths?.[key]?.serverRelativeURL;
  if (!url) fail(f.io, `error: couldn't find resource for "${gvrString(gvr)}"`);
  const u = new URL(url, 'http://x');
  const doc = await rest.request<Schema>({ path: u.pathname, query: Object.fromEntries(u.searchParams) });
  const r = renderExplain(doc, gvr, fieldPath, o.recursive);
  f.io.out(r.out);
  if (r.error) fail(f.io, r.error);
}

/** schema.GroupVersionResource's String(): "apps/v1, Resource=deployments", "/v1, Resource=pods". */
function gvrString(g: GVR): string {
  return `${g.group}/${g.version}, Resource=${g.resource}`;
}

function toGVR(r: APIResource): GVR {
  return { group: r.group, version: r.version, resource: r.resource };
}

/** explain.SplitAndParseResourceRequest: the first dot-separated part names the resource. */
export function splitResource(input: string, mapper: RESTMapper): { gvr: GVR; fieldPath: string[] } {
  const parts = input.replace(/\.$/, '').split('.');
  return { gvr: toGVR(mapper.resourcesFor(parts[0])[0]), fieldPath: parts.slice(1) };
}

/** explain.SplitAndParseResourceRequestWithMatchingPrefix: "deployments.apps.spec" selects group apps. */
export function splitResourceWithMatchingPrefix(input: string, mapper: RESTMapper): { gvr: GVR; fieldPath: string[] } {
  const trimmed = input.replace(/\.$/, '');
  const parts = trimmed.split('.');
  const all = mapper.resourcesFor(parts[0]);
  for (const r of all) {
    const gr = r.group ? `${r.resource}.${r.group}` : r.resource;
    if (trimmed.startsWith(gr)) {
      const suffix = trimmed.slice(gr.length);
      return { gvr: toGVR(r), fieldPath: suffix ? suffix.split('.').slice(1) : [] };
    }
  }
  return { gvr: toGVR(all[0]), fieldPath: parts.slice(1) };
}

// ---- rendering (pure) ----

/** Go template truthiness: nil, false, 0, "" and empty maps/slices are false. */
function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

const isMap = (v: unknown): v is Schema => !!v && typeof v === 'object' && !Array.isArray(v);
/** additionalProperties when it is a schema (not the boolean form). */
const mapValues = (s: Schema): Schema | undefined => (isMap(s.additionalProperties) && truthy(s.additionalProperties) ? s.additionalProperties : undefined);

function resolveRef(ref: unknown, doc: Schema): Schema | undefined {
  if (typeof ref !== 'string' || !ref.startsWith('#')) return undefined;
  let cur: unknown = doc;
  for (const k of ref.slice(1).split('/')) {
    if (!k) continue;
    cur = isMap(cur) ? cur[k] : undefined;
    if (!isMap(cur)) return undefined;
  }
  return cur as Schema;
}

/** go-wordwrap's WrapString: breaks lines at white space so they stay within `lim` characters. */
export function wrap(lim: number, s: string): string {
  let out = '';
  let current = 0;
  let word = '';
  let space = '';
  for (const ch of s) {
    if (ch === '\n') {
      if (!word) {
        if (current + space.length > lim) current = 0;
        else { current += space.length; out += space; }
        space = '';
      } else {
        current += space.length + word.length;
        out += space + word;
        space = ''; word = '';
      }
      out += ch;
      current = 0;
    } else if (/\s/u.test(ch) && ch !== '\u00a0') {
      if (!space || word) {
        current += space.length + word.length;
        out += space + word;
        space = ''; word = '';
      }
      space += ch;
    } else {
      word += ch;
      const wl = [...word].length;
      if (current + space.length + wl > lim && wl < lim) {
        out += '\n';
        current = 0;
        space = '';
      }
    }
  }
  if (!word) { if (current + space.length <= lim) out += space; } else out += space + word;
  return out;
}

function indent(n: number, s: string): string {
  const pad = ' '.repeat(n);
  return pad + s.replaceAll('\n', '\n' + pad);
}

function typeGuess(s: Schema, doc: Schema): string {
  if (truthy(s.items)) return '[]' + typeGuess(s.items, doc);
  const values = mapValues(s);
  if (values) return 'map[string]' + typeGuess(values, doc);
  if (truthy(s.allOf) && !truthy(s.properties) && s.allOf.length === 1) return typeGuess(s.allOf[0], doc);
  if (truthy(s.$ref)) {
    const target = resolveRef(s.$ref, doc);
    if (!target || !truthy(target.type) || target.type === 'object') {
      const name = String(s.$ref).split('/').pop() ?? '';
      return name.split('.').pop() || 'Object';
    }
    return String(target.type);
  }
  if (s.type === 'object') return 'Object';
  return truthy(s.type) ? String(s.type) : 'Object';
}

function extractEnum(s: Schema, longView: boolean, limit: number, indentAmount = 0): string {
  if (!truthy(s.enum)) return '';
  let out = longView ? 'ENUM:' : '\n' + ' '.repeat(indentAmount) + 'enum: ';
  (s.enum as unknown[]).some((e, i) => {
    if (limit > -1 && i >= limit) { out += ', ....'; return true; }
    if (i > 0 && !longView) out += ', ';
    else if (longView) out += '\n    ';
    out += e === '' ? '""' : String(e);
    return false;
  });
  return out;
}

function description(s: Schema, doc: Schema): string {
  const t = resolveRef(s.$ref, doc) ?? s;
  let out = truthy(t.description) ? t.description + '\n' : '';
  for (const a of truthy(t.allOf) ? t.allOf : []) out += description(a, doc);
  if (truthy(t.items)) out += description(t.items, doc);
  const values = mapValues(t);
  if (values) out += description(values, doc);
  return out;
}

function fieldDetail(name: string, parent: Schema, short: boolean, level: number, doc: Schema): string {
  const n = level * 2;
  const f = parent.properties[name] as Schema;
  let out = ' '.repeat(n) + name + '\t<' + typeGuess(f, doc) + '>';
  if (Array.isArray(parent.required) && parent.required.includes(name)) out += ' -required-';
  out += extractEnum(f, false, 4, n) + '\n';
  if (!short) out += indent(n + 2, wrap(78 - n, truthy(f.description) ? f.description : '<no description>')) + '\n\n';
  return out;
}

function fieldList(s: Schema, level: number, history: Set<string>, recursive: boolean, doc: Schema): string {
  const ref = typeof s.$ref === 'string' ? s.$ref : '';
  if (ref && history.has(ref)) return '';
  const next = new Set(history).add(ref);
  const t = resolveRef(ref, doc) ?? s;
  let out = '';
  const props = isMap(t.properties) ? t.properties : {};
  for (const k of Object.keys(props).sort(byBytes)) {
    out += fieldDetail(k, t, recursive, level, doc);
    if (recursive) out += fieldList(props[k], level + 1, next, recursive, doc);
  }
  for (const a of truthy(t.allOf) ? t.allOf : []) out += fieldList(a, level, next, recursive, doc);
  if (truthy(t.items)) out += fieldList(t.items, level, next, recursive, doc);
  const values = mapValues(t);
  if (values) out += fieldList(values, level, next, recursive, doc);
  return out;
}

const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function output(s: Schema, history: Set<string>, path: string[], recursive: boolean, doc: Schema): string {
  const ref = typeof s.$ref === 'string' ? s.$ref : '';
  const next = new Set(history).add(ref);
  const t = resolveRef(ref, doc) ?? s;
  if (path.length === 0) {
    let out = 'DESCRIPTION:\n' + indent(4, wrap(76, description(t, doc) || '<empty>')) + '\n';
    const fields = fieldList(t, 1, new Set(), recursive, doc);
    if (fields) out += 'FIELDS:\n' + fields;
    return out;
  }
  if (ref && history.has(ref)) return '';
  if (isMap(t.properties) && truthy(t.properties[path[0]])) {
    const sub = t.properties[path[0]] as Schema;
    let out = '';
    if (path.length === 1) out += `FIELD: ${path[0]} <${typeGuess(sub, doc)}>\n` + extractEnum(sub, true, -1) + '\n\n';
    return out + output(sub, new Set(), path.slice(1), recursive, doc);
  }
  if (truthy(t.items)) return output(t.items, next, path, recursive, doc);
  const values = mapValues(t);
  if (values) return output(values, next, path, recursive, doc);
  for (const a of truthy(t.allOf) ? t.allOf : []) {
    const r = output(a, next, path, recursive, doc);
    if (r) return r;
  }
  return '';
}

function sameGVK(a: unknown, b: Schema): boolean {
  if (!isMap(a)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/**
 * Renders one group version's OpenAPI v3 document for a resource and field path. `out` is what is
 * printed before any error (the header is written even when the field does not exist).
 */
export function renderExplain(doc: Schema, gvr: GVR, fieldPath: string[], recursive: boolean): { out: string; error?: string } {
  const prefix = gvr.group ? `/apis/${gvr.group}` : '/api';
  const base = `${prefix}/${gvr.version}`;
  const searchPaths = [`${base}/${gvr.resource}`, `${base}/${gvr.resource}/{name}`,
    `${base}/namespaces/{namespace}/${gvr.resource}`, `${base}/namespaces/{namespace}/${gvr.resource}/{name}`];
  let gvk: Schema | undefined;
  for (const p of searchPaths) {
    const item = doc.paths?.[p];
    if (!isMap(item)) continue;
    for (const m of ['get', 'post', 'put', 'patch', 'delete']) {
      const g = item[m]?.['x-kubernetes-group-version-kind'];
      if (truthy(g)) { gvk = g; break; }
    }
    if (gvk) break;
  }
  if (!gvk) return { out: '', error: `error: GVR (${gvrString(gvr)}) not found in OpenAPI schema` };
  let out = '';
  if (truthy(gvk.group)) out += `GROUP:      ${gvk.group}\n`;
  out += `KIND:       ${gvk.kind}\nVERSION:    ${gvk.version}\n\n`;
  const schemas = isMap(doc.components?.schemas) ? doc.components.schemas as Record<string, Schema> : {};
  const name = Object.keys(schemas).sort(byBytes).find((n) => {
    const list = schemas[n]['x-kubernetes-group-version-kind'];
    return Array.isArray(list) && list.some((x) => sameGVK(x, gvk!));
  });
  if (!name) return { out, error: `error: GVK map[group:${gvk.group ?? ''} kind:${gvk.kind} version:${gvk.version}] not found in OpenAPI schema` };
  const body = output(schemas[name], new Set(), fieldPath, recursive, doc);
  if (!body) return { out, error: `error: field "${fieldPath[fieldPath.length - 1]}" does not exist` };
  return { out: out + body + '\n' };
}
