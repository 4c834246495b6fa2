// kubectl describe: fetch the object and what it relates to (events, replica sets, endpoints, pods),
// then render it as describe.go does. Names that match nothing are tried as prefixes.
import type { Factory } from '../factory.ts';
import { pathFor, type APIResource } from '../discovery.ts';
import { visitsFromArgs } from '../resource/args.ts';
import { AggregateError } from '../errors.ts';
import { isNotFound, StatusError } from '@k8ts/api/status.ts';
import { describePod, describeDeployment, describeService, describeNode, describeNamespace } from '../describe/describers.ts';
import { describeReplicaSet, describeGeneric } from '../describe/generic.ts';
import { describeConfigMap, describeSecret, describeServiceAccount } from '../describe/config.ts';
import { describeDaemonSet, describeStatefulSet, describeJob, describeEndpoints } from '../describe/apps.ts';
import { formatLabelSelector } from '@k8ts/api/labels.ts';

type Obj = Record<string, any>;

async function listAll(f: Factory, path: string, query: Record<string, string | number | undefined> = {}): Promise<Obj[]> {
  const items: Obj[] = [];
  let cont: string | undefined;
  do {
    const page = await f.rest().request<{ items?: Obj[]; metadata?: { continue?: string } }>({ path, query: { ...query, limit: 500, continue: cont } });
    items.push(...(page.items ?? []));
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return items;
}

async function eventsFor(f: Factory, kind: string, name: string, namespace: string | undefined, uid: string): Promise<Obj[]> {
  const fs = [`involvedObject.kind=${kind}`, `involvedObject.name=${name}`];
  if (namespace !== undefined) fs.push(`involvedObject.namespace=${namespace}`);
  fs.push(`involvedObject.uid=${uid}`);
  const path = namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/events` : '/api/v1/events';
  return listAll(f, path, { fieldSelector: fs.join(',') });
}

async function optionalList(f: Factory, path: string): Promise<Obj[] | undefined> {
  try { return await listAll(f, path); } catch (e) { if (isNotFound(e)) return undefined; throw e; }
}

export async function describeObject(f: Factory, m: APIResource, obj: Obj, showEvents: boolean): Promise<string> {
  const meta = obj.metadata ?? {};
  const ns: string | undefined = meta.namespace;
  const events = (kind: string, uid = meta.uid) => (showEvents ? eventsFor(f, kind, meta.name, ns ?? '', uid) : Promise.resolve(undefined));
  const key = `${m.group}/${m.kind}`;
  switch (key) {
    case '/Pod': return describePod(obj, await events('Pod'));
    case 'apps/Deployment': {
      const rss = await listAll(f, `/apis/apps/v1/namespaces/${encodeURIComponent(ns ?? '')}/replicasets`);
      return describeDeployment(obj, rss, await events('Deployment'));
    }
    case '/Service': {
      let slices: Obj[] = [];
      try {
        slices = await listAll(f, `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(ns ?? '')}/endpointslices`, { labelSelector: `kubernetes.io/service-name=${meta.name}` });
      } catch (e) { if (!isNotFound(e)) throw e; }
      return describeService(obj, slices, await events('Service'));
    }
    case '/Node': {
      let lease: Obj | undefined, leaseErr: string | undefined;
      try {
        lease = await f.rest().request<Obj>({ path: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${encodeURIComponent(meta.name)}` });
      } catch (e) { leaseErr = e instanceof Error ? e.message : String(e); }
      let pods: Obj[] | undefined;
      try {
        pods = await listAll(f, '/api/v1/pods', { fieldSelector: `spec.nodeName=${meta.name},status.phase!=Failed,status.phase!=Succeeded` });
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 403)) throw e;
      }
      const evs = showEvents ? await eventsFor(f, 'Node', meta.name, '', meta.name) : undefined;
      return describeNode(obj, lease, leaseErr, pods, evs);
    }
    case '/Namespace': {
      const quotas = await optionalList(f, `/api/v1/namespaces/${encodeURIComponent(meta.name)}/resourcequotas`);
      const limits = await optionalList(f, `/api/v1/namespaces/${encodeURIComponent(meta.name)}/limitranges`);
      return describeNamespace(obj, quotas, limits);
    }
    case 'apps/DaemonSet':
    case 'apps/StatefulSet': {
      const pods = await listAll(f, `/api/v1/namespaces/${encodeURIComponent(ns ?? '')}/pods`, { labelSelector: formatLabelSelector(obj.spec?.selector) });
      return m.kind === 'DaemonSet' ? describeDaemonSet(obj, pods, await events('DaemonSet')) : describeStatefulSet(obj, pods, await events('StatefulSet'));
    }
    case 'batch/Job': return describeJob(obj, await events('Job'));
    case '/Endpoints': return describeEndpoints(obj, await events('Endpoints'));
    case '/ServiceAccount': {
      let secrets: Obj[] | undefined;
      try { secrets = await listAll(f, `/api/v1/namespaces/${encodeURIComponent(ns ?? '')}/secrets`); } catch { secrets = undefined; }
      return describeServiceAccount(obj, secrets, await events('ServiceAccount'));
    }
    case '/ConfigMap': return describeConfigMap(obj, await events('ConfigMap'));
    case '/Secret': return describeSecret(obj);
    case 'apps/ReplicaSet': {
      let pods: Obj[] | string;
      try {
        pods = await listAll(f, `/api/v1/namespaces/${encodeURIComponent(ns ?? '')}/pods`, { labelSelector: formatLabelSelector(obj.spec?.selector) });
      } catch (e) { pods = e instanceof Error ? e.message : String(e); }
      return describeReplicaSet(obj, pods, await events('ReplicaSet'));
    }
    default:
      return describeGeneric({ apiVersion: m.group ? `${m.group}/${m.version}` : m.version, kind: m.kind, ...obj }, showEvents ? await eventsFor(f, obj.kind ?? m.kind, meta.name, ns ?? '', meta.uid) : undefined);
  }
}

export async function runDescribe(f: Factory, args: string[], o: { selector?: string; allNamespaces?: boolean; showEvents: boolean }): Promise<void> {
  if (!args.length) throw new Error('You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.');
  const mapper = await f.restMapper();
  const { namespace } = f.namespace();
  const errors: unknown[] = [];
  const objects: { m: APIResource; obj: Obj }[] = [];
  for (const v of visitsFromArgs(mapper, args)) {
    const ns = v.mapping.namespaced ? namespace : undefined;
    if (v.name === undefined) {
      const items = await listAll(f, pathFor(v.mapping, o.allNamespaces ? undefined : ns), { labelSelector: o.selector });
      for (const obj of items) objects.push({ m: v.mapping, obj });
      continue;
    }
    try {
      objects.push({ m: v.mapping, obj: await f.rest().request<Obj>({ path: pathFor(v.mapping, ns, v.name) }) });
    } catch (e) {
      if (!isNotFound(e) || args.length !== 2 || args[0].includes('/')) { errors.push(e); continue; }
      // As upstream (DescribeMatchingResources): "describe TYPE NAME" with an unknown NAME describes
      // every object of that type whose name starts with it, each followed by a newline.
      const all = await listAll(f, pathFor(v.mapping, ns));
      const matches = all.filter((x) => String(x.metadata?.name ?? '').startsWith(v.name!));
      if (!matches.length) throw e;
      for (const obj of matches) f.io.out(`${await describeObject(f, v.mapping, obj, o.showEvents)}\n`);
      return;
    }
  }
  let first = true;
  for (const { m, obj } of objects) {
    try {
      const s = await describeObject(f, m, obj, o.showEvents);
      f.io.out(first ? s : `\n\n${s}`);
      first = false;
    } catch (e) { errors.push(e); }
  }
  if (!objects.length && !errors.length) {
    f.io.err(o.allNamespaces || !args.length ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
  }
  if (errors.length) throw new AggregateError(errors);
}
