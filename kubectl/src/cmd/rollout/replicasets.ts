// deploymentutil for kubectl: a Deployment's ReplicaSets, their revisions, and template equality.
import { labelSelectorString } from '@k8ts/api/labels.ts';
import type { Factory } from '../../factory.ts';
import type { Obj } from './objects.ts';

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const changeCauseAnnotation = 'kubernetes.io/change-cause';
export const podTemplateHashLabel = 'pod-template-hash';

/** The ReplicaSets the Deployment controls: its selector's matches with a controller reference to its uid. */
export async function replicaSetsOf(f: Factory, deployment: Obj): Promise<Obj[]> {
  const ns = deployment.metadata?.namespace ?? '';
  const list = await f.rest().request<{ items?: Obj[] }>({
    path: `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/replicasets`,
    query: { labelSelector: labelSelectorString(deployment.spec?.selector) },
  }).catch((e: unknown) => { throw new Error(`failed to retrieve replica sets from deployment ${deployment.metadata?.name ?? ''}: ${(e as Error).message}`); });
  return (list.items ?? []).filter((rs) => controlledBy(rs, deployment.metadata?.uid));
}

export function controlledBy(o: Obj, uid: string | undefined): boolean {
  return !!uid && (o.metadata?.ownerReferences ?? []).some((r: Obj) => r.controller === true && r.uid === uid);
}

/** The revision annotation as a number; undefined when absent or not an integer (deploymentutil.Revision fails). */
export function revisionOf(o: Obj): number | undefined {
  const v = o.metadata?.annotations?.[revisionAnnotation];
  if (v === undefined) return 0;
  return /^-?\d+$/.test(String(v)) ? Number(v) : undefined;
}

/** Drops what Go's decoding and semantic equality do not distinguish: nulls, and empty lists and maps. */
function normalise(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) {
    const a = v.map((x) => normalise(x));
    return a.length ? a : undefined;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = normalise((v as Obj)[k], k);
      if (x !== undefined) out[k] = x;
    }
    if (!Object.keys(out).length && mapFields.has(key)) return undefined;
    return out;
  }
  return v === null ? undefined : v;
}
const mapFields = new Set(['labels', 'annotations', 'nodeSelector', 'matchLabels']);

/** EqualIgnoreHash: two pod templates equal except for the pod-template-hash label. */
export function equalIgnoreHash(a: Obj | undefined, b: Obj | undefined): boolean {
  const strip = (t: Obj | undefined) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels[podTemplateHashLabel];
    return JSON.stringify(normalise(c)) ?? '';
  };
  return strip(a) === strip(b);
}

/**
 * The ReplicaSet to roll back to: the one with `toRevision`, or for 0 the one before the newest revision.
 * Throws with kubectl's messages when there is none.
 */
export function replicaSetForRevision(deploymentName: string, rss: Obj[], toRevision: number): Obj {
  let latest: Obj | undefined, latestRev = -1, previous: Obj | undefined, previousRev = -1;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v === undefined) continue;
    if (toRevision === 0) {
      if (latestRev < v) {
        previous = latest; previousRev = latestRev;
        latest = rs; latestRev = v;
      } else if (previousRev < v) {
        previous = rs; previousRev = v;
      }
    } else if (v === toRevision) {
      return rs;
    }
  }
  if (toRevision > 0) throw new Error(`unable to find specified revision ${toRevision} in history`);
  if (!previous) throw new Error(`no rollout history found for deployment "${deploymentName}"`);
  return previous;
}
