// Subresources: status, binding, eviction, scale, finalize; log and exec are proxied to the pod's kubelet.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Pod, Binding } from 'kubernetes-types/core/v1';
import { errors, type KubeObject, type DeepMutable } from '@k8ts/api';
import { formatSelector, labelSelectorAsSelector } from '@k8ts/api/labels.ts';
import type { ResourceStore } from '../registry/store.ts';
import type { ResourcePath } from './path.ts';
import type { RestDeps } from './rest.ts';
import { applyPatch, checkBody, checkDryRun, requestContext, warn } from './rest.ts';
import { decodeBody, patchTypeOf } from './negotiate.ts';
import { finalizeNamespace } from '../registry/kinds/namespaces.ts';
import { nowRFC3339 } from '../registry/store.ts';

type Query = Record<string, string | undefined>;

export async function serveSubresource(req: FastifyRequest, reply: FastifyReply, p: ResourcePath, store: ResourceStore, deps: RestDeps): Promise<unknown> {
  const sub = p.info.subresources.find((s) => s.name === p.subresource);
  const name = p.name!;
  if (!sub) throw errors.notFound(p.info.group, `${p.info.resource}/${p.subresource}`, name);
  const q = req.query as Query;
  const method = req.method;
  const raw = req.body as string | undefined;
  const ctx = requestContext(req, q);
  const decode = () => decodeBody(raw, req.headers['content-type']);

  switch (sub.name) {
    case 'status': {
      if (method === 'GET') return store.get(p.namespace, name);
      if (method === 'PUT') {
        const body = checkBody(decode(), store);
        const obj = await store.guaranteedUpdate(p.namespace, name, ctx, () => body, 'status');
        warn(reply, ctx);
        return obj;
      }
      if (method === 'PATCH') {
        const type = patchTypeOf(req.headers['content-type']);
        if (!type) throw errors.unsupportedMediaType(String(req.headers['content-type'] ?? ''));
        const patch = decode();
        return store.guaranteedUpdate(p.namespace, name, ctx, (cur) => applyPatch(p.info.kind, cur, type, patch), 'status');
      }
      break;
    }
    case 'binding': {
      if (method !== 'POST') break;
      const b = decode() as Binding;
      if (!b || typeof b !== 'object' || !b.target?.name) {
        throw errors.invalid('', 'Binding', b?.metadata?.name ?? name, [{ type: 'FieldValueRequired', field: 'target.name' }]);
      }
      await store.rawUpdate(p.namespace, name, (cur) => {
        const pod = cur as DeepMutable<Pod>;
        if (pod.metadata?.deletionTimestamp) throw errors.conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
        if (pod.spec?.nodeName) throw errors.conflict('', 'pods', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
        if (b.metadata?.uid && b.metadata.uid !== pod.metadata?.uid) throw errors.conflict('', 'pods', name, 'Precondition failed: UID in precondition does not match');
        pod.spec!.nodeName = b.target.name;
        if (b.metadata?.annotations) pod.metadata!.annotations = { ...pod.metadata!.annotations, ...b.metadata.annotations };
        const conds = (pod.status!.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
        conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as undefined, lastTransitionTime: nowRFC3339() });
        pod.status = { ...pod.status, conditions: conds };
        return cur;
      }, ctx.dryRun);
      reply.code(201);
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
    }
    case 'eviction': {
      if (method !== 'POST') break;
      const ev = decode() as { deleteOptions?: Record<string, unknown>; metadata?: { name?: string } };
      if (ev?.metadata?.name && ev.metadata.name !== name) throw errors.badRequest(`name in URL does not match name in Eviction object`);
      if (ev?.deleteOptions?.dryRun !== undefined) checkDryRun(ev.deleteOptions.dryRun);
      await store.delete(p.namespace, name, { ...(ev?.deleteOptions ?? {}) }, ctx);
      reply.code(201);
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
    }
    case 'scale': {
      if (method === 'GET') return scaleOf(await store.get(p.namespace, name));
      if (method === 'PUT' || method === 'PATCH') {
        const type = method === 'PATCH' ? patchTypeOf(req.headers['content-type']) : undefined;
        if (method === 'PATCH' && !type) throw errors.unsupportedMediaType(String(req.headers['content-type'] ?? ''));
        const body = decode();
        const obj = await store.guaranteedUpdate(p.namespace, name, ctx, (cur) => {
          const current = scaleOf(cur);
          const scale = type ? applyPatch('Scale', current as unknown as KubeObject, type, body) : body as KubeObject;
          if (!scale || typeof scale !== 'object') throw errors.badRequest('the body of the request was not a Scale object');
          const s = scale as { spec?: { replicas?: unknown }; metadata?: { resourceVersion?: string } };
          const replicas = s.spec?.replicas ?? 0;
          if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
            throw errors.invalid('autoscaling', 'Scale', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]);
          }
          if (s.metadata?.resourceVersion && s.metadata.resourceVersion !== cur.metadata.resourceVersion) {
            throw errors.conflict(p.info.group, p.info.resource, name, 'the object has been modified; please apply your changes to the latest version and try again');
          }
          (cur.spec as { replicas?: number }).replicas = replicas;
          return cur;
        });
        return scaleOf(obj);
      }
      break;
    }
    case 'finalize': {
      if (method !== 'PUT') break;
      const body = decode() as KubeObject;
      return store.rawUpdate(undefined, name, (cur) => finalizeNamespace(cur as never, body as never) as unknown as KubeObject, ctx.dryRun);
    }
    case 'log':
    case 'exec':
    case 'attach':
    case 'portforward': {
      if (!deps.podProxy) throw errors.serviceUnavailable(`${sub.name} is not available: no kubelet connection configured`);
      const pod = (await store.get(p.namespace, name)) as Pod;
      if (!pod.spec?.nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
      return deps.podProxy(req, reply, pod, sub.name);
    }
  }
  throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
}

/** The autoscaling/v1 Scale of a Deployment, ReplicaSet or StatefulSet. */
export function scaleOf(obj: KubeObject) {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: unknown };
  const status = (obj.status ?? {}) as { replicas?: number };
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: formatSelector(labelSelectorAsSelector(spec.selector as never)) },
  };
}
