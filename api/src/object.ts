// The generic shape every API object shares, with kubernetes-types for the specific kinds.
import type { ObjectMeta, ListMeta } from 'kubernetes-types/meta/v1';

export type { ObjectMeta, ListMeta };

/** kubernetes-types marks server-set fields readonly; servers and controllers write them. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type DeepMutable<T> = T extends (infer U)[] ? DeepMutable<U>[] : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: Mutable<ObjectMeta>;
  [key: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

/** "namespace/name", or "name" for cluster-scoped objects: the key work queues and caches use. */
export function objectKey(o: { metadata?: ObjectMeta }): string {
  const ns = o.metadata?.namespace;
  return ns ? `${ns}/${o.metadata?.name}` : `${o.metadata?.name}`;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function deepCopy<T>(o: T): T {
  return structuredClone(o);
}
