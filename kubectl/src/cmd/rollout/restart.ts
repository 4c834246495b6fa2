// kubectl rollout restart|pause|resume: a strategic-merge patch per object, computed from a change to it.
import type { Factory } from '../../factory.ts';
import { pathFor } from '../../discovery.ts';
import { nameLine } from '../../printers/index.ts';
import { AggregateError } from '../../errors.ts';
import { fetchInfos, nameStub, resourceString, type Info, type Obj } from './objects.ts';

export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';

/** Go's time.Now().Format(time.RFC3339) in local time: "2006-01-02T15:04:05Z07:00". */
export function rfc3339(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${p(Math.trunc(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${zone}`;
}

/** What a rollout verb changes on an object: a patch, nothing (undefined), or an error message. */
export type Mutation = (o: Obj, kind: string) => { patch?: Obj; error?: string };

const workloadKinds = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);

export function restartMutation(now: Date): Mutation {
  return (o, kind) => {
    if (!workloadKinds.has(kind)) return { error: 'restarting is not supported' };
    if (kind === 'Deployment' && o.spec?.paused) return { error: "can't restart paused deployment (run rollout resume first)" };
    const at = rfc3339(now);
    if (o.spec?.template?.metadata?.annotations?.[restartedAtAnnotation] === at) return {};
    return { patch: { spec: { template: { metadata: { annotations: { [restartedAtAnnotation]: at } } } } } };
  };
}

export const pauseMutation: Mutation = (o, kind) => {
  if (kind !== 'Deployment') return { error: 'pausing is not supported' };
  if (o.spec?.paused) return { error: 'is already paused' };
  return { patch: { spec: { paused: true } } };
};

export const resumeMutation: Mutation = (o, kind) => {
  if (kind !== 'Deployment') return { error: 'resuming is not supported' };
  if (!o.spec?.paused) return { error: 'is not paused' };
  return { patch: { spec: { paused: null } } };
};

export type RolloutVerb = 'restart' | 'pause' | 'resume';

export async function runRolloutPatch(f: Factory, verb: RolloutVerb, args: string[], o: { selector?: string }): Promise<void> {
  const infos = await fetchInfos(f, args, { selector: o.selector, allowAll: true });
  if (!infos.length) {
    f.io.err(`No resources found in ${f.namespace().namespace} namespace.\n`);
    return;
  }
  const mutate = verb === 'restart' ? restartMutation(new Date()) : verb === 'pause' ? pauseMutation : resumeMutation;
  const errs: unknown[] = [];
  for (const info of infos) {
    try { await patchOne(f, verb, info, mutate); } catch (e) { errs.push(e); }
  }
  if (errs.length) throw new AggregateError(errs);
}

async function patchOne(f: Factory, verb: RolloutVerb, info: Info, mutate: Mutation): Promise<void> {
  const kind = info.mapping.group === 'apps' ? info.mapping.kind : `${info.mapping.kind}.${info.mapping.group}`;
  const m = mutate(info.object, kind);
  if (m.error) throw new Error(`error: ${resourceString(info.mapping)} "${info.name}" ${m.error}`);
  if (!m.patch) {
    if (verb === 'restart') throw new Error(`failed to create patch for ${info.name}: if restart has already been triggered within the past second, please wait before attempting to trigger another`);
    f.io.out(nameLine(nameStub(info), verb === 'pause' ? 'already paused' : 'already resumed'));
    return;
  }
  try {
    await f.rest().request({
      method: 'PATCH', path: pathFor(info.mapping, info.namespace, info.name), query: { fieldManager: 'kubectl-rollout' },
      contentType: 'application/strategic-merge-patch+json', body: m.patch,
    });
  } catch (e) {
    if (verb === 'restart') throw e;
    throw new Error(`failed to patch: ${(e as Error).message}`);
  }
  f.io.out(nameLine(nameStub(info), verb === 'restart' ? 'restarted' : verb === 'pause' ? 'paused' : 'resumed'));
}
