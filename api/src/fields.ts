// Field selectors with upstream semantics: the string form (apimachinery pkg/fields/selector.go, with
// `\,` `\=` `\\` escapes), the per-kind field label conversions (which labels a kind accepts, and the
// exact error for the others) and the per-kind selectable field sets (the registries' ToSelectableFields).
import { everything, matchesLabels, parseSelector } from './labels.ts';
import type { Selector } from './labels.ts';

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
}

/** Thrown for an unparsable selector or an unsupported field label; the API server answers 400 with its message. */
export class FieldSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorError';
  }
}

// ---- parsing ----

function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

const termOperators = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** Upstream fields.UnescapeValue. */
export function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c}`);
    else out += c;
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Upstream fields.EscapeValue. */
export function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => '\\' + c);
}

/** Parses `metadata.name=x,spec.nodeName!=,status.phase==Running` (upstream fields.ParseSelector). */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new FieldSelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
    const value = unescapeValue(t.rhs);
    requirements.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value });
  }
  return { requirements };
}

export function formatFieldSelector(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
}

export function matchesFields(sel: FieldSelector, fields: Record<string, string>): boolean {
  return sel.requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
}

/** The value a selector requires for a field with `=` (upstream RequiresExactMatch), e.g. metadata.name. */
export function requiresExactMatch(sel: FieldSelector, field: string): string | undefined {
  return sel.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}

// ---- per-kind tables ----

type Obj = Record<string, any>;

interface KindFields {
  /** Field labels the kind's conversion function accepts (aliases map to their canonical label). */
  labels: string[];
  aliases?: Record<string, string>;
  /** The error for an unsupported label, as the kind's conversion function words it. */
  unsupported: (label: string) => string;
  /** The kind-specific selectable fields (metadata.* are added generically). */
  fields: (o: Obj) => Record<string, string>;
  namespaced: boolean;
}

const notSupported = (label: string) => `field label not supported: ${label}`;
const meta = ['metadata.name', 'metadata.namespace'];
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

const kinds: Record<string, KindFields> = {
  Pod: {
    labels: [...meta, 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
      'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
    aliases: { 'spec.host': 'spec.nodeName' },
    unsupported: notSupported,
    namespaced: true,
    fields: (o) => ({
      'spec.nodeName': str(o.spec?.nodeName),
      'spec.restartPolicy': str(o.spec?.restartPolicy),
      'spec.schedulerName': str(o.spec?.schedulerName),
      'spec.serviceAccountName': str(o.spec?.serviceAccountName),
      'spec.hostNetwork': String(o.spec?.hostNetwork === true),
      'status.phase': str(o.status?.phase),
      'status.podIP': str(o.status?.podIPs?.[0]?.ip ?? o.status?.podIP),
      'status.nominatedNodeName': str(o.status?.nominatedNodeName),
    }),
  },
  Node: {
    labels: ['metadata.name', 'spec.unschedulable'],
    unsupported: notSupported,
    namespaced: false,
    fields: (o) => ({ 'spec.unschedulable': String(o.spec?.unschedulable === true) }),
  },
  Namespace: {
    labels: ['status.phase', 'metadata.name'],
    unsupported: notSupported,
    namespaced: false,
    fields: (o) => ({ 'status.phase': str(o.status?.phase) }),
  },
  Secret: {
    labels: ['type', ...meta],
    unsupported: notSupported,
    namespaced: true,
    fields: (o) => ({ type: str(o.type) }),
  },
  Service: {
    labels: [...meta, 'spec.clusterIP', 'spec.type'],
    unsupported: notSupported,
    namespaced: true,
    fields: (o) => ({ 'spec.clusterIP': str(o.spec?.clusterIP), 'spec.type': str(o.spec?.type) }),
  },
  Event: {
    labels: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
      'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason',
      'reportingComponent', 'source', 'type', ...meta],
    unsupported: notSupported,
    namespaced: true,
    fields: (o) => ({
      'involvedObject.kind': str(o.involvedObject?.kind),
      'involvedObject.namespace': str(o.involvedObject?.namespace),
      'involvedObject.name': str(o.involvedObject?.name),
      'involvedObject.uid': str(o.involvedObject?.uid),
      'involvedObject.apiVersion': str(o.involvedObject?.apiVersion),
      'involvedObject.resourceVersion': str(o.involvedObject?.resourceVersion),
      'involvedObject.fieldPath': str(o.involvedObject?.fieldPath),
      reason: str(o.reason),
      reportingComponent: str(o.reportingComponent),
      source: str(o.source?.component || o.reportingComponent),
      type: str(o.type),
    }),
  },
  ReplicaSet: {
    labels: [...meta, 'status.replicas'],
    unsupported: notSupported,
    namespaced: true,
    fields: (o) => ({ 'status.replicas': String(o.status?.replicas ?? 0) }),
  },
  Job: {
    labels: [...meta, 'status.successful'],
    unsupported: notSupported,
    namespaced: true,
    fields: (o) => ({ 'status.successful': String(o.status?.succeeded ?? 0) }),
  },
};

const clusterScopedDefault = new Set(['Node', 'Namespace']);

// Upstream's DefaultMetaV1FieldSelectorConversion, for every kind without its own conversion.
const defaultKind = (kind: string): KindFields => ({
  labels: meta,
  unsupported: (label) => `${JSON.stringify(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
  namespaced: !clusterScopedDefault.has(kind),
  fields: () => ({}),
});

function kindFields(kind: string): KindFields {
  return kinds[kind] ?? defaultKind(kind);
}

/** The field labels a kind supports in field selectors. */
export function supportedFieldLabels(kind: string): string[] {
  return [...kindFields(kind).labels];
}

/**
 * Upstream ConvertFieldLabel applied to every requirement: maps aliases (pods' spec.host) and throws
 * FieldSelectorError with the kind's message for an unsupported label (400 BadRequest).
 */
export function convertFieldSelector(kind: string, sel: FieldSelector): FieldSelector {
  const k = kindFields(kind);
  return {
    requirements: sel.requirements.map((r) => {
      const alias = k.aliases?.[r.field];
      if (alias) return { ...r, field: alias };
      if (!k.labels.includes(r.field)) throw new FieldSelectorError(k.unsupported(r.field));
      return r;
    }),
  };
}

/** The selectable fields of an object of a kind (metadata.name, metadata.namespace and the kind's own). */
export function fieldsOf(kind: string, obj: Obj): Record<string, string> {
  const k = kindFields(kind);
  const out: Record<string, string> = { ...k.fields(obj) };
  out['metadata.name'] = str(obj?.metadata?.name);
  if (k.namespaced) out['metadata.namespace'] = str(obj?.metadata?.namespace);
  return out;
}

/** Parses, converts and returns a selector ready for matching objects of a kind; throws FieldSelectorError. */
export function fieldSelectorFor(kind: string, selector: string): FieldSelector {
  return convertFieldSelector(kind, parseFieldSelector(selector));
}

export function objectMatchesFields(kind: string, sel: FieldSelector, obj: Obj): boolean {
  return matchesFields(sel, fieldsOf(kind, obj));
}

/** A list/watch filter: a label selector and a field selector, both already parsed and converted. */
export interface SelectionPredicate {
  label: Selector;
  field: FieldSelector;
  matches(obj: Obj): boolean;
}

/**
 * Builds the filter of a list or watch request (`labelSelector` / `fieldSelector` query parameters) for
 * objects of `kind`. Throws SelectorError / FieldSelectorError (both answered as 400 BadRequest).
 */
export function selectionPredicate(kind: string, labelSelector?: string | null, fieldSelector?: string | null): SelectionPredicate {
  const label = labelSelector ? parseSelector(labelSelector) : everything();
  const field = fieldSelector ? fieldSelectorFor(kind, fieldSelector) : { requirements: [] };
  return {
    label,
    field,
    matches: (obj: Obj) => matchesLabels(label, obj?.metadata?.labels) && objectMatchesFields(kind, field, obj),
  };
}
