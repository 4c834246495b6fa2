// Listers: read-only views of an informer's cache (client-go listers). Returned objects are the
// cached ones: never mutate them (deepCopy first).
import type { KubeObject } from '@k8ts/api/object.ts';
import { statusError } from '@k8ts/api/status.ts';
import type { Indexer } from './store.ts';
import { NamespaceIndex } from './store.ts';
import type { Selector } from '@k8ts/api/labels.ts';
import { isEmpty, matchesLabels } from '@k8ts/api/labels.ts';

function filter<T extends KubeObject>(all: T[], selector: Selector | undefined): T[] {
  return !selector || isEmpty(selector) ? all : all.filter((o) => matchesLabels(selector, o.metadata?.labels));
}

function notFound(resource: string, name: string) {
  return statusError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
}

export class Lister<T extends KubeObject = KubeObject> {
  readonly indexer: Indexer<T>;
  readonly resource: string;

  constructor(indexer: Indexer<T>, resource = 'object') {
    this.indexer = indexer;
    this.resource = resource;
  }

  list(selector?: Selector): T[] { return filter(this.indexer.list(), selector); }

  /** A cluster-scoped object by name; undefined when absent. */
  get(name: string): T | undefined { return this.indexer.getByKey(name); }

  /** As get(), but throws a NotFound StatusError like client-go's listers. */
  mustGet(name: string): T {
    const o = this.get(name);
    if (!o) throw notFound(this.resource, name);
    return o;
  }

  namespace(ns: string): NamespaceLister<T> { return new NamespaceLister<T>(this.indexer, ns, this.resource); }

  byIndex(indexName: string, value: string): T[] { return this.indexer.byIndex(indexName, value); }
}

export class NamespaceLister<T extends KubeObject = KubeObject> {
  private readonly indexer: Indexer<T>;
  readonly ns: string;
  readonly resource: string;

  constructor(indexer: Indexer<T>, ns: string, resource: string) {
    this.indexer = indexer;
    this.ns = ns;
    this.resource = resource;
  }

  list(selector?: Selector): T[] { return filter(this.indexer.byIndex(NamespaceIndex, this.ns), selector); }

  get(name: string): T | undefined { return this.indexer.getByKey(`${this.ns}/${name}`); }

  mustGet(name: string): T {
    const o = this.get(name);
    if (!o) throw notFound(this.resource, name);
    return o;
  }
}
