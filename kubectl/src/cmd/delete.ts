// kubectl delete: by type and name, -f, -l or --all; waits until the objects are gone.
import type { Factory } from '../factory.ts';
import { pathFor, type APIResource } from '../discovery.ts';
import { visitsFromArgs } from '../resource/args.ts';
import { readManifests } from '../resource/manifest.ts';
import { infosFromManifests } from '../resource/objects.ts';
import type { ObjectLike } from '../printers/index.ts';
import { AggregateError, addSourceToErr } from '../errors.ts';
import { isNotFound } from '@k8ts/api/status.ts';

export interface DeleteOptions {
  filenames: string[];
  recursive?: boolean;
  selector?: string;
  fieldSelector?: string;
  all?: boolean;
  allNamespaces?: boolean;
  ignoreNotFound?: boolean;
  wait: boolean;
  output?: string;
  gracePeriod?: number;
  force?: boolean;
  timeoutSeconds?: number;
}

interface Target { mapping: APIResource; namespace?: string; name: string; source?: string; uid?: string }

function kindString(m: APIResource): string {
  return m.group ? `${m.kind.toLowerCase()}.${m.group}` : m.kind.toLowerCase();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForDeletion(f: Factory, t: Target, uid: string | undefined, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const cur = await f.rest().request<ObjectLike>({ path: pathFor(t.mapping, t.namespace, t.name) });
      if (uid && (cur.metadata as { uid?: string } | undefined)?.uid !== uid) return;
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for the condition on ${t.mapping.resource}/${t.name}`);
}

export async function runDelete(f: Factory, args: string[], o: DeleteOptions): Promise<void> {
  const mapper = await f.restMapper();
  const ns = f.namespace();
  const errors: unknown[] = [];
  const targets: Target[] = [];
  const hasSelection = !!o.selector || !!o.fieldSelector || !!o.all;
  if (o.filenames.length) {
    if (args.length) throw new Error('when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well');
    const read = readManifests(o.filenames, !!o.recursive, () => f.io.readStdin());
    if (read.error) throw read.error;
    const infos = infosFromManifests(mapper, read.objects, ns);
    for (const i of infos) targets.push({ mapping: i.mapping, namespace: i.namespace, name: i.name, source: i.source });
  } else {
    if (!args.length) throw new Error('You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   \'-f rsrc.yaml\'\n   \'--filename=rsrc.json\'\n   \'<resource> <name>\'\n   \'<resource>\'');
    const visits = visitsFromArgs(mapper, args);
    const named = visits.filter((v) => v.name !== undefined);
    if (named.length && hasSelection) throw new Error('name cannot be provided when a selector is specified');
    if (!named.length && !hasSelection) {
      throw new Error(`resource(s) were provided, but no name was specified`);
    }
    for (const v of visits) {
      const namespace = v.mapping.namespaced ? ns.namespace : undefined;
      if (v.name !== undefined) { targets.push({ mapping: v.mapping, namespace, name: v.name }); continue; }
      const list = await f.rest().request<{ items: ObjectLike[] }>({
        path: pathFor(v.mapping, o.allNamespaces ? undefined : namespace),
        query: { labelSelector: o.selector, fieldSelector: o.fieldSelector, limit: 500 },
      });
      for (const it of list.items ?? []) {
        targets.push({ mapping: v.mapping, namespace: it.metadata?.namespace, name: it.metadata?.name ?? '' });
      }
    }
  }
  const body: Record<string, unknown> = { propagationPolicy: 'Background' };
  if (o.gracePeriod !== undefined && o.gracePeriod >= 0) body.gracePeriodSeconds = o.gracePeriod;
  else if (o.force) body.gracePeriodSeconds = 0;
  const deleted: { t: Target; uid?: string }[] = [];
  let found = 0;
  for (const t of targets) {
    try {
      const res = await f.rest().request<ObjectLike>({ method: 'DELETE', path: pathFor(t.mapping, t.namespace, t.name), body });
      found++;
      const op = body.gracePeriodSeconds === 0 ? 'force deleted' : 'deleted';
      f.io.out(o.output === 'name' ? `${kindString(t.mapping)}/${t.name}\n` : `${kindString(t.mapping)} "${t.name}" ${op}\n`);
      deleted.push({ t, uid: res?.kind !== 'Status' ? (res?.metadata as { uid?: string } | undefined)?.uid : undefined });
    } catch (e) {
      if (isNotFound(e) && o.ignoreNotFound) continue;
      errors.push(addSourceToErr('deleting', t.source, e));
    }
  }
  if (found === 0 && errors.length === 0 && !o.filenames.length && hasSelection) f.io.out('No resources found\n');
  if (o.wait) {
    const deadline = Date.now() + (o.timeoutSeconds && o.timeoutSeconds > 0 ? o.timeoutSeconds * 1000 : 7 * 24 * 3600 * 1000);
    for (const d of deleted) {
      try { await waitForDeletion(f, d.t, d.uid, deadline); } catch (e) { errors.push(e); }
    }
  }
  if (errors.length) throw new AggregateError(errors);
}
