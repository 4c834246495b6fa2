// Name generation and storage keys, as upstream's registry does them.
import { randomBytes } from 'node:crypto';
import type { ResourceInfo } from '@k8ts/api';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_NAME_LENGTH = 63 - 5;

/** generateName + 5 random characters from upstream's alphabet (no vowels, no confusable digits). */
export function generateName(base: string): string {
  if (base.length > MAX_GENERATED_NAME_LENGTH) base = base.slice(0, MAX_GENERATED_NAME_LENGTH);
  const bytes = randomBytes(5);
  let s = '';
  for (const b of bytes) s += ALPHANUMS[b % ALPHANUMS.length];
  return base + s;
}

/** "/registry/pods/" — every object of a resource lives under this prefix. */
export function resourcePrefix(r: ResourceInfo): string {
  return `/registry/${r.group ? r.group + '/' : ''}${r.resource}/`;
}

/** "/registry/pods/default/" or the resource prefix for cluster-scoped resources / all namespaces. */
export function collectionPrefix(r: ResourceInfo, namespace?: string): string {
  return r.namespaced && namespace ? `${resourcePrefix(r)}${namespace}/` : resourcePrefix(r);
}

export function objectKeyPath(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return r.namespaced ? `${resourcePrefix(r)}${namespace}/${name}` : `${resourcePrefix(r)}${name}`;
}
