// ObjectMeta, labels, annotations and label selector validation (apimachinery's api/validation and
// apis/meta/v1/validation), with upstream's field paths and messages.
import { field, type FieldError } from '../status.ts';
import { byteLength, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './names.ts';

export type Obj = Record<string, any>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
export const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const join = (path: string, child: string): string => (path ? `${path}.${child}` : child);

/** A name validator: (name, prefix) → problems; prefix is true when checking generateName. */
export type NameFn = (name: string, prefix: boolean) => string[];

/** generateName may end with '-': validate what is before it (upstream maskTrailingDash). */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? name.slice(0, -1) : name;
}

export const nameIsDNSSubdomain: NameFn = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameFn = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameFn = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** Label keys must be qualified names (errors at the map's path, with the key as value). */
export function validateLabelName(key: string, path: string): FieldError[] {
  return isQualifiedName(key).map((m) => field.invalid(path, key, m));
}

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(labels)) return errs;
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...validateLabelName(k, path));
    for (const m of isValidLabelValue(str(v))) errs.push(field.invalid(path, str(v), m));
  }
  return errs;
}

export const TotalAnnotationSizeLimitB = 256 * 1024;

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(annotations)) return errs;
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, m));
    total += byteLength(k) + byteLength(str(v));
  }
  if (total > TotalAnnotationSizeLimitB) errs.push(field.tooLong(path, '', TotalAnnotationSizeLimitB));
  return errs;
}

export function validateNonnegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [field.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let controllers = 0;
  list(refs).forEach((r) => {
    if (!str(r.apiVersion)) errs.push(field.invalid(join(path, 'apiVersion'), r.apiVersion ?? '', 'version must not be empty'));
    if (!str(r.kind)) errs.push(field.invalid(join(path, 'kind'), r.kind ?? '', 'kind must not be empty'));
    if (!str(r.name)) errs.push(field.invalid(join(path, 'name'), r.name ?? '', 'name must not be empty'));
    if (!str(r.uid)) errs.push(field.invalid(join(path, 'uid'), r.uid ?? '', 'uid must not be empty'));
    if (r.controller === true) controllers++;
  });
  if (controllers > 1) errs.push(field.invalid(path, refs, 'Only one reference can have Controller set to true. Found "true" in references for multiple owners'));
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const f of Array.isArray(finalizers) ? finalizers : []) {
    const s = str(f);
    errs.push(...isQualifiedName(s).map((m) => field.invalid(path, s, m)));
    if (seen.has(s)) errs.push(field.duplicate(path, s));
    seen.add(s);
  }
  return errs;
}

/** ValidateObjectMeta: name/generateName, namespace, labels, annotations, owner references, finalizers. */
export function validateObjectMeta(meta: unknown, requiresNamespace: boolean, nameFn: NameFn, path = 'metadata'): FieldError[] {
  const m = isObj(meta) ? meta : {};
  const errs: FieldError[] = [];
  const generateName = str(m.generateName);
  if (generateName) for (const msg of nameFn(generateName, true)) errs.push(field.invalid(join(path, 'generateName'), generateName, msg));
  const name = str(m.name);
  if (!name) errs.push(field.required(join(path, 'name'), 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(field.invalid(join(path, 'name'), name, msg));
  const ns = str(m.namespace);
  if (requiresNamespace) {
    if (!ns) errs.push(field.required(join(path, 'namespace')));
    else for (const msg of isDNS1123Label(ns)) errs.push(field.invalid(join(path, 'namespace'), ns, msg));
  } else if (ns) {
    errs.push(field.forbidden(join(path, 'namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(m.generation, join(path, 'generation')));
  errs.push(...validateLabels(m.labels, join(path, 'labels')));
  errs.push(...validateAnnotations(m.annotations, join(path, 'annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, join(path, 'ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, join(path, 'finalizers')));
  return errs;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined && a[k] !== null);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined && b[k] !== null);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Upstream's semantic equality treats absent, null and empty alike for optional fields. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return deepEqual(normalize(a), normalize(b));
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map(normalize);
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n !== undefined && n !== null && n !== '') out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v;
}

export function validateImmutableField(newVal: unknown, oldVal: unknown, path: string): FieldError[] {
  return semanticEqual(newVal, oldVal) ? [] : [field.invalid(path, newVal ?? null, 'field is immutable')];
}

/** ValidateObjectMetaUpdate: identity fields immutable, resourceVersion present, then labels/annotations. */
export function validateObjectMetaUpdate(newMeta: unknown, oldMeta: unknown, path = 'metadata'): FieldError[] {
  const n = isObj(newMeta) ? newMeta : {};
  const o = isObj(oldMeta) ? oldMeta : {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const old = new Set(Array.isArray(o.finalizers) ? o.finalizers : []);
    const added = (Array.isArray(n.finalizers) ? n.finalizers : []).filter((f: unknown) => !old.has(f));
    if (added.length > 0) errs.push(field.forbidden(join(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`));
  }
  if (!str(n.resourceVersion)) errs.push(field.invalid(join(path, 'resourceVersion'), n.resourceVersion ?? '', 'must be specified for an update'));
  if (typeof n.generation === 'number' && typeof o.generation === 'number' && n.generation < o.generation) {
    errs.push(field.invalid(join(path, 'generation'), n.generation, 'must not be decremented'));
  }
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    errs.push(...validateImmutableField(n[f], o[f], join(path, f)));
  }
  errs.push(...validateLabels(n.labels, join(path, 'labels')));
  errs.push(...validateAnnotations(n.annotations, join(path, 'annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, join(path, 'ownerReferences')));
  return errs;
}

// ---- label selectors ----

export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(sel)) return errs;
  list(sel.matchExpressions).forEach((req, i) => {
    const p = `${join(path, 'matchExpressions')}[${i}]`;
    const values = Array.isArray(req.values) ? req.values : [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(field.required(join(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(field.forbidden(join(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(field.invalid(join(p, 'operator'), req.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(str(req.key), join(p, 'key')));
    values.forEach((v: unknown, j: number) => {
      for (const m of isValidLabelValue(str(v))) errs.push(field.invalid(`${join(p, 'values')}[${j}]`, str(v), m));
    });
  });
  errs.push(...validateLabels(sel.matchLabels, join(path, 'matchLabels')));
  return errs;
}

/**
 * A metav1.LabelSelector as a predicate over labels, with upstream's LabelSelectorAsSelector semantics:
 * undefined → matches nothing; {} → matches everything. `empty` tells whether it selects everything.
 */
export function selectorOf(sel: unknown): { matches: (labels: Record<string, string>) => boolean; empty: boolean } {
  if (!isObj(sel)) return { matches: () => false, empty: false };
  const ml = isObj(sel.matchLabels) ? sel.matchLabels : {};
  const exprs = list(sel.matchExpressions);
  const empty = Object.keys(ml).length === 0 && exprs.length === 0;
  const matches = (labels: Record<string, string>) => {
    for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
    for (const e of exprs) {
      const has = Object.prototype.hasOwnProperty.call(labels, e.key);
      const values: unknown[] = Array.isArray(e.values) ? e.values : [];
      switch (e.operator) {
        case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
        case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
        case 'Exists': if (!has) return false; break;
        case 'DoesNotExist': if (has) return false; break;
        default: return false;
      }
    }
    return true;
  };
  return { matches, empty };
}

/**
 * What upstream's registry does to an update before validating it (rest.BeforeUpdate): system-owned
 * metadata the client need not send is taken from the stored object. Mutates newObj's metadata.
 */
export function fillSystemFieldsForUpdate(newMeta: Obj, oldMeta: Obj): void {
  if (!str(newMeta.uid) && oldMeta.uid) newMeta.uid = oldMeta.uid;
  newMeta.creationTimestamp = oldMeta.creationTimestamp;
  if (oldMeta.deletionTimestamp) newMeta.deletionTimestamp = oldMeta.deletionTimestamp;
  else delete newMeta.deletionTimestamp;
  if (oldMeta.deletionGracePeriodSeconds != null && newMeta.deletionGracePeriodSeconds == null) {
    newMeta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
  }
  if (oldMeta.generation != null && newMeta.generation == null) newMeta.generation = oldMeta.generation;
}
