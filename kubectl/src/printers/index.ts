// The generic printers (-o yaml|json|name) and the names kubectl prints after a change ("pod/nginx created").
import { toYaml } from './yaml.ts';
import { toJson } from './json.ts';

export type GenericFormat = 'yaml' | 'json' | 'name';

export const allowedFormats = 'custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml';

export interface ObjectLike { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; managedFields?: unknown; [k: string]: unknown }; [k: string]: unknown }

/** "pod", "deployment.apps": lower-cased GroupKind of an object. */
export function objectGroupKind(o: ObjectLike): string {
  const av = o.apiVersion ?? '';
  const i = av.indexOf('/');
  const group = i < 0 ? '' : av.slice(0, i);
  const kind = o.kind ?? '';
  return (group ? `${kind}.${group}` : kind).toLowerCase();
}

/** NamePrinter: "pod/nginx", with an operation: "pod/nginx created". */
export function nameLine(o: ObjectLike, operation?: string): string {
  const gk = objectGroupKind(o);
  const name = o.metadata?.name ?? '';
  const base = gk ? `${gk}/${name}` : name;
  return operation ? `${base} ${operation}\n` : `${base}\n`;
}

/** Removes metadata.managedFields as kubectl does unless --show-managed-fields. */
export function omitManagedFields<T extends ObjectLike>(o: T): T {
  if (!o.metadata || o.metadata.managedFields === undefined) return o;
  const { managedFields: _mf, ...meta } = o.metadata;
  return { ...o, metadata: meta };
}

export function printGeneric(o: ObjectLike, format: GenericFormat): string {
  if (format === 'name') {
    const items = o.kind === 'List' && Array.isArray(o.items) ? (o.items as ObjectLike[]) : [o];
    return items.map((x) => nameLine(x)).join('');
  }
  return format === 'yaml' ? toYaml(o) : toJson(o);
}
