import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1';

export interface SelectorSources {
  /** Services in the pod's namespace. */
  services(namespace: string): Service[];
  replicaSet(namespace: string, name: string): ReplicaSet | undefined;
  statefulSet(namespace: string, name: string): StatefulSet | undefined;
}

/**
 * upstream helper.DefaultSelector: the labels of every Service selecting the pod, plus the selector of the
 * ReplicaSet or StatefulSet controlling it.
 */
export function defaultSelector(pod: Pod, src: SelectorSources): LabelSelector {
  const ns = pod.metadata?.namespace ?? 'default';
  const labels = pod.metadata?.labels ?? {};
  const matchLabels: Record<string, string> = {};
  for (const svc of src.services(ns)) {
    const sel = svc.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) continue;
    if (Object.entries(sel).every(([k, v]) => labels[k] === v)) Object.assign(matchLabels, sel);
  }
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];
  const owner = (pod.metadata?.ownerReferences ?? []).find((o) => o.controller);
  if (owner && owner.apiVersion === 'apps/v1') {
    const ctl = owner.kind === 'ReplicaSet' ? src.replicaSet(ns, owner.name) : owner.kind === 'StatefulSet' ? src.statefulSet(ns, owner.name) : undefined;
    const sel = ctl?.spec?.selector;
    if (sel) {
      for (const [k, v] of Object.entries(sel.matchLabels ?? {})) matchExpressions.push({ key: k, operator: 'In', values: [v] });
      matchExpressions.push(...(sel.matchExpressions ?? []));
    }
  }
  const out: LabelSelector = {};
  if (Object.keys(matchLabels).length) out.matchLabels = matchLabels;
  if (matchExpressions.length) out.matchExpressions = matchExpressions;
  return out;
}
