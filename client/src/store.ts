// Indexer: the informer's cache, keyed by "namespace/name", with named index functions (client-go's
// cache.Indexer / threadSafeStore). Readers get the cached objects themselves: never mutate them.
import type { KubeObject } from '@k8ts/api/object.ts';
import { objectKey } from '@k8ts/api/object.ts';

export type IndexFunc<T> = (obj: T) => string[];
export type Indexers<T> = Record<string, IndexFunc<T>>;
export type KeyFunc = (obj: { metadata?: KubeObject['metadata'] }) => string;

export const NamespaceIndex = 'namespace';

export function metaNamespaceIndexFunc(obj: { metadata?: KubeObject['metadata'] }): string[] {
  return [obj.metadata?.namespace ?? ''];
}

/** Carried by onDelete when a delete was missed (seen only as absence after a relist). */
export class DeletedFinalStateUnknown<T> {
  readonly key: string;
  readonly obj: T;
  constructor(key: string, obj: T) { this.key = key; this.obj = obj; }
}

/** The object inside a possible tombstone. */
export function unwrapTombstone<T>(o: T | DeletedFinalStateUnknown<T>): T {
  return o instanceof DeletedFinalStateUnknown ? o.obj : o;
}

/** The key of an object or tombstone: what handlers enqueue (cache.DeletionHandlingMetaNamespaceKeyFunc). */
export function deletionHandlingKey(o: { metadata?: KubeObject['metadata'] } | DeletedFinalStateUnknown<unknown>): string {
  return o instanceof DeletedFinalStateUnknown ? o.key : objectKey(o);
}

export class Indexer<T extends { metadata?: KubeObject['metadata'] } = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → indexed value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  readonly keyFunc: KeyFunc;

  constructor(indexers: Indexers<T> = { [NamespaceIndex]: metaNamespaceIndexFunc }, keyFunc: KeyFunc = objectKey) {
    this.keyFunc = keyFunc;
    this.addIndexers(indexers);
  }

  /** Adds index functions; existing items are indexed at once. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`indexer conflict: ${name}`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) this.addToIndex(index, fn(obj), key);
    }
  }

  private addToIndex(index: Map<string, Set<string>>, values: string[], key: string): void {
    for (const v of values) {
      let s = index.get(v);
      if (!s) index.set(v, (s = new Set()));
      s.add(key);
    }
  }

  private updateIndices(old: T | undefined, obj: T | undefined, key: string): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      const oldValues = old ? fn(old) : [];
      const newValues = obj ? fn(obj) : [];
      if (oldValues.length === 1 && newValues.length === 1 && oldValues[0] === newValues[0]) continue;
      for (const v of oldValues) {
        const s = index.get(v);
        if (!s) continue;
        s.delete(key);
        if (!s.size) index.delete(v);
      }
      this.addToIndex(index, newValues, key);
    }
  }

  add(obj: T): void { this.set(this.keyFunc(obj), obj); }
  update(obj: T): void { this.set(this.keyFunc(obj), obj); }

  set(key: string, obj: T): void {
    const old = this.items.get(key);
    this.items.set(key, obj);
    this.updateIndices(old, obj, key);
  }

  delete(obj: T): void { this.deleteKey(this.keyFunc(obj)); }

  deleteKey(key: string): void {
    const old = this.items.get(key);
    if (!old) return;
    this.items.delete(key);
    this.updateIndices(old, undefined, key);
  }

  get(obj: T): T | undefined { return this.items.get(this.keyFunc(obj)); }
  getByKey(key: string): T | undefined { return this.items.get(key); }
  has(key: string): boolean { return this.items.has(key); }
  list(): T[] { return [...this.items.values()]; }
  listKeys(): string[] { return [...this.items.keys()]; }
  get size(): number { return this.items.size; }
  entries(): IterableIterator<[string, T]> { return this.items.entries(); }

  /** Replaces the whole content (no handlers involved). */
  replace(objs: T[]): void {
    this.items.clear();
    for (const index of this.indices.values()) index.clear();
    for (const o of objs) this.add(o);
  }

  /** Keys whose index function yields `value` for index `indexName`. */
  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index with name ${indexName} does not exist`);
    return [...(index.get(value) ?? [])];
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index with name ${indexName} does not exist`);
    const keys = index.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) out.push(this.items.get(k)!);
    return out;
  }

  /** Objects sharing any indexed value with `obj` (cache.Index). */
  index(indexName: string, obj: T): T[] {
    const fn = this.indexers.get(indexName);
    if (!fn) throw new Error(`index with name ${indexName} does not exist`);
    const keys = new Set<string>();
    for (const v of fn(obj)) for (const k of this.indices.get(indexName)!.get(v) ?? []) keys.add(k);
    return [...keys].map((k) => this.items.get(k)!);
  }

  listIndexFuncValues(indexName: string): string[] {
    return [...(this.indices.get(indexName)?.keys() ?? [])];
  }
}
