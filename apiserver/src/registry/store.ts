// The generic REST store: create, get, list, update, patch, delete and watch for one resource, on top of
// the Storage interface and the resource's watch cache. Per-kind behaviour comes from its Strategy.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { errors, apiVersionOf, type KubeObject, type KubeList, type ResourceInfo, StatusError } from '@k8ts/api';
import { StorageError, type Storage, type StorageEvent } from '../storage/interface.ts';
import type { WatchCache, CacheWatchHandle } from '../storage/watch-cache.ts';
import type { RequestContext } from './context.ts';
import type { Strategy, DeleteOptions, GarbageCollectionPolicy } from './strategy.ts';
import { decodeChecks, defaultObject, validateForCreate, validateForUpdate } from './admission.ts';
import { collectionPrefix, generateName, objectKeyPath, resourcePrefix } from './names.ts';
import { decodeContinue, encodeContinue } from './continue.ts';
import { compileFilter, type ObjectFilter } from './filter.ts';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
}

/** A watch event; its object is shared between watchers and must not be modified. */
export interface WatchEvent { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: Readonly<KubeObject> }

export interface NamespaceLookup {
  /** The phase of an existing namespace, or undefined when it does not exist. */
  phase(name: string): Promise<string | undefined>;
}

export type Mutation = (current: KubeObject) => KubeObject | Promise<KubeObject>;

export class ResourceStore {
  readonly info: ResourceInfo;
  readonly strategy: Strategy;
  readonly cache: WatchCache;
  private readonly storage: Storage;
  private readonly namespaces: NamespaceLookup;
  private readonly apiVersion: string;

  constructor(info: ResourceInfo, storage: Storage, cache: WatchCache, strategy: Strategy, namespaces: NamespaceLookup) {
    this.info = info;
    this.storage = storage;
    this.cache = cache;
    this.strategy = strategy;
    this.namespaces = namespaces;
    this.apiVersion = apiVersionOf(info);
  }

  key(namespace: string | undefined, name: string): string {
    return objectKeyPath(this.info, namespace, name);
  }

  private withKind(o: KubeObject): KubeObject {
    o.apiVersion = this.apiVersion;
    o.kind = this.info.kind;
    return o;
  }

  private notFound(name: string): StatusError {
    return errors.notFound(this.info.group, this.info.resource, name);
  }

  private conflict(name: string): StatusError {
    return errors.conflict(this.info.group, this.info.resource, name, 'the object has been modified; please apply your changes to the latest version and try again');
  }

  /** Maps storage errors to Status errors. */
  private mapError(err: unknown, name: string): never {
    if (err instanceof StorageError) {
      switch (err.code) {
        case 'KeyExists': throw errors.alreadyExists(this.info.group, this.info.resource, name);
        case 'KeyNotFound': throw this.notFound(name);
        case 'Conflict': throw this.conflict(name);
        case 'Compacted': throw errors.gone(`The resourceVersion for the provided list is too old.`);
        case 'Unavailable': throw errors.serviceUnavailable(`storage is unavailable: ${err.message}`);
      }
    }
    throw err;
  }

  // ---- reads ----

  async get(namespace: string | undefined, name: string, resourceVersion?: string): Promise<KubeObject> {
    const key = this.key(namespace, name);
    const obj = resourceVersion === '0' ? this.cache.get(key) : await this.storage.get(key).catch((e) => this.mapError(e, name));
    if (!obj) throw this.notFound(name);
    return this.withKind(structuredClone(obj));
  }

  async list(namespace: string | undefined, o: ListOptions = {}): Promise<KubeList> {
    const filter = compileFilter(this.info.kind, o.labelSelector, o.fieldSelector);
    const prefix = collectionPrefix(this.info, namespace);
    let items: KubeObject[];
    let revision: number;
    let cont: string | undefined;
    let remaining: number | undefined;
    const limit = o.limit && o.limit > 0 ? o.limit : 0;
    if (o.continue || (limit && o.resourceVersion !== '0') || (o.resourceVersion && o.resourceVersion !== '0' && o.resourceVersionMatch === 'Exact')) {
      // Paged or exact reads go to storage, at one consistent revision across pages.
      let startAfter: string | undefined;
      let atRevision: number | undefined;
      if (o.continue) ({ revision: atRevision, startAfter } = decodeContinue(o.continue, prefix));
      else if (o.resourceVersionMatch === 'Exact') atRevision = parseRV(o.resourceVersion);
      ({ items, revision, cont, remaining } = await this.pagedList(prefix, filter, limit, startAfter, atRevision));
    } else {
      // Everything else is served from the watch cache once it is at least as fresh as asked.
      const wanted = o.resourceVersion === '0' ? 0 : o.resourceVersion ? parseRV(o.resourceVersion) : await this.storage.currentRevision();
      if (wanted > this.cache.revision()) await this.cache.waitUntilFresh(wanted, 3000).catch(() => {
        throw errors.timeout(`Too large resource version: ${wanted}, current: ${this.cache.revision()}`);
      });
      const snap = this.cache.list();
      revision = snap.revision;
      items = [];
      for (const it of snap.items) {
        if (namespace && this.info.namespaced && it.metadata.namespace !== namespace) continue;
        if (filter && !filter(it)) continue;
        items.push(this.withKind(structuredClone(it)));
      }
    }
    const list: KubeList = {
      kind: this.info.listKind,
      apiVersion: this.apiVersion,
      metadata: { resourceVersion: String(revision) },
      items,
    };
    if (cont) list.metadata.continue = cont;
    if (remaining !== undefined && cont) list.metadata.remainingItemCount = remaining;
    return list;
  }

  private async pagedList(prefix: string, filter: ObjectFilter | undefined, limit: number, startAfter: string | undefined, revision: number | undefined) {
    const items: KubeObject[] = [];
    let after = startAfter;
    let rev = revision;
    let cont: string | undefined;
    let remaining: number | undefined;
    // Keep reading pages until `limit` matching items are found (selectors filter after the read), as upstream.
    for (;;) {
      const want = limit ? Math.max(limit - items.length, 1) : 0;
      const res = await this.storage.list(prefix, { limit: want ? Math.max(want, filter ? 100 : want) : undefined, startAfter: after, revision: rev })
        .catch((e) => this.mapError(e, ''));
      rev = res.revision;
      let lastKey: string | undefined;
      let i = 0;
      for (; i < res.items.length; i++) {
        const it = res.items[i];
        lastKey = keyOf(this.info, it);
        if (!filter || filter(it)) items.push(this.withKind(it));
        if (limit && items.length >= limit) break;
      }
      const more = i < res.items.length - 1 || !!res.continueAfter;
      if (limit && items.length >= limit && more) {
        cont = encodeContinue(rev, lastKey!, prefix);
        if (!filter && res.remaining !== undefined) remaining = res.remaining + (res.items.length - 1 - i);
        break;
      }
      if (!res.continueAfter) break;
      after = res.continueAfter;
    }
    return { items, revision: rev!, cont, remaining };
  }

  // ---- create ----

  /** Creates `obj`, which the caller gives away: it is defaulted in place and becomes the stored object. */
  async create(namespace: string | undefined, obj: KubeObject, ctx: RequestContext): Promise<KubeObject> {
    obj.metadata ??= {};
    this.checkNamespace(namespace, obj);
    const generated = !obj.metadata.name && !!obj.metadata.generateName;
    if (generated) obj.metadata.name = generateName(obj.metadata.generateName!);
    decodeChecks(obj, ctx);
    defaultObject(obj);
    this.prepareCreate(obj, ctx);
    validateForCreate(obj);
    if (namespace && this.info.namespaced) await this.requireActiveNamespace(namespace);
    await this.strategy.beforeCreate?.(obj, ctx);
    const key = this.key(namespace, obj.metadata.name!);
    try {
      if (!ctx.dryRun) return this.withKind(await this.storage.create(key, obj));
      // As upstream's dry-run storage: the name must be free, and nothing is written. What beforeCreate allocated
      // (a Service's cluster IP and node ports) is shown in the answer, then given back.
      if (await this.storage.get(key)) throw new StorageError('KeyExists', key);
      this.strategy.createFailed?.(obj);
      return this.withKind(obj);
    } catch (e) {
      this.strategy.createFailed?.(obj);
      if (e instanceof StorageError && e.code === 'KeyExists' && generated) {
        throw errors.alreadyExists(this.info.group, this.info.resource, obj.metadata.name!);
      }
      return this.mapError(e, obj.metadata.name!);
    }
  }

  private checkNamespace(namespace: string | undefined, obj: KubeObject): void {
    if (!this.info.namespaced) {
      delete obj.metadata.namespace;
      return;
    }
    if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = namespace ?? obj.metadata.namespace;
  }

  private async requireActiveNamespace(namespace: string): Promise<void> {
    const phase = await this.namespaces.phase(namespace);
    if (phase === undefined) throw errors.notFound('', 'namespaces', namespace);
    if (phase === 'Terminating') {
      throw errors.forbidden(`${this.info.resource} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private prepareCreate(obj: KubeObject, ctx: RequestContext): void {
    const m = obj.metadata;
    m.uid = randomUUID();
    m.creationTimestamp = nowRFC3339();
    delete m.resourceVersion;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.selfLink;
    if (hasSpec(obj)) m.generation = 1;
    else delete m.generation;
    if (this.strategy.statusSubresource && !this.strategy.keepStatusOnCreate) delete obj.status;
    this.strategy.prepareForCreate?.(obj, ctx);
  }

  // ---- update / patch ----

  /**
   * Read-modify-write of one object through the update pipeline. `mutate` builds the new object from the
   * current one (a PUT body, a patch applied, a subresource change).
   */
  async guaranteedUpdate(namespace: string | undefined, name: string, ctx: RequestContext, mutate: Mutation, sub: '' | 'status' = ''): Promise<KubeObject> {
    const key = this.key(namespace, name);
    let deleteAfter = false;
    let before: KubeObject | undefined;
    let after: KubeObject | undefined;
    let result: KubeObject;
    try {
      result = await this.storage.update(key, async (cur) => {
        // A retried attempt gives back what the previous attempt allocated.
        if (before && after && sub === '') this.strategy.updateFailed?.(after, before);
        after = undefined;
        before = cur;
        const next = await mutate(structuredClone(cur));
        next.metadata ??= {};
        if (next.metadata.name !== undefined && next.metadata.name !== name) {
          throw errors.badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
        }
        if (next.metadata.resourceVersion && next.metadata.resourceVersion !== cur.metadata.resourceVersion) throw this.conflict(name);
        const obj = sub === 'status' ? this.statusUpdate(next, cur, ctx, namespace) : this.mainUpdate(next, cur, ctx, namespace);
        validateForUpdate(obj, cur);
        if (sub === '') await this.strategy.beforeUpdate?.(obj, cur, ctx);
        after = obj;
        deleteAfter = !!obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0
          && (this.strategy.canRemove?.(obj) ?? true);
        if (ctx.dryRun) throw new DryRunResult(obj);
        return obj;
      }, undefined, this.cache.get(key));
    } catch (e) {
      if (before && after && sub === '') this.strategy.updateFailed?.(after, before);
      if (e instanceof DryRunResult) return this.withKind(e.obj);
      return this.mapError(e, name);
    }
    if (before && after && sub === '') this.strategy.afterUpdate?.(result, before);
    if (deleteAfter) {
      await this.removeNow(key, result, name);
    }
    return this.withKind(result);
  }

  /** What every update does first: the URL's namespace, kind and version, decoding checks, defaults, system metadata kept. */
  private prepareWrite(next: KubeObject, cur: KubeObject, ctx: RequestContext, namespace: string | undefined): void {
    this.checkNamespace(namespace, next);
    next.apiVersion = this.apiVersion;
    next.kind = this.info.kind;
    decodeChecks(next, ctx);
    defaultObject(next);
    keepSystemMetadata(next, cur);
  }

  private mainUpdate(next: KubeObject, cur: KubeObject, ctx: RequestContext, namespace: string | undefined): KubeObject {
    this.prepareWrite(next, cur, ctx, namespace);
    const m = next.metadata;
    const c = cur.metadata;
    if (this.strategy.statusSubresource) {
      if (cur.status === undefined) delete next.status;
      else next.status = structuredClone(cur.status);
    }
    if (hasSpec(next) || c.generation !== undefined) {
      const specChanged = !isDeepStrictEqual(specOf(next), specOf(cur));
      m.generation = (c.generation ?? 0) + (specChanged ? 1 : 0);
      if (m.generation === 0) m.generation = 1;
    }
    this.strategy.prepareForUpdate?.(next, cur, ctx);
    return next;
  }

  /**
   * /status (PUT or PATCH): the status and the client's metadata changes (labels, annotations, finalizers,
   * owner references ...) are kept; spec and the system metadata stay as stored, and the kind's status
   * strategy resets more (upstream's BeforeUpdate with the <kind>StatusStrategy).
   */
  private statusUpdate(next: KubeObject, cur: KubeObject, ctx: RequestContext, namespace: string | undefined): KubeObject {
    this.prepareWrite(next, cur, ctx, namespace);
    const m = next.metadata;
    // Generation never changes through /status.
    if (cur.metadata.generation === undefined) delete m.generation;
    else m.generation = cur.metadata.generation;
    // Everything but metadata and status is spec: as stored.
    for (const k of Object.keys(specOf(next))) delete (next as Record<string, unknown>)[k];
    Object.assign(next, structuredClone(specOf(cur)));
    if (next.status === undefined) delete next.status;
    this.strategy.prepareForStatusUpdate?.(next, cur, ctx);
    return next;
  }

  async update(namespace: string | undefined, name: string, body: KubeObject, ctx: RequestContext, sub: '' | 'status' = ''): Promise<{ object: KubeObject; created: boolean }> {
    if (body.metadata?.name && body.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    try {
      const object = await this.guaranteedUpdate(namespace, name, ctx, () => structuredClone(body), sub);
      return { object, created: false };
    } catch (e) {
      if (e instanceof StatusError && e.code === 404 && this.strategy.allowCreateOnUpdate && sub === '' && !body.metadata?.resourceVersion) {
        const obj = structuredClone(body);
        obj.metadata = { ...obj.metadata, name };
        return { object: await this.create(namespace, obj, ctx), created: true };
      }
      throw e;
    }
  }

  /**
   * A write that skips the update pipeline, for subresources whose rules are their own (binding, scale,
   * finalize). The result is removed when it is terminating and nothing holds it any more.
   */
  async rawUpdate(namespace: string | undefined, name: string, mutate: Mutation, dryRun = false): Promise<KubeObject> {
    const key = this.key(namespace, name);
    let result: KubeObject;
    try {
      // The storage hands over a fresh copy, which nothing else holds: no clone needed here.
      result = await this.storage.update(key, async (cur) => {
        const next = await mutate(cur);
        if (dryRun) throw new DryRunResult(next);
        return next;
      }, undefined, this.cache.get(key));
    } catch (e) {
      if (e instanceof DryRunResult) return this.withKind(e.obj);
      return this.mapError(e, name);
    }
    const m = result.metadata;
    if (m.deletionTimestamp && !m.finalizers?.length && (m.deletionGracePeriodSeconds ?? 0) === 0 && (this.strategy.canRemove?.(result) ?? true)) {
      await this.removeNow(key, result, name);
    }
    return this.withKind(result);
  }

  // ---- delete ----

  async delete(namespace: string | undefined, name: string, options: DeleteOptions, ctx: RequestContext): Promise<{ object: KubeObject; deleted: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const cur = await this.storage.get(key).catch((e) => this.mapError(e, name));
      if (!cur) throw this.notFound(name);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== cur.metadata.uid) {
        throw errors.conflict(this.info.group, this.info.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
        throw errors.conflict(this.info.group, this.info.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
      }
      const plan = this.planDelete(cur, options);
      // kubectl delete --dry-run=server asks in DeleteOptions (the body), others with ?dryRun=All.
      if (ctx.dryRun || options.dryRun?.includes('All')) return { object: this.withKind(plan.object ?? cur), deleted: !plan.object };
      try {
        if (plan.object) {
          const stored = await this.storage.update(key, () => plan.object!, { resourceVersion: cur.metadata.resourceVersion });
          return { object: this.withKind(stored), deleted: false };
        }
        const gone = await this.storage.delete(key, { resourceVersion: cur.metadata.resourceVersion });
        this.strategy.afterDelete?.(gone);
        return { object: this.withKind(gone), deleted: true };
      } catch (e) {
        // Someone wrote in between: decide again on the new state.
        if (e instanceof StorageError && e.code === 'Conflict' && attempt < 10) continue;
        return this.mapError(e, name);
      }
    }
  }

  /** What a delete does to `cur`: an updated object (graceful/finalizers/termination) or removal (undefined). */
  private planDelete(cur: KubeObject, options: DeleteOptions): { object?: KubeObject } {
    const obj = structuredClone(cur);
    const m = obj.metadata;
    const before = cur.metadata.finalizers ?? [];
    const finalizers = deletionFinalizers(before, options, this.strategy.defaultGarbageCollectionPolicy?.(this.apiVersion) ?? 'DeleteDependents');
    const finalizersChanged = !sameSet(finalizers, before);
    const setFinalizers = () => {
      if (finalizers.length) m.finalizers = finalizers;
      else delete m.finalizers;
    };
    if (this.strategy.beginDelete?.(obj)) {
      m.deletionTimestamp ??= nowRFC3339();
      m.deletionGracePeriodSeconds ??= 0;
      setFinalizers();
      return { object: obj };
    }
    const grace = this.strategy.gracePeriod?.(cur, options) ?? 0;
    if (m.deletionTimestamp) {
      const remaining = m.deletionGracePeriodSeconds ?? 0;
      // A graceful deletion in progress may only be shortened; finalizers stay as they are meanwhile.
      if (remaining > 0 && grace >= remaining) return { object: cur };
      // Already terminating: grace 0 with no finalizers removes it.
      if (grace === 0 && finalizers.length === 0) return {};
      if (grace < remaining) {
        m.deletionGracePeriodSeconds = grace;
        m.deletionTimestamp = nowRFC3339(grace);
        setFinalizers();
        return { object: obj };
      }
      if (finalizersChanged) {
        setFinalizers();
        return { object: obj };
      }
      return { object: cur };
    }
    if (grace === 0 && finalizers.length === 0) return {};
    m.deletionTimestamp = nowRFC3339(grace);
    m.deletionGracePeriodSeconds = grace;
    setFinalizers();
    return { object: obj };
  }

  private async removeNow(key: string, obj: KubeObject, name: string): Promise<void> {
    try {
      const gone = await this.storage.delete(key, { resourceVersion: obj.metadata.resourceVersion });
      this.strategy.afterDelete?.(gone);
    } catch (e) {
      if (e instanceof StorageError && (e.code === 'KeyNotFound' || e.code === 'Conflict')) return;
      this.mapError(e, name);
    }
  }

  async deleteCollection(namespace: string | undefined, listOptions: ListOptions, options: DeleteOptions, ctx: RequestContext): Promise<KubeList> {
    const list = await this.list(namespace, { labelSelector: listOptions.labelSelector, fieldSelector: listOptions.fieldSelector });
    const out: KubeObject[] = [];
    for (const it of list.items) {
      try {
        const r = await this.delete(it.metadata.namespace, it.metadata.name!, options, ctx);
        out.push(r.object);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    return { ...list, items: out };
  }

  // ---- watch ----

  /**
   * Streams events to `send`. resourceVersion unset or "0": the current state as ADDED events first, then
   * changes; otherwise changes after that version (410 Expired when it is older than the cache keeps).
   */
  watch(namespace: string | undefined, o: WatchOptions, h: WatchSink): CacheWatchHandle {
    const filter = compileFilter(this.info.kind, o.labelSelector, o.fieldSelector);
    const prefix = collectionPrefix(this.info, namespace);
    const inScope = (key: string) => key.startsWith(prefix);
    let from: number;
    const initial: WatchEvent[] = [];
    if (!o.resourceVersion || o.resourceVersion === '0') {
      const snap = this.cache.list();
      from = snap.revision;
      for (const it of snap.items) {
        if (!inScope(keyOf(this.info, it))) continue;
        if (filter && !filter(it)) continue;
        initial.push({ type: 'ADDED', object: it });
      }
    } else {
      from = parseRV(o.resourceVersion);
    }
    let pending: Promise<void> | void = undefined;
    for (const e of initial) pending = h.send(e);
    return this.cache.watch(from, {
      onEvent: async (e: StorageEvent) => {
        if (pending) { await pending; pending = undefined; }
        if (!inScope(e.key)) return;
        const ev = filterEvent(e, filter);
        // Cache objects are frozen and shared: every watcher gets the same object (and the HTTP layer
        // serializes it once for all of them).
        if (ev) return h.send({ type: ev.type, object: ev.object });
      },
      onBookmark: (revision: number) => h.bookmark?.(revision),
      onError: (err: StorageError) => {
        if (err.code === 'Compacted') h.error(errors.gone(`too old resource version: ${from} (${err.revision ?? this.cache.revision()})`));
        else h.end();
      },
    });
  }
}

/** Where a watch's events go; send may return a promise to slow the watch down (backpressure). */
export interface WatchSink {
  send(e: WatchEvent): void | Promise<void>;
  bookmark?(revision: number): void | Promise<void>;
  /** The watch ended with an error to report (410 Expired). */
  error(err: StatusError): void;
  /** The watch ended; the client simply watches again from its last resourceVersion. */
  end(): void;
}

class DryRunResult extends Error {
  readonly obj: KubeObject;
  constructor(obj: KubeObject) { super('dry run'); this.obj = obj; }
}

function filterEvent(e: StorageEvent, filter: ObjectFilter | undefined): { type: WatchEvent['type']; object: KubeObject } | undefined {
  if (!filter) return e;
  const now = e.type !== 'DELETED' && filter(e.object);
  const before = !!e.prevObject && filter(e.prevObject);
  if (e.type === 'DELETED') return before || (!e.prevObject && filter(e.object)) ? e : undefined;
  if (now && before) return e;
  if (now) return { type: 'ADDED', object: e.object };
  if (before) return { type: 'DELETED', object: e.object };
  return undefined;
}

export function keyOf(info: ResourceInfo, o: KubeObject): string {
  return objectKeyPath(info, o.metadata.namespace, o.metadata.name!);
}

export function parseRV(rv: string | undefined): number {
  const n = Number(rv);
  if (!rv || !Number.isInteger(n) || n < 0) throw errors.badRequest(`invalid resource version: ${rv}`);
  return n;
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/**
 * The finalizers an object has after a delete with `options` (upstream's
 * deletionFinalizersForGarbageCollection): orphan when the request says Orphan (or orphanDependents), or
 * says nothing and the object already has it, or says nothing and the kind's default is OrphanDependents;
 * foregroundDeletion when the request says Foreground, or says nothing and the object already has it.
 * Kinds whose policy is Unsupported never get either.
 */
export function deletionFinalizers(current: string[], options: DeleteOptions, defaultPolicy: GarbageCollectionPolicy): string[] {
  const out = current.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (defaultPolicy === 'Unsupported') return out;
  const has = (f: string) => current.includes(f);
  let orphan: boolean;
  let foreground: boolean;
  if (options.orphanDependents !== undefined && options.orphanDependents !== null) {
    orphan = options.orphanDependents;
    foreground = false;
  } else if (options.propagationPolicy) {
    orphan = options.propagationPolicy === 'Orphan';
    foreground = options.propagationPolicy === 'Foreground';
  } else if (has(FINALIZER_ORPHAN) || has(FINALIZER_FOREGROUND)) {
    orphan = has(FINALIZER_ORPHAN);
    foreground = !orphan && has(FINALIZER_FOREGROUND);
  } else {
    orphan = defaultPolicy === 'OrphanDependents';
    foreground = false;
  }
  if (orphan) out.push(FINALIZER_ORPHAN);
  if (foreground) out.push(FINALIZER_FOREGROUND);
  return out;
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** What no update may change: name, uid, creation time, resourceVersion, the deletion marks. */
function keepSystemMetadata(next: KubeObject, cur: KubeObject): void {
  const m = next.metadata;
  const c = cur.metadata;
  m.name = c.name;
  m.uid = c.uid;
  m.creationTimestamp = c.creationTimestamp;
  m.resourceVersion = c.resourceVersion;
  if (c.deletionTimestamp) {
    m.deletionTimestamp = c.deletionTimestamp;
    m.deletionGracePeriodSeconds = c.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
}

function hasSpec(o: KubeObject): boolean {
  return o.spec !== undefined && o.spec !== null;
}

/** Everything but metadata and status: what counts as "spec" for generation. */
function specOf(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

// Timestamps have second precision: the string is made once per second (the create path asks for each object).
let lastSecond = -1;
let lastStamp = '';
export function nowRFC3339(plusSeconds = 0): string {
  const second = Math.floor(Date.now() / 1000) + plusSeconds;
  if (second !== lastSecond || plusSeconds !== 0) {
    const stamp = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    if (plusSeconds !== 0) return stamp;
    lastSecond = second;
    lastStamp = stamp;
  }
  return lastStamp;
}

export { resourcePrefix };
