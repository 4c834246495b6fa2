// kubectl logs and kubectl exec: a pod's container output, and a command run in it.
import type { Factory } from '../factory.ts';
import { execInPod } from '@k8ts/client';
import { ExitError, UsageError } from '../errors.ts';

interface PodLike { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: { containers?: { name: string }[] } }

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

export interface LogsOptions { container?: string; follow: boolean; tail?: string; timestamps: boolean; since?: string; previous: boolean }

export async function runLogs(f: Factory, args: string[], o: LogsOptions): Promise<void> {
  const target = args[0]?.replace(/^(pods?|po)\//, '');
  if (!target) throw new UsageError('expected POD or TYPE/NAME is a required argument for the logs command', 'logs');
  const { namespace } = f.namespace();
  const container = await defaultContainer(f, namespace, target, o.container);
  const query: Record<string, string | undefined> = {
    container, follow: o.follow ? 'true' : undefined, tailLines: o.tail && o.tail !== '-1' ? o.tail : undefined,
    timestamps: o.timestamps ? 'true' : undefined, previous: o.previous ? 'true' : undefined,
    sinceSeconds: o.since ? String(durationSeconds(o.since)) : undefined,
  };
  const stream = await f.rest().stream({ path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(target)}/log`, query, mode: 'chunks' });
  for await (const chunk of stream) f.io.out(chunk);
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
