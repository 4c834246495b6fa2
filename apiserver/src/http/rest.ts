// The REST verbs on resource paths: list/watch/get/create/update/patch/delete/deletecollection.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, apiVersionOf, parseApiVersion, type KubeObject, StatusError } from '@k8ts/api';
import { applyJsonPatch, applyMergePatch, strategicMergePatch } from '@k8ts/api/patch/index.ts';
import type { Registry } from '../registry/index.ts';
import type { ResourceStore } from '../registry/store.ts';
import type { DeleteOptions } from '../registry/strategy.ts';
import { newContext, type FieldValidation, type RequestContext } from '../registry/context.ts';
import { decodeBody, patchTypeOf, wantsTable, type PatchType } from './negotiate.ts';
import type { ResourcePath } from './path.ts';
import { toTable, type IncludeObject } from './table.ts';
import { serveWatch } from './watch.ts';
import { serveSubresource } from './subresources.ts';
import type { Metrics } from './metrics.ts';

type Query = Record<string, string | undefined>;

export type PodProxy = (req: FastifyRequest, reply: FastifyReply, pod: import('kubernetes-types/core/v1').Pod, subresource: string) => Promise<unknown>;

export interface RestDeps { registry: Registry; metrics?: Metrics; bookmarkIntervalMs?: number; podProxy?: PodProxy }

export function verbOf(method: string, p: ResourcePath, q: Query): string {
  const collection = p.name === undefined;
  switch (method) {
    case 'GET': return collection ? (isTrue(q.watch) ? 'watch' : 'list') : isTrue(q.watch) ? 'watch' : 'get';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return collection ? 'deletecollection' : 'delete';
    default: return method.toLowerCase();
  }
}

function isTrue(v: string | undefined): boolean {
  return v === 'true' || v === '1';
}

/** The request's context from its query: fieldValidation and dryRun checked as upstream, the field manager, the user. */
export function requestContext(req: FastifyRequest, q: Query): RequestContext {
  const fv = q.fieldValidation;
  if (fv !== undefined && fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
    throw errors.badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${fv}"`);
  }
  const dryRun = q.dryRun;
  if (dryRun !== undefined) checkDryRun([dryRun]);
  return newContext({ fieldValidation: (fv as FieldValidation) ?? 'Warn', dryRun: dryRun === 'All', fieldManager: q.fieldManager, user: (req as { user?: RequestContext['user'] }).user });
}

/** ValidateDryRun: "All" is the only value there is. */
export function checkDryRun(values: unknown): void {
  if (!Array.isArray(values)) throw errors.badRequest('dryRun: must be a list of strings');
  for (const v of values) if (v !== 'All') throw errors.badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
}

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw errors.badRequest(`${name}: invalid value "${v}": must be an integer`);
  return n;
}

/** Checks that a body is an object of the URL's kind (400 otherwise) and fills apiVersion/kind. */
export function checkBody(body: unknown, store: ResourceStore, kind = store.info.kind, apiVersion = apiVersionOf(store.info)): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest(`the body of the request was not a ${kind} object`);
  const o = body as KubeObject;
  if (o.kind !== undefined && o.kind !== kind) {
    throw errors.badRequest(`the API version in the data (${o.apiVersion ?? ''}) does not match the expected API version (${apiVersion}) or the kind (${o.kind}) does not match the expected kind (${kind})`);
  }
  if (o.apiVersion !== undefined && o.apiVersion !== apiVersion) {
    const gv = parseApiVersion(String(o.apiVersion));
    if (gv.group !== store.info.group || gv.version !== store.info.version) {
      throw errors.badRequest(`the API version in the data (${o.apiVersion}) does not match the expected API version (${apiVersion})`);
    }
  }
  if (o.metadata !== undefined && (typeof o.metadata !== 'object' || o.metadata === null || Array.isArray(o.metadata))) {
    throw errors.badRequest(`${kind} in version "${store.info.version}" cannot be handled as a ${kind}: json: cannot unmarshal into Go struct field ${kind}.metadata of type v1.ObjectMeta`);
  }
  o.apiVersion = apiVersion;
  o.kind = kind;
  o.metadata ??= {};
  return o;
}

export function applyPatch(kind: string, current: KubeObject, type: PatchType, patch: unknown): KubeObject {
  try {
    switch (type) {
      case 'json':
        if (!Array.isArray(patch)) throw errors.badRequest('json patch must be an array of operations');
        return applyJsonPatch(current, patch) as KubeObject;
      case 'merge':
        if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw errors.badRequest('merge patch must be a JSON object');
        return applyMergePatch(current, patch) as KubeObject;
      case 'strategic':
        if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw errors.badRequest('strategic merge patch must be a JSON object');
        return strategicMergePatch(kind, current, patch) as KubeObject;
      default:
        throw errors.unsupportedMediaType('application/apply-patch+yaml (server-side apply is not supported yet)');
    }
  } catch (e) {
    if (e instanceof StatusError) throw e;
    throw errors.invalid('', kind, current.metadata?.name ?? '', [{ type: 'FieldValueInvalid', field: '', detail: (e as Error).message }]);
  }
}

function deleteOptions(body: unknown, q: Query): DeleteOptions {
  const o: DeleteOptions = {};
  if (body && typeof body === 'object') Object.assign(o, body as DeleteOptions);
  const g = num(q.gracePeriodSeconds, 'gracePeriodSeconds');
  if (g !== undefined) o.gracePeriodSeconds = g;
  if (q.propagationPolicy) o.propagationPolicy = q.propagationPolicy as DeleteOptions['propagationPolicy'];
  if (q.orphanDependents) o.orphanDependents = isTrue(q.orphanDependents);
  if (o.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(o.propagationPolicy)) {
    throw errors.invalid('', 'DeleteOptions', '', [{ type: 'FieldValueNotSupported', field: 'propagationPolicy', value: o.propagationPolicy, supported: ['Foreground', 'Background', 'Orphan'] }]);
  }
  if (o.dryRun !== undefined) checkDryRun(o.dryRun);
  if (o.gracePeriodSeconds !== undefined && o.gracePeriodSeconds < 0) o.gracePeriodSeconds = 0;
  return o;
}

function statusSuccess(store: ResourceStore, obj: KubeObject, code = 200) {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name: obj.metadata.name, group: store.info.group, kind: store.info.resource, uid: obj.metadata.uid },
    ...(code !== 200 ? { code } : {}),
  };
}

export async function serveResource(req: FastifyRequest, reply: FastifyReply, p: ResourcePath, deps: RestDeps): Promise<unknown> {
  const q = req.query as Query;
  const store = deps.registry.store(p.info);
  const method = req.method;
  const table = wantsTable(req.headers.accept);
  const include = (q.includeObject as IncludeObject | undefined) ?? 'Metadata';
  const raw = req.body as string | undefined;

  if (p.subresource) return serveSubresource(req, reply, p, store, deps);

  if (p.name === undefined) {
    if (method === 'GET') {
      if (isTrue(q.watch)) {
        serveWatch(req, reply, store, {
          namespace: p.namespace, labelSelector: q.labelSelector, fieldSelector: q.fieldSelector, resourceVersion: q.resourceVersion,
          allowWatchBookmarks: isTrue(q.allowWatchBookmarks), timeoutSeconds: num(q.timeoutSeconds, 'timeoutSeconds'), table, includeObject: include,
          bookmarkIntervalMs: deps.bookmarkIntervalMs,
        }, deps.metrics);
        return reply;
      }
      const list = await store.list(p.namespace, {
        labelSelector: q.labelSelector, fieldSelector: q.fieldSelector, limit: num(q.limit, 'limit'), continue: q.continue,
        resourceVersion: q.resourceVersion, resourceVersionMatch: q.resourceVersionMatch,
      });
      if (table) {
        return toTable(p.info.kind, list.items, { include, resourceVersion: list.metadata.resourceVersion, continue: list.metadata.continue, remainingItemCount: list.metadata.remainingItemCount });
      }
      return list;
    }
    if (method === 'POST') {
      if (p.info.namespaced && !p.namespace) throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
      const ctx = requestContext(req, q);
      const obj = checkBody(decodeBody(raw, req.headers['content-type']), store);
      const created = await store.create(p.namespace, obj, ctx);
      warn(reply, ctx);
      reply.code(201);
      return created;
    }
    if (method === 'DELETE') {
      const ctx = requestContext(req, q);
      const opts = deleteOptions(raw ? decodeBody(raw, req.headers['content-type']) : undefined, q);
      const list = await store.deleteCollection(p.namespace, { labelSelector: q.labelSelector, fieldSelector: q.fieldSelector }, opts, ctx);
      return list;
    }
    throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  }

  const name = p.name;
  switch (method) {
    case 'GET': {
      if (isTrue(q.watch)) {
        serveWatch(req, reply, store, {
          namespace: p.namespace, fieldSelector: `metadata.name=${name}`, resourceVersion: q.resourceVersion,
          allowWatchBookmarks: isTrue(q.allowWatchBookmarks), timeoutSeconds: num(q.timeoutSeconds, 'timeoutSeconds'), table, includeObject: include,
          bookmarkIntervalMs: deps.bookmarkIntervalMs,
        }, deps.metrics);
        return reply;
      }
      const obj = await store.get(p.namespace, name, q.resourceVersion);
      return table ? toTable(p.info.kind, [obj], { include, resourceVersion: obj.metadata.resourceVersion }) : obj;
    }
    case 'PUT': {
      const ctx = requestContext(req, q);
      const obj = checkBody(decodeBody(raw, req.headers['content-type']), store);
      const r = await store.update(p.namespace, name, obj, ctx);
      warn(reply, ctx);
      reply.code(r.created ? 201 : 200);
      return r.object;
    }
    case 'PATCH': {
      const ctx = requestContext(req, q);
      const type = patchTypeOf(req.headers['content-type']);
      if (!type) throw errors.unsupportedMediaType(String(req.headers['content-type'] ?? ''));
      const patch = decodeBody(raw, req.headers['content-type']);
      const obj = await store.guaranteedUpdate(p.namespace, name, ctx, (cur) => applyPatch(p.info.kind, cur, type, patch));
      warn(reply, ctx);
      return obj;
    }
    case 'DELETE': {
      const ctx = requestContext(req, q);
      const opts = deleteOptions(raw ? decodeBody(raw, req.headers['content-type']) : undefined, q);
      const r = await store.delete(p.namespace, name, opts, ctx);
      if (!r.deleted) {
        if (opts.orphanDependents === false) reply.code(202);
        return r.object;
      }
      return statusSuccess(store, r.object);
    }
    default:
      throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  }
}

export function warn(reply: FastifyReply, ctx: RequestContext): void {
  if (ctx.warnings.length) {
    reply.header('Warning', ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  }
}
