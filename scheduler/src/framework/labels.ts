import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1';

export type Labels = { [key: string]: string } | undefined;

/**
 * metav1.LabelSelectorAsSelector semantics: an absent selector matches nothing, an empty one everything;
 * matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) are ANDed.
 */
export function selectorMatches(selector: LabelSelector | null | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (l[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !vals.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True when the selector is present and empty (selects everything). */
export function selectorIsEverything(selector: LabelSelector | null | undefined): boolean {
  return !!selector && !(selector.matchLabels && Object.keys(selector.matchLabels).length) && !selector.matchExpressions?.length;
}

function requirementMatches(r: NodeSelectorRequirement, get: (key: string) => string | undefined): boolean {
  const v = get(r.key);
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return v !== undefined && vals.includes(v);
    case 'NotIn':
      return v === undefined || !vals.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      if (v === undefined || vals.length !== 1) return false;
      const a = Number.parseInt(v, 10);
      const b = Number.parseInt(vals[0], 10);
      if (!/^-?\d+$/.test(v) || !/^-?\d+$/.test(vals[0])) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A node selector term: matchExpressions on labels and matchFields (only metadata.name) ANDed; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const r of exprs) {
    if (!requirementMatches(r, (k) => (Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined))) return false;
  }
  for (const r of fields) {
    if (r.key !== 'metadata.name') return false;
    if (!requirementMatches(r, () => node.metadata?.name)) return false;
  }
  return true;
}

/** Terms are ORed. */
export function nodeSelectorMatches(sel: NodeSelector, node: Node): boolean {
  return sel.nodeSelectorTerms.some((t) => nodeSelectorTermMatches(t, node));
}
