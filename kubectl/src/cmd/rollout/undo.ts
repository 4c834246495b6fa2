// kubectl rollout undo: put a previous ReplicaSet's pod template back into its Deployment.
import type { Factory } from '../../factory.ts';
import { pathFor } from '../../discovery.ts';
import { nameLine } from '../../printers/index.ts';
import { fetchInfos, nameStub, type Info, type Obj } from './objects.ts';
import { replicaSetsOf, replicaSetForRevision, equalIgnoreHash, podTemplateHashLabel } from './replicasets.ts';

/** Deployment annotations a rollback keeps from the Deployment instead of taking from the ReplicaSet. */
export const annotationsToSkip = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export type RollbackPlan = { skipped: string } | { patch: { op: 'replace'; path: string; value: unknown }[] };

/**
 * The rollback of a Deployment given its ReplicaSets: either nothing to do (with kubectl's reason), or the
 * JSON patch that restores the revision's template and annotations.
 */
export function planRollback(deployment: Obj, rss: Obj[], toRevision: number): RollbackPlan {
  const rs = replicaSetForRevision(deployment.metadata?.name ?? '', rss, toRevision);
  if (deployment.spec?.paused) throw new Error("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
  if (equalIgnoreHash(rs.spec?.template, deployment.spec?.template)) {
    return { skipped: `skipped rollback (current template already matches revision ${toRevision})` };
  }
  const template = structuredClone(rs.spec?.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels[podTemplateHashLabel];
  // Go encodes the template's zero creationTimestamp as null.
  template.metadata = { creationTimestamp: null, ...(template.metadata ?? {}) };
  const annotations: Record<string, string> = {};
  const current: Record<string, string> = deployment.metadata?.annotations ?? {};
  for (const k of annotationsToSkip) if (k in current) annotations[k] = current[k];
  for (const [k, v] of Object.entries<string>(rs.metadata?.annotations ?? {})) if (!annotationsToSkip.has(k)) annotations[k] = v;
  return {
    patch: [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
  };
}

export async function runRolloutUndo(f: Factory, args: string[], o: { selector?: string; toRevision: number }): Promise<void> {
  const infos = await fetchInfos(f, args, { selector: o.selector, allowAll: true });
  for (const info of infos) await undoOne(f, info, o.toRevision);
}

async function undoOne(f: Factory, info: Info, toRevision: number): Promise<void> {
  if (info.mapping.group !== 'apps' || info.mapping.kind !== 'Deployment') {
    if (info.mapping.group === 'apps' && (info.mapping.kind === 'DaemonSet' || info.mapping.kind === 'StatefulSet')) {
      throw new Error(`rolling back a ${info.mapping.kind} needs ControllerRevisions, which this server does not serve`);
    }
    throw new Error(`no rollbacker has been implemented for "${info.mapping.kind}${info.mapping.group ? '.' + info.mapping.group : ''}"`);
  }
  const plan = planRollback(info.object, await replicaSetsOf(f, info.object), toRevision);
  if ('skipped' in plan) { f.io.out(nameLine(nameStub(info), plan.skipped)); return; }
  try {
    await f.rest().request({ method: 'PATCH', path: pathFor(info.mapping, info.namespace, info.name), contentType: 'application/json-patch+json', body: plan.patch });
  } catch (e) {
    throw new Error(`failed restoring revision ${toRevision}: ${(e as Error).message}`);
  }
  f.io.out(nameLine(nameStub(info), 'rolled back'));
}
