// The /openapi/v3 documents: one per group version, shaped as upstream's (components.schemas named
// io.k8s.api.core.v1.Pod with x-kubernetes-group-version-kind; paths whose operations carry the gvk and
// the dryRun / fieldManager / fieldValidation query parameters kubectl looks for).
import { createHash } from 'node:crypto';
import definitionsJson from '../../schemas/definitions.json' with { type: 'json' };
import { apiVersionOf, groupVersions, resources, type ResourceInfo } from '../resources.ts';

type JSONSchema = Record<string, any>;
const definitions = definitionsJson as Record<string, JSONSchema>;
const REF = '#/components/schemas/';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

const patchSchema: JSONSchema = {
  description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
  type: 'object',
};

/** `$ref` beside other keywords is written as upstream writes it: allOf: [{$ref}] plus the siblings. */
function toOpenAPI(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toOpenAPI);
  if (!s || typeof s !== 'object') return s;
  const src = s as JSONSchema;
  const out: JSONSchema = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'additionalProperties' && v === false) continue; // OpenAPI leaves closed objects implicit
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as JSONSchema).map(([p, ps]) => [p, toOpenAPI(ps)]));
    else out[k] = toOpenAPI(v);
  }
  if (typeof out.$ref === 'string' && Object.keys(out).length > 1) {
    const ref = out.$ref;
    delete out.$ref;
    out.allOf = [{ $ref: ref }];
  }
  return out;
}

function reachable(roots: string[]): string[] {
  const keep = new Set<string>();
  const visit = (name: string) => {
    if (keep.has(name) || !definitions[name]) return;
    keep.add(name);
    JSON.stringify(definitions[name], (k, v) => {
      if (k === '$ref' && typeof v === 'string') visit(v.slice(REF.length));
      return v;
    });
  };
  roots.forEach(visit);
  return [...keep].sort();
}

function defName(group: string, version: string, kind: string): string | undefined {
  for (const [name, def] of Object.entries(definitions)) {
    const gvks = (def['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[];
    if (gvks.some((g) => g.group === group && g.version === version && g.kind === kind) && name.endsWith(`.${kind}`)) return name;
  }
  return undefined;
}

const camel = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
function groupTag(group: string): string {
  if (!group) return 'Core';
  return group.split('.')[0].split('-').map(camel).join('');
}

const q = (name: string, description: string, schema: JSONSchema = { type: 'string', uniqueItems: true }): JSONSchema =>
  ({ name, in: 'query', description, schema });
const params = {
  pretty: q('pretty', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: q('dryRun', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: q('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  fieldValidation: q('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.'),
  force: q('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', { type: 'boolean', uniqueItems: true }),
  name: (kind: string): JSONSchema => ({ name: 'name', in: 'path', description: `name of the ${kind}`, required: true, schema: { type: 'string', uniqueItems: true } }),
  namespace: { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } },
  list: ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch']
    .map((n) => q(n, n, { type: ['allowWatchBookmarks', 'sendInitialEvents', 'watch'].includes(n) ? 'boolean' : ['limit', 'timeoutSeconds'].includes(n) ? 'integer' : 'string', uniqueItems: true })),
};

const json = (name: string): JSONSchema => ({ schema: { $ref: `${REF}${name}` } });
const content = (name: string) => ({ 'application/json': json(name), 'application/yaml': json(name), 'application/vnd.kubernetes.protobuf': json(name) });
const ok = (name: string, codes: string[]) =>
  Object.fromEntries([...codes.map((c) => [c, { description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK', content: content(name) }]), ['401', { description: 'Unauthorized' }]]);

interface Op { verb: string; action: string; gvk: { group: string; version: string; kind: string }; body?: string; response: string; codes: string[]; query: JSONSchema[]; description: string; opId: string }

function operation(o: Op, tag: string): JSONSchema {
  const op: JSONSchema = {
    tags: [tag],
    description: o.description,
    operationId: o.opId,
    parameters: o.query,
    responses: ok(o.response, o.codes),
    'x-kubernetes-action': o.action,
    'x-kubernetes-group-version-kind': o.gvk,
  };
  if (o.body) {
    op.requestBody = o.verb === 'patch'
      ? {
        content: Object.fromEntries(['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']
          .map((t) => [t, json(`${META}.Patch`)])),
        required: true,
      }
      : { content: { '*/*': json(o.body) }, required: true };
  }
  return op;
}

function pathsFor(r: ResourceInfo): Record<string, JSONSchema> {
  const tag = `${groupTag(r.group).toLowerCase()}_${r.version}`;
  const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced ? '/namespaces/{namespace}' : '';
  const nsWord = r.namespaced ? 'Namespaced' : '';
  const id = (verb: string, suffix = '') => `${verb}${groupTag(r.group)}${camel(r.version)}${nsWord}${r.kind}${suffix}`;
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const kindDef = defName(r.group, r.version, r.kind)!;
  const listDef = defName(r.group, r.version, r.listKind);
  const write = [params.dryRun, params.fieldManager, params.fieldValidation];
  const pathParams = (named: boolean) => [...(named ? [params.name(r.kind)] : []), ...(r.namespaced ? [params.namespace] : []), params.pretty];
  const out: Record<string, JSONSchema> = {};

  const collection: JSONSchema = { parameters: pathParams(false) };
  if (r.verbs.includes('list') && listDef) collection.get = operation({ verb: 'get', action: 'list', gvk, response: listDef, codes: ['200'], query: params.list, description: `list or watch objects of kind ${r.kind}`, opId: id('list') }, tag);
  if (r.verbs.includes('create')) collection.post = operation({ verb: 'post', action: 'post', gvk, body: kindDef, response: kindDef, codes: ['200', '201', '202'], query: write, description: `create ${article(r.kind)} ${r.kind}`, opId: id('create') }, tag);
  if (r.verbs.includes('deletecollection')) collection.delete = operation({ verb: 'delete', action: 'deletecollection', gvk, body: `${META}.DeleteOptions`, response: `${META}.Status`, codes: ['200'], query: [params.dryRun, ...params.list], description: `delete collection of ${r.kind}`, opId: id('deleteCollection') }, tag);
  out[`${prefix}${ns}/${r.resource}`] = collection;

  const item: JSONSchema = { parameters: pathParams(true) };
  item.get = operation({ verb: 'get', action: 'get', gvk, response: kindDef, codes: ['200'], query: [], description: `read the specified ${r.kind}`, opId: id('read') }, tag);
  if (r.verbs.includes('update')) item.put = operation({ verb: 'put', action: 'put', gvk, body: kindDef, response: kindDef, codes: ['200', '201'], query: write, description: `replace the specified ${r.kind}`, opId: id('replace') }, tag);
  if (r.verbs.includes('patch')) item.patch = operation({ verb: 'patch', action: 'patch', gvk, body: `${META}.Patch`, response: kindDef, codes: ['200', '201'], query: [...write, params.force], description: `partially update the specified ${r.kind}`, opId: id('patch') }, tag);
  if (r.verbs.includes('delete')) item.delete = operation({ verb: 'delete', action: 'delete', gvk, body: `${META}.DeleteOptions`, response: kindDef, codes: ['200', '202'], query: [params.dryRun, q('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', { type: 'integer', uniqueItems: true }), q('propagationPolicy', 'Whether and how garbage collection will be performed.')], description: `delete ${article(r.kind)} ${r.kind}`, opId: id('delete') }, tag);
  out[`${prefix}${ns}/${r.resource}/{name}`] = item;

  for (const s of r.subresources) {
    if (s.name !== 'status' && s.name !== 'scale') continue;
    const subDef = defName(s.group, s.version, s.kind);
    if (!subDef) continue;
    const sgvk = { group: s.group, version: s.version, kind: s.kind };
    const suffix = camel(s.name);
    const p: JSONSchema = { parameters: pathParams(true) };
    p.get = operation({ verb: 'get', action: 'get', gvk: sgvk, response: subDef, codes: ['200'], query: [], description: `read ${s.name} of the specified ${r.kind}`, opId: id('read', suffix) }, tag);
    p.put = operation({ verb: 'put', action: 'put', gvk: sgvk, body: subDef, response: subDef, codes: ['200', '201'], query: write, description: `replace ${s.name} of the specified ${r.kind}`, opId: id('replace', suffix) }, tag);
    p.patch = operation({ verb: 'patch', action: 'patch', gvk: sgvk, body: `${META}.Patch`, response: subDef, codes: ['200', '201'], query: [...write, params.force], description: `partially update ${s.name} of the specified ${r.kind}`, opId: id('patch', suffix) }, tag);
    out[`${prefix}${ns}/${r.resource}/{name}/${s.name}`] = p;
  }
  if (r.namespaced && r.verbs.includes('list') && listDef) {
    out[`${prefix}/${r.resource}`] = {
      parameters: [params.pretty],
      get: operation({ verb: 'get', action: 'list', gvk, response: listDef, codes: ['200'], query: params.list, description: `list or watch objects of kind ${r.kind}`, opId: `list${groupTag(r.group)}${camel(r.version)}${r.kind}ForAllNamespaces` }, tag),
    };
  }
  return out;
}

const article = (w: string) => (/^[AEIOU]/.test(w) ? 'an' : 'a');

const cache = new Map<string, JSONSchema>();

/**
 * The OpenAPI v3 document of one group version ("" / "v1", "apps" / "v1"), or undefined when not served.
 * The same object is returned on every call: do not mutate it.
 */
export function openapiV3Document(group: string, version: string): JSONSchema | undefined {
  const key = `${group}/${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const roots = [`${META}.DeleteOptions`, `${META}.Status`];
  const paths: Record<string, JSONSchema> = {};
  for (const r of rs) {
    for (const k of [r.kind, r.listKind]) { const n = defName(r.group, r.version, k); if (n) roots.push(n); }
    for (const s of r.subresources) { const n = defName(s.group, s.version, s.kind); if (n) roots.push(n); }
    Object.assign(paths, pathsFor(r));
  }
  const schemas: Record<string, JSONSchema> = {};
  for (const name of reachable(roots)) schemas[name] = toOpenAPI(definitions[name]) as JSONSchema;
  schemas[`${META}.Patch`] = patchSchema;
  const doc = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]])) },
  };
  cache.set(key, doc);
  return doc;
}

/** GET /openapi/v3: the discovery document listing each group version's document with a content hash. */
let root: { paths: Record<string, { serverRelativeURL: string }> } | undefined;

export function openapiV3Root(): { paths: Record<string, { serverRelativeURL: string }> } {
  if (root) return root;
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const rel = gv.group ? `apis/${apiVersionOf(gv)}` : `api/${gv.version}`;
    const doc = openapiV3Document(gv.group, gv.version);
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
    paths[rel] = { serverRelativeURL: `/openapi/v3/${rel}?hash=${hash}` };
  }
  root = { paths };
  return root;
}
