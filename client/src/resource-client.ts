// Typed access to one resource (client-go's typed clients, generic over ResourceInfo).
import type { Status } from 'kubernetes-types/meta/v1';
import type { ResourceInfo } from '@k8ts/api/resources.ts';
import { resourcePath, apiVersionOf } from '@k8ts/api/resources.ts';
import { StatusError } from '@k8ts/api/status.ts';
import type { KubeObject, KubeList } from '@k8ts/api/object.ts';
import type { RestClient, Query, ResponseStream } from './rest.ts';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  signal?: AbortSignal;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
  signal?: AbortSignal;
}

export interface PodLogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  timestamps?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
  signal?: AbortSignal;
}

function logQuery(o: PodLogOptions): Query {
  return {
    container: o.container, follow: o.follow ? 'true' : undefined, previous: o.previous ? 'true' : undefined,
    timestamps: o.timestamps ? 'true' : undefined, tailLines: o.tailLines, sinceSeconds: o.sinceSeconds, limitBytes: o.limitBytes,
  };
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  force?: boolean;
  subresource?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  signal?: AbortSignal;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** An open watch: iterate its events; close() ends the iteration cleanly. */
export interface Watch<T> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
}

export const patchContentTypes: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface Scale {
  apiVersion?: string;
  kind?: string;
  metadata: KubeObject['metadata'];
  spec?: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

export interface Eviction {
  apiVersion?: string;
  kind?: string;
  metadata: KubeObject['metadata'];
  deleteOptions?: Omit<DeleteOptions, 'signal'>;
}

function writeQuery(o: WriteOptions | undefined): Query | undefined {
  if (!o) return undefined;
  return { fieldManager: o.fieldManager, dryRun: o.dryRun ? 'All' : undefined, fieldValidation: o.fieldValidation };
}

/** The StatusError raised for an ERROR watch event carrying a Status (e.g. 410 Expired). */
export function watchErrorToStatusError(obj: unknown): StatusError {
  const s = obj as Status;
  if (s && s.kind === 'Status') return new StatusError(s);
  return new StatusError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, reason: 'InternalError', message: `unexpected watch error: ${JSON.stringify(obj)}` });
}

/** Turns a line stream of a watch into events. */
export function watchFromStream<T>(stream: ResponseStream): Watch<T> {
  async function* events(): AsyncGenerator<WatchEvent<T>> {
    for await (const line of stream) yield JSON.parse(line) as WatchEvent<T>;
  }
  const it = events();
  return { close: () => stream.close(), [Symbol.asyncIterator]: () => it };
}

export class ResourceClient<T extends KubeObject = KubeObject> {
  readonly rest: RestClient;
  readonly info: ResourceInfo;
  readonly ns: string | undefined;

  constructor(rest: RestClient, info: ResourceInfo, namespace?: string) {
    this.rest = rest;
    this.info = info;
    this.ns = info.namespaced ? namespace : undefined;
  }

  /** The same resource in one namespace ('' or undefined: all namespaces, for list/watch). */
  namespace(ns: string | undefined): ResourceClient<T> {
    return new ResourceClient<T>(this.rest, this.info, ns || undefined);
  }

  get apiVersion(): string { return apiVersionOf(this.info); }

  private nsFor(obj?: KubeObject): string | undefined {
    if (!this.info.namespaced) return undefined;
    const ns = this.ns ?? obj?.metadata?.namespace;
    if (!ns) throw new Error(`${this.info.resource}: a namespace is required`);
    if (obj?.metadata?.namespace && this.ns && obj.metadata.namespace !== this.ns) {
      throw new StatusError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 400, reason: 'BadRequest', message: 'the namespace of the provided object does not match the namespace sent on the request' });
    }
    return ns;
  }

  /** The REST path of the collection (all namespaces when unset) or of one object. */
  path(name?: string, subresource?: string, namespace = this.ns): string {
    return resourcePath(this.info, namespace, name, subresource);
  }

  private withKind(obj: T): T {
    if (obj.apiVersion && obj.kind) return obj;
    return { ...obj, apiVersion: obj.apiVersion ?? this.apiVersion, kind: obj.kind ?? this.info.kind };
  }

  get(name: string, opts: { resourceVersion?: string; signal?: AbortSignal } = {}): Promise<T> {
    return this.rest.request<T>({ path: this.path(name, undefined, this.nsFor()), query: { resourceVersion: opts.resourceVersion }, signal: opts.signal });
  }

  /** Lists; items get apiVersion/kind filled in (the server may omit them inside a List). */
  async list(opts: ListOptions = {}): Promise<KubeList<T>> {
    const list = await this.rest.request<KubeList<T>>({
      path: this.path(),
      query: {
        labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit,
        continue: opts.continue, resourceVersion: opts.resourceVersion,
        resourceVersionMatch: opts.resourceVersionMatch, timeoutSeconds: opts.timeoutSeconds,
      },
      signal: opts.signal,
    });
    const apiVersion = this.apiVersion;
    const kind = this.info.kind;
    for (const o of list.items ?? []) {
      if (!o.kind) o.kind = kind;
      if (!o.apiVersion) o.apiVersion = apiVersion;
    }
    return list;
  }

  /** Lists every page (following `continue`), returning the items and the first page's resourceVersion. */
  async listAll(opts: ListOptions = {}): Promise<KubeList<T>> {
    const first = await this.list(opts);
    const items = [...first.items];
    let cont = first.metadata?.continue;
    while (cont) {
      const page = await this.list({ ...opts, continue: cont, resourceVersion: undefined, resourceVersionMatch: undefined });
      items.push(...page.items);
      cont = page.metadata?.continue;
    }
    return { ...first, metadata: { ...first.metadata, continue: undefined }, items };
  }

  create(obj: T, opts?: WriteOptions): Promise<T> {
    return this.rest.request<T>({ method: 'POST', path: this.path(undefined, undefined, this.nsFor(obj)), query: writeQuery(opts), body: this.withKind(obj), signal: opts?.signal });
  }

  update(obj: T, opts?: WriteOptions): Promise<T> {
    return this.rest.request<T>({ method: 'PUT', path: this.path(obj.metadata.name, undefined, this.nsFor(obj)), query: writeQuery(opts), body: this.withKind(obj), signal: opts?.signal });
  }

  updateStatus(obj: T, opts?: WriteOptions): Promise<T> {
    return this.rest.request<T>({ method: 'PUT', path: this.path(obj.metadata.name, 'status', this.nsFor(obj)), query: writeQuery(opts), body: this.withKind(obj), signal: opts?.signal });
  }

  patch(name: string, patch: unknown, type: PatchType, opts: PatchOptions = {}): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) throw new Error('fieldManager is required for apply patches');
    return this.rest.request<T>({
      method: 'PATCH',
      path: this.path(name, opts.subresource, this.nsFor()),
      query: { ...writeQuery(opts), force: type === 'apply' && opts.force !== undefined ? opts.force : undefined },
      body: patch,
      contentType: patchContentTypes[type],
      signal: opts.signal,
    });
  }

  /** Deletes; resolves with the object (when finalizers/graceful deletion keep it) or a Success Status. */
  delete(name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const { signal, ...rest } = opts;
    return this.rest.request<T | Status>({ method: 'DELETE', path: this.path(name, undefined, this.nsFor()), body: deleteBody(rest), signal });
  }

  deleteCollection(list: ListOptions = {}, opts: DeleteOptions = {}): Promise<KubeList<T> | Status> {
    const { signal, ...rest } = opts;
    return this.rest.request({
      method: 'DELETE',
      path: this.path(),
      query: { labelSelector: list.labelSelector, fieldSelector: list.fieldSelector },
      body: deleteBody(rest),
      signal: signal ?? list.signal,
    });
  }

  /** Opens a watch; iterate the result for events (ERROR events are yielded as they come). */
  async watch(opts: WatchOptions = {}): Promise<Watch<T>> {
    const stream = await this.rest.stream({
      path: this.path(),
      query: {
        watch: 'true', labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector,
        resourceVersion: opts.resourceVersion, allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
        timeoutSeconds: opts.timeoutSeconds, sendInitialEvents: opts.sendInitialEvents === undefined ? undefined : String(opts.sendInitialEvents),
      },
      signal: opts.signal,
      mode: 'lines',
    });
    return watchFromStream<T>(stream);
  }

  /** Callback form of watch: calls onEvent per event; `done` settles when the watch ends. */
  async watchWith(opts: WatchOptions, onEvent: (e: WatchEvent<T>) => void | Promise<void>): Promise<{ stop(): void; done: Promise<void> }> {
    const w = await this.watch(opts);
    const done = (async () => { for await (const e of w) await onEvent(e); })();
    return { stop: () => w.close(), done };
  }

  // ---- subresources ----

  /** pods/log as text (kubectl logs without -f). */
  logs(name: string, opts: PodLogOptions = {}): Promise<string> {
    return this.rest.requestRaw({ path: this.path(name, 'log', this.nsFor()), query: logQuery(opts), accept: 'text/plain', signal: opts.signal });
  }

  /** pods/log as a stream of chunks (kubectl logs -f); close() or the signal ends it. */
  streamLogs(name: string, opts: PodLogOptions = {}): Promise<ResponseStream> {
    return this.rest.stream({ path: this.path(name, 'log', this.nsFor()), query: logQuery({ follow: true, ...opts }), accept: 'text/plain', signal: opts.signal, mode: 'chunks' });
  }

  getSubresource<R = unknown>(name: string, subresource: string, query?: Query): Promise<R> {
    return this.rest.request<R>({ path: this.path(name, subresource, this.nsFor()), query });
  }

  updateSubresource<R = unknown>(name: string, subresource: string, body: unknown, opts?: WriteOptions): Promise<R> {
    return this.rest.request<R>({ method: 'PUT', path: this.path(name, subresource, this.nsFor()), body, query: writeQuery(opts), signal: opts?.signal });
  }

  createSubresource<R = unknown>(name: string, subresource: string, body: unknown, opts?: WriteOptions): Promise<R> {
    return this.rest.request<R>({ method: 'POST', path: this.path(name, subresource, this.nsFor()), body, query: writeQuery(opts), signal: opts?.signal });
  }

  getScale(name: string): Promise<Scale> { return this.getSubresource<Scale>(name, 'scale'); }

  updateScale(name: string, scale: Scale, opts?: WriteOptions): Promise<Scale> {
    return this.updateSubresource<Scale>(name, 'scale', { apiVersion: 'autoscaling/v1', kind: 'Scale', ...scale }, opts);
  }

  /** kubectl scale: a merge patch of spec.replicas on the scale subresource. */
  scale(name: string, replicas: number, opts?: WriteOptions): Promise<Scale> {
    return this.patch(name, { spec: { replicas } }, 'merge', { ...opts, subresource: 'scale' }) as unknown as Promise<Scale>;
  }

  /** pods/binding: assigns a pod to a node (what the scheduler does). */
  bind(name: string, nodeName: string, opts: WriteOptions & { uid?: string } = {}): Promise<Status> {
    const ns = this.nsFor();
    return this.createSubresource<Status>(name, 'binding', {
      apiVersion: 'v1', kind: 'Binding',
      metadata: { name, namespace: ns, ...(opts.uid ? { uid: opts.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    }, opts);
  }

  /** pods/eviction: a policy/v1 Eviction (429 when a PodDisruptionBudget forbids it). */
  evict(name: string, deleteOptions?: Omit<DeleteOptions, 'signal'>, opts?: WriteOptions): Promise<Status> {
    const body: Eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: this.nsFor() } };
    if (deleteOptions) body.deleteOptions = deleteBody(deleteOptions) as Eviction['deleteOptions'];
    return this.createSubresource<Status>(name, 'eviction', body, opts);
  }
}

function deleteBody(o: Omit<DeleteOptions, 'signal'>): Record<string, unknown> | undefined {
  const b: Record<string, unknown> = {};
  if (o.gracePeriodSeconds !== undefined) b.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.propagationPolicy) b.propagationPolicy = o.propagationPolicy;
  if (o.preconditions) b.preconditions = o.preconditions;
  if (o.dryRun) b.dryRun = ['All'];
  if (!Object.keys(b).length) return undefined;
  return { kind: 'DeleteOptions', apiVersion: 'v1', ...b };
}
