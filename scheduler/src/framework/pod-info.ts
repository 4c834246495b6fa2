import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1';
import { podRequests, type Resource } from './resource.ts';
import { selectorMatches, type Labels } from './labels.ts';

/** A pod affinity term with its namespaces resolved (upstream framework.AffinityTerm). */
export interface AffinityTerm {
  namespaces: Set<string>;
  selector: LabelSelector | null;
  topologyKey: string;
  namespaceSelector: LabelSelector | null;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** Looks up a namespace's labels for namespaceSelector; without one, namespaceSelector only matches when empty. */
export type NamespaceLabels = (namespace: string) => Labels;

function newAffinityTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set<string>();
  if (!t.namespaces?.length && !t.namespaceSelector) namespaces.add(pod.metadata?.namespace ?? 'default');
  else for (const n of t.namespaces ?? []) namespaces.add(n);
  let selector = t.labelSelector ?? null;
  // matchLabelKeys / mismatchLabelKeys are merged into the selector from the pod's own labels.
  const labels = pod.metadata?.labels ?? {};
  const ext = t as PodAffinityTerm & { matchLabelKeys?: string[]; mismatchLabelKeys?: string[] };
  if (selector && (ext.matchLabelKeys?.length || ext.mismatchLabelKeys?.length)) {
    const exprs = [...(selector.matchExpressions ?? [])];
    for (const k of ext.matchLabelKeys ?? []) if (k in labels) exprs.push({ key: k, operator: 'In', values: [labels[k]] });
    for (const k of ext.mismatchLabelKeys ?? []) if (k in labels) exprs.push({ key: k, operator: 'NotIn', values: [labels[k]] });
    selector = { ...selector, matchExpressions: exprs };
  }
  return { namespaces, selector, topologyKey: t.topologyKey, namespaceSelector: t.namespaceSelector ?? null };
}

/** Whether the term matches `pod` (namespace then label selector), as AffinityTerm.Matches. */
export function termMatches(term: AffinityTerm, pod: Pod, nsLabels?: NamespaceLabels): boolean {
  const ns = pod.metadata?.namespace ?? 'default';
  let nsOk = term.namespaces.has(ns);
  if (!nsOk && term.namespaceSelector) {
    const sel = term.namespaceSelector;
    const empty = !(sel.matchLabels && Object.keys(sel.matchLabels).length) && !sel.matchExpressions?.length;
    nsOk = empty || (nsLabels ? selectorMatches(sel, nsLabels(ns)) : false);
  }
  return nsOk && selectorMatches(term.selector, pod.metadata?.labels);
}

/** A pod with precomputed affinity terms and requests (upstream framework.PodInfo). */
export class PodInfo {
  readonly pod: Pod;
  readonly requiredAffinityTerms: AffinityTerm[];
  readonly requiredAntiAffinityTerms: AffinityTerm[];
  readonly preferredAffinityTerms: WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: WeightedAffinityTerm[];
  readonly requests: Resource;
  readonly nonZeroRequests: Resource;

  constructor(pod: Pod) {
    this.pod = pod;
    const a = pod.spec?.affinity;
    const req = (ts: PodAffinityTerm[] | undefined) => (ts ?? []).map((t) => newAffinityTerm(pod, t));
    const pref = (ts: WeightedPodAffinityTerm[] | undefined) =>
      (ts ?? []).map((t) => ({ ...newAffinityTerm(pod, t.podAffinityTerm), weight: t.weight }));
    this.requiredAffinityTerms = req(a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
    this.requiredAntiAffinityTerms = req(a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
    this.preferredAffinityTerms = pref(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    this.preferredAntiAffinityTerms = pref(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    this.requests = podRequests(pod);
    this.nonZeroRequests = podRequests(pod, true);
  }
}

export function podKey(pod: Pod): string {
  return pod.metadata?.uid || `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name}`;
}

export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

export function hasAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  return !!a && (!!a.podAffinity || !!a.podAntiAffinity);
}

export function hasRequiredAntiAffinity(pod: Pod): boolean {
  return !!pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length;
}
