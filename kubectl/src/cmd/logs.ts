// kubectl logs and kubectl exec: a pod's container output, and a command run in it.
import type { Factory } from '../factory.ts';
import { execInPod } from '@k8ts/client';
import { ExitError, UsageError } from '../errors.ts';
import { pathFor } from '../discovery.ts';
import { isNotFound } from '@k8ts/api/status.ts';
import { parseDuration } from './flags.ts';
import { visitsFromArgs } from '../resource/args.ts';
import { logRequests, selectorForObject, sortByLogging, PrefixingWriter, type LogRequest } from './logs-select.ts';

interface PodLike { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: { containers?: { name: string }[] } }
type Obj = Record<string, any>;

/** The container a command means: -c, else the default-container annotation or the first one (said on stderr). */
async function defaultContainer(f: Factory, namespace: string, pod: string, container: string | undefined): Promise<string | undefined> {
  if (container) return container;
  const p = await f.rest().request<PodLike>({ path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}` });
  const names = (p.spec?.containers ?? []).map((c) => c.name);
  const annotated = p.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && names.includes(annotated)) return annotated;
  if (names.length > 1) f.io.err(`Defaulted container "${names[0]}" out of: ${names.join(', ')}\n`);
  return names[0];
}

export interface LogsOptions {
  container?: string; follow: boolean; tail?: string; timestamps: boolean; since?: string; previous: boolean;
  selector?: string; allContainers?: boolean; prefix?: boolean; maxLogRequests?: string; ignoreErrors?: boolean; limitBytes?: string;
  /** --pod-running-timeout: how long to wait for a controller's first pod (default 20s). */
  podRunningTimeout?: string;
}

const usage = "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command";
/** As upstream: a selector without --tail reads the last 10 lines of each container. */
const selectorTail = '10';

async function listPods(f: Factory, namespace: string, selector: string): Promise<Obj[]> {
  const items: Obj[] = [];
  let cont: string | undefined;
  do {
    const page = await f.rest().request<{ items?: Obj[]; metadata?: { continue?: string } }>({
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, query: { labelSelector: selector, limit: 500, continue: cont },
    });
    items.push(...(page.items ?? []));
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return items;
}

/** The pods whose logs are read: the selected ones, the named pod, or the first pod (ByLogging) of a controller. */
async function podsFor(f: Factory, args: string[], o: LogsOptions, namespace: string): Promise<Obj[]> {
  if (o.selector !== undefined) {
    const pods = await listPods(f, namespace, o.selector);
    if (!pods.length) f.io.err(`No resources found in ${namespace} namespace.\n`);
    return pods;
  }
  const arg = args[0];
  const mapper = await f.restMapper();
  const [visit] = arg.includes('/') ? visitsFromArgs(mapper, [arg]) : visitsFromArgs(mapper, ['pods', arg]);
  let obj: Obj;
  try {
    obj = await f.rest().request<Obj>({ path: pathFor(visit.mapping, visit.mapping.namespaced ? namespace : undefined, visit.name) });
  } catch (e) {
    // As kubectl's resource builder reports a missing object here.
    if (isNotFound(e)) throw new Error(`error from server (NotFound): ${(e as Error).message}${visit.mapping.namespaced ? ` in namespace "${namespace}"` : ''}`);
    throw e;
  }
  if (visit.mapping.group === '' && visit.mapping.kind === 'Pod') return [obj];
  const selector = selectorForObject({ apiVersion: visit.mapping.group ? `${visit.mapping.group}/${visit.mapping.version}` : visit.mapping.version, kind: visit.mapping.kind, ...obj });
  const podNs = obj.metadata?.namespace ?? namespace;
  const pods = sortByLogging(await listPods(f, podNs, selector));
  if (!pods.length) return [await firstPodToAppear(f, podNs, selector, parseDuration(o.podRunningTimeout ?? '20s') * 1000)];
  if (pods.length > 1) f.io.err(`Found ${pods.length} pods, using pod/${pods[0].metadata.name}\n`);
  return [pods[0]];
}

/** GetFirstPod with no pod yet: waits (up to the timeout) for one to appear, as kubectl's watch does. */
async function firstPodToAppear(f: Factory, namespace: string, selector: string, timeoutMs: number): Promise<Obj> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const wait = Math.min(500, deadline - Date.now());
    if (wait <= 0) throw new Error('timed out waiting for the condition');
    await new Promise((r) => setTimeout(r, wait));
    const pods = await listPods(f, namespace, selector);
    if (pods.length) return sortByLogging(pods)[0];
  }
}

export async function runLogs(f: Factory, args: string[], o: LogsOptions): Promise<void> {
  if (args.length === 0 && o.selector === undefined) throw new UsageError(usage, 'logs');
  if (args.length === 1 && o.selector !== undefined) throw new UsageError('only a selector (-l) or a POD name is allowed', 'logs');
  if (args.length > 2) throw new UsageError(usage, 'logs');
  const container = args.length === 2 ? args[1] : o.container;
  if (o.allContainers && container) throw new Error(`--all-containers=true should not be specified with container name ${container}`);
  // As kubectl 1.32, the limit is only checked when following several streams (0 is accepted otherwise).
  const maxRequests = Number(o.maxLogRequests ?? 5);
  const tail = o.tail ?? (o.selector !== undefined ? selectorTail : undefined);
  if (o.limitBytes !== undefined && Number(o.limitBytes) < 0) throw new Error('--limit-bytes must be greater than 0');
  const { namespace } = f.namespace();
  const pods = await podsFor(f, args, o, namespace);
  const requests = logRequests(pods, { container, allContainers: o.allContainers }, (s) => f.io.err(s));
  const query = (r: LogRequest): Record<string, string | undefined> => ({
    container: r.container, follow: o.follow ? 'true' : undefined, tailLines: tail && tail !== '-1' ? tail : undefined,
    timestamps: o.timestamps ? 'true' : undefined, previous: o.previous ? 'true' : undefined,
    sinceSeconds: o.since ? String(durationSeconds(o.since)) : undefined, limitBytes: o.limitBytes,
  });
  const consume = async (r: LogRequest): Promise<void> => {
    const stream = await f.rest().stream({ path: `/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods/${encodeURIComponent(r.pod)}/log`, query: query(r), mode: 'chunks' });
    const w = o.prefix ? new PrefixingWriter(r, (s) => f.io.out(s)) : undefined;
    for await (const chunk of stream) { if (w) w.push(chunk); else f.io.out(chunk); }
    w?.end();
  };
  const guarded = async (r: LogRequest): Promise<void> => {
    try { await consume(r); } catch (e) {
      if (!o.ignoreErrors) throw e;
      f.io.out(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  };
  if (o.follow && requests.length > 1) {
    if (requests.length > maxRequests) {
      throw new Error(`you are attempting to follow ${requests.length} log streams, but maximum allowed concurrency is ${maxRequests}, use --max-log-requests to increase the limit`);
    }
    await Promise.all(requests.map(guarded));
    return;
  }
  for (const r of requests) await guarded(r);
}

export interface ExecOptions { container?: string; stdin: boolean; tty: boolean }

export async function runExec(f: Factory, args: string[], o: ExecOptions): Promise<void> {
  const [pod, ...command] = args;
  if (!pod) throw new UsageError('pod or type/name must be specified', 'exec');
  if (!command.length) throw new UsageError('you must specify at least one command for the container', 'exec');
  const { namespace } = f.namespace();
  const name = pod.replace(/^(pods?|po)\//, '');
  const container = await defaultContainer(f, namespace, name, o.container);
  const code = await execInPod(f.restConfig(), {
    namespace, pod: name, container, command, tty: o.tty,
    stdin: o.stdin ? process.stdin : undefined,
    stdout: (d) => f.io.out(d.toString()),
    stderr: (d) => f.io.err(d.toString()),
  });
  if (code !== 0) {
    f.io.err(`command terminated with exit code ${code}\n`);
    throw new ExitError(code);
  }
}

function durationSeconds(s: string): number {
  let total = 0;
  const re = /(\d+)(h|m|s)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) total += Number(m[1]) * ({ h: 3600, m: 60, s: 1 } as Record<string, number>)[m[2]];
  if (!total) throw new UsageError(`invalid argument "${s}" for "--since" flag: time: invalid duration "${s}"`, 'logs');
  return total;
}
