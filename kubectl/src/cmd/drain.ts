// kubectl drain: cordon the node, then evict (or delete) its pods and wait until they are gone.
import { StatusError } from '@k8ts/api/status.ts';
import { parseSelector } from '@k8ts/api/labels.ts';
import type { Factory } from '../factory.ts';
import { nameLine } from '../printers/index.ts';
import { UsageError, ExitError } from '../errors.ts';

type Obj = Record<string, any>;

export interface DrainOptions {
  force: boolean;
  ignoreDaemonSets: boolean;
  deleteEmptyDirData: boolean;
  disableEviction: boolean;
  /** Seconds; negative: each pod's own terminationGracePeriodSeconds. */
  gracePeriod: number;
  /** Seconds; 0: wait forever. */
  timeoutSeconds: number;
  podSelector?: string;
  selector?: string;
}

// ---- the pod filters (pure: a pod and whether its DaemonSet exists → what drain does with it) ----

export const daemonSetFatal = 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';
export const daemonSetWarning = 'ignoring DaemonSet-managed Pods';
export const localStorageFatal = 'Pods with local storage (use --delete-emptydir-data to override)';
export const localStorageWarning = 'deleting Pods with local storage';
export const unmanagedFatal = 'cannot delete Pods that declare no controller (use --force to override)';
export const unmanagedWarning = 'deleting Pods that declare no controller';

export type PodDeleteStatus = { delete: boolean; reason: 'Okay' | 'Skip' | 'Warning' | 'Error'; message?: string };
const okay: PodDeleteStatus = { delete: true, reason: 'Okay' };

/** What the DaemonSet lookup of a DaemonSet-managed pod found: the DaemonSet, or the error's text and whether it was NotFound. */
export type DaemonSetLookup = (namespace: string, name: string) => { exists: true } | { exists: false; notFound: boolean; message: string };

function controllerOf(pod: Obj): Obj | undefined {
  return (pod.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller === true);
}
const finished = (pod: Obj) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export function podDeleteStatus(pod: Obj, o: Pick<DrainOptions, 'force' | 'ignoreDaemonSets' | 'deleteEmptyDirData'>, daemonSet: DaemonSetLookup): PodDeleteStatus {
  const filters: (() => PodDeleteStatus)[] = [
    () => {
      const ref = controllerOf(pod);
      if (!ref || ref.kind !== 'DaemonSet' || finished(pod)) return okay;
      const ds = daemonSet(pod.metadata?.namespace ?? '', ref.name);
      if (!ds.exists) {
        if (ds.notFound && o.force) return { delete: true, reason: 'Warning', message: ds.message };
        return { delete: false, reason: 'Error', message: ds.message };
      }
      if (!o.ignoreDaemonSets) return { delete: false, reason: 'Error', message: daemonSetFatal };
      return { delete: false, reason: 'Warning', message: daemonSetWarning };
    },
    () => (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined ? { delete: false, reason: 'Skip' } : okay),
    () => {
      if (!(pod.spec?.volumes ?? []).some((v: Obj) => v.emptyDir) || finished(pod)) return okay;
      if (!o.deleteEmptyDirData) return { delete: false, reason: 'Error', message: localStorageFatal };
      return { delete: true, reason: 'Warning', message: localStorageWarning };
    },
    () => {
      if (finished(pod) || controllerOf(pod)) return okay;
      if (o.force) return { delete: true, reason: 'Warning', message: unmanagedWarning };
      return { delete: false, reason: 'Error', message: unmanagedFatal };
    },
  ];
  let status = okay;
  for (const f of filters) {
    status = f();
    if (!status.delete) break;
  }
  return status;
}

export interface PodDeleteList { items: { pod: Obj; status: PodDeleteStatus }[] }

const key = (pod: Obj) => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

function groupBy(l: PodDeleteList, reason: PodDeleteStatus['reason']): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const { pod, status } of l.items) {
    if (status.reason !== reason) continue;
    const msg = status.message || (reason === 'Error' ? 'unexpected error' : '');
    m.set(msg, [...(m.get(msg) ?? []), key(pod)]);
  }
  return m;
}

export function podsToDelete(l: PodDeleteList): Obj[] { return l.items.filter((i) => i.status.delete).map((i) => i.pod); }

export function deleteWarnings(l: PodDeleteList): string {
  return [...groupBy(l, 'Warning')].map(([msg, pods]) => `${msg}: ${pods.join(', ')}`).join('; ');
}

export function deleteErrors(l: PodDeleteList): string[] {
  // kubectl 1.32 prefixes every message, even the one that already starts with "cannot delete".
  return [...groupBy(l, 'Error')].map(([msg, pods]) => `cannot delete ${msg}: ${pods.join(', ')}`);
}

/** Go's time.Duration.String() for whole milliseconds. */
export function goDuration(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000), m = Math.floor((ms % 3_600_000) / 60_000), s = (ms % 60_000) / 1000;
  return `${h ? h + 'h' : ''}${h || m ? m + 'm' : ''}${s}s`;
}

// ---- the command ----

/** An aggregate of errors as utilerrors prints one: the message alone, or "[a, b]". */
class Aggregate extends Error {
  readonly errors: string[];
  constructor(errs: string[]) { super(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`); this.errors = errs; }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDrain(f: Factory, args: string[], o: DrainOptions): Promise<void> {
  if (!args.length && !o.selector) throw new UsageError('USAGE: drain NODE [flags]', 'drain');
  if (args.length && o.selector) throw new UsageError('error: cannot specify both a node name and a --selector option', 'drain');
  if (o.podSelector) {
    try { parseSelector(o.podSelector); } catch { throw new Error('--pod-selector=<pod_selector> must be a valid label selector'); }
  }
  const rest = f.rest();
  let nodes: Obj[];
  if (o.selector) {
    nodes = (await rest.request<{ items?: Obj[] }>({ path: '/api/v1/nodes', query: { labelSelector: o.selector } })).items ?? [];
  } else {
    nodes = [];
    for (const a of args) nodes.push(await rest.request<Obj>({ path: `/api/v1/nodes/${encodeURIComponent(a.replace(/^(nodes?|no)\//, ''))}` }));
  }
  for (const n of nodes) { n.apiVersion = 'v1'; n.kind = 'Node'; }
  await cordon(f, nodes);

  const drained = new Set<string>();
  for (const node of nodes) {
    const name = node.metadata.name as string;
    try {
      await drainNode(f, name, o);
      drained.add(name);
      f.io.out(nameLine(node, 'drained'));
    } catch (e) {
      f.io.err(`error: unable to drain node "${name}" due to error: ${(e as Error).message}, continuing command...\n`);
      const remaining = nodes.map((n) => n.metadata.name as string).filter((n) => !drained.has(n));
      if (remaining.length) f.io.err(`There are pending nodes to be drained:\n${remaining.map((n) => ` ${n}\n`).join('')}`);
      // checkErr prints an aggregate one error a line, without the "error: " prefix even for a single one.
      if (e instanceof Aggregate) {
        f.io.err(e.errors.map((m) => m + '\n').join(''));
        throw new ExitError(1);
      }
      throw e;
    }
  }
}

async function cordon(f: Factory, nodes: Obj[]): Promise<void> {
  for (const node of nodes) {
    const name = node.metadata.name as string;
    if (node.spec?.unschedulable) { f.io.out(nameLine(node, 'already cordoned')); continue; }
    try {
      await f.rest().request({
        method: 'PATCH', path: `/api/v1/nodes/${encodeURIComponent(name)}`, contentType: 'application/strategic-merge-patch+json',
        body: { spec: { unschedulable: true } },
      });
    } catch (e) {
      f.io.err(`error: unable to cordon node "${name}": ${(e as Error).message}\n`);
      continue;
    }
    f.io.out(nameLine(node, 'cordoned'));
  }
}

async function podsForDeletion(f: Factory, node: string, o: DrainOptions): Promise<{ list: PodDeleteList; errors: string[] }> {
  const pods = (await f.rest().request<{ items?: Obj[] }>({
    path: '/api/v1/pods', query: { labelSelector: o.podSelector, fieldSelector: `spec.nodeName=${node}` },
  })).items ?? [];
  // The DaemonSet lookups first (the filters themselves are pure).
  const lookups = new Map<string, ReturnType<DaemonSetLookup>>();
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'DaemonSet' || finished(pod)) continue;
    const ns = pod.metadata?.namespace ?? '';
    const k = `${ns}/${ref.name}`;
    if (lookups.has(k)) continue;
    try {
      await f.rest().request({ path: `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/daemonsets/${encodeURIComponent(ref.name)}` });
      lookups.set(k, { exists: true });
    } catch (e) {
      lookups.set(k, { exists: false, notFound: e instanceof StatusError && e.code === 404, message: (e as Error).message });
    }
  }
  const lookup: DaemonSetLookup = (ns, name) => lookups.get(`${ns}/${name}`) ?? { exists: true };
  const list: PodDeleteList = { items: pods.map((pod) => ({ pod: { apiVersion: 'v1', kind: 'Pod', ...pod }, status: podDeleteStatus(pod, o, lookup) })) };
  return { list, errors: deleteErrors(list) };
}

async function drainNode(f: Factory, node: string, o: DrainOptions): Promise<void> {
  const { list, errors } = await podsForDeletion(f, node, o);
  if (errors.length) throw new Aggregate(errors);
  const warnings = deleteWarnings(list);
  if (warnings) f.io.err(`Warning: ${warnings}\n`);
  try {
    await deleteOrEvict(f, podsToDelete(list), o);
  } catch (e) {
    const pending = await podsForDeletion(f, node, o).catch(() => undefined);
    const pods = pending ? podsToDelete(pending.list) : [];
    if (pods.length) {
      f.io.err(`There are pending pods in node "${node}" when an error occurred: ${(e as Error).message}\n`);
      for (const p of pods) f.io.err(`pod/${p.metadata.name}\n`);
    }
    if (pending?.errors.length) f.io.err(`Following errors occurred while getting the list of pods to delete:\n${new Aggregate(pending.errors).message}`);
    throw e;
  }
}

async function evictionSupported(f: Factory): Promise<boolean> {
  const core = await f.rest().request<{ resources?: { name: string }[] }>({ path: '/api/v1' });
  return (core.resources ?? []).some((r) => r.name === 'pods/eviction');
}

async function deleteOrEvict(f: Factory, pods: Obj[], o: DrainOptions): Promise<void> {
  if (!pods.length) return;
  const deadline = o.timeoutSeconds > 0 ? Date.now() + o.timeoutSeconds * 1000 : Infinity;
  const timeout = goDuration(o.timeoutSeconds);
  const deleteOptions = o.gracePeriod >= 0 ? { gracePeriodSeconds: o.gracePeriod } : {};
  const podPath = (p: Obj) => `/api/v1/namespaces/${encodeURIComponent(p.metadata.namespace)}/pods/${encodeURIComponent(p.metadata.name)}`;
  const isNotFound = (e: unknown) => e instanceof StatusError && e.code === 404;

  /** Polls (immediately, then every second) until each pod is gone or replaced; prints "pod/x evicted|deleted". */
  const waitForDelete = async (ps: Obj[], verb: string): Promise<void> => {
    let pending = ps;
    for (;;) {
      const still: Obj[] = [];
      for (const p of pending) {
        try {
          const cur = await f.rest().request<Obj>({ path: podPath(p) });
          if (cur.metadata?.uid !== p.metadata.uid) f.io.out(nameLine(p, verb)); else still.push(p);
        } catch (e) {
          if (!isNotFound(e)) throw e;
          f.io.out(nameLine(p, verb));
        }
      }
      pending = still;
      if (!pending.length) return;
      if (Date.now() >= deadline) throw new Error('context deadline exceeded');
      await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
    }
  };

  if (!o.disableEviction && await evictionSupported(f)) {
    const results = await Promise.all(pods.map(async (pod): Promise<string | undefined> => {
      const { name, namespace } = pod.metadata;
      for (;;) {
        f.io.out(`evicting pod ${namespace}/${name}\n`);
        if (Date.now() >= deadline) return `error when evicting pods/"${name}" -n "${namespace}": global timeout reached: ${timeout}`;
        try {
          await f.rest().request({
            method: 'POST', path: `${podPath(pod)}/eviction`,
            body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions },
          });
          break;
        } catch (e) {
          if (isNotFound(e)) return undefined;
          if (e instanceof StatusError && e.code === 429) {
            f.io.err(`error when evicting pods/"${name}" -n "${namespace}" (will retry after 5s): ${(e as Error).message}\n`);
            await sleep(5000);
            continue;
          }
          return `error when evicting pods/"${name}" -n "${namespace}": ${(e as Error).message}`;
        }
      }
      try { await waitForDelete([pod], 'evicted'); } catch (e) {
        return `error when waiting for pod "${name}" in namespace "${namespace}" to terminate: ${(e as Error).message}`;
      }
      return undefined;
    }));
    const errs = results.filter((r): r is string => !!r);
    if (errs.length) throw new Aggregate(errs);
    return;
  }
  for (const pod of pods) {
    try {
      await f.rest().request({ method: 'DELETE', path: podPath(pod), body: deleteOptions });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  await waitForDelete(pods, 'deleted');
}
