// Shared by the storage implementations: how objects are encoded, compared and checked against preconditions.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '@k8ts/api';
import { StorageError, type Preconditions } from './interface.ts';

/** The stored form: JSON without metadata.resourceVersion (the revision of the write carries it). */
export function encode(obj: KubeObject): string {
  const rv = obj.metadata?.resourceVersion;
  if (rv === undefined) return JSON.stringify(obj);
  const { resourceVersion: _drop, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

/** A fresh copy of a stored object with resourceVersion set to the given revision. */
export function decode(data: string, revision: number): KubeObject {
  const obj = JSON.parse(data) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(revision) };
  return obj;
}

/**
 * Whether two encodings store the same object (key order ignored). JSON.stringify of equal values differs at
 * most in key order, which keeps the length: a different length is a different object, with no parsing.
 */
export function sameStored(data: string, stored: string): boolean {
  return data === stored || (data.length === stored.length && isDeepStrictEqual(JSON.parse(data), JSON.parse(stored)));
}

/**
 * The object just stored as `data` at `revision`, for the caller: `obj` itself with the new resourceVersion
 * (it is the writer's own copy), or a fresh decode when it cannot take one.
 */
export function written(obj: KubeObject, data: string, revision: number): KubeObject {
  if (Object.isFrozen(obj)) return decode(data, revision);
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(revision) };
  return obj;
}

/** Conflict when the stored object does not satisfy the preconditions (messages as upstream's). */
export function checkPreconditions(key: string, current: KubeObject, pre?: Preconditions): void {
  if (!pre) return;
  if (pre.uid !== undefined && pre.uid !== current.metadata?.uid) {
    throw new StorageError('Conflict', key,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata?.uid ?? ''}`);
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== current.metadata?.resourceVersion) {
    throw new StorageError('Conflict', key,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata?.resourceVersion ?? ''}`);
  }
}

export function keyNotFound(key: string): StorageError {
  return new StorageError('KeyNotFound', key, `key not found: ${key}`);
}

export function keyExists(key: string): StorageError {
  return new StorageError('KeyExists', key, `key exists: ${key}`);
}

export function compacted(key: string, revision?: number): StorageError {
  return new StorageError('Compacted', key, `required revision has been compacted${revision ? ` (oldest available: ${revision})` : ''}`, revision);
}

/** First index of a sorted key list whose key is >= k. */
export function lowerBound(keys: string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
