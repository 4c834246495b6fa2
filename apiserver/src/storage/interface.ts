// The one storage interface of the API server. Implementations: etcd.ts (etcd v3, through etcd/client.ts) and memory.ts.
// Keys look like "/registry/pods/default/nginx"; a revision is a store-wide, strictly increasing integer
// (etcd's revision), and an object's metadata.resourceVersion is the revision of its last write, as a string.
import type { KubeObject } from '@k8ts/api';

export type StorageErrorCode = 'KeyExists' | 'KeyNotFound' | 'Conflict' | 'Compacted' | 'Unavailable';

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key: string;
  /** For Compacted: the oldest revision still available. */
  readonly revision?: number;
  constructor(code: StorageErrorCode, key: string, message?: string, revision?: number) {
    super(message ?? `${code}: ${key}`);
    this.name = 'StorageError';
    this.code = code;
    this.key = key;
    this.revision = revision;
  }
}

export interface Preconditions {
  /** The write happens only if the stored object's resourceVersion equals this (else Conflict). */
  resourceVersion?: string;
  /** The write happens only if the stored object's metadata.uid equals this (else Conflict). */
  uid?: string;
}

export interface ListOptions {
  /** At most this many items; 0 or undefined = all. */
  limit?: number;
  /** Exclusive start key for paging (the key after the last item of the previous page). */
  startAfter?: string;
  /** Read at this revision (consistent paging); undefined = latest. A compacted revision is a Compacted error. */
  revision?: number;
}

export interface ListResult {
  items: KubeObject[];
  /** The revision the list was read at. */
  revision: number;
  /** When more items remain: the key of the last returned item (pass as startAfter). */
  continueAfter?: string;
  /** How many items remain after this page, when known. */
  remaining?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StorageEvent {
  type: WatchEventType;
  key: string;
  /** The new object; for DELETED, the last stored object with resourceVersion set to the deletion's revision. */
  object: KubeObject;
  /** The object before this change (MODIFIED and DELETED). May be decoded only when first read. */
  prevObject?: KubeObject;
  /** The revision prevObject was stored at, when the implementation knows it without decoding it. */
  prevRevision?: number;
  revision: number;
}

export interface WatchHandle {
  /** Stops the watch; no more calls to the handlers afterwards. */
  stop(): void;
  /**
   * Asks for an onProgress call (etcd's watch progress request): the answer's revision R promises that every
   * change under the prefix up to R has already been passed to onEvent. Used by the watch cache to keep its
   * revision fresh when its prefix is quiet. Optional: implementations without it never call onProgress.
   */
  requestProgress?(): void;
}

export interface WatchHandlers {
  /** Called in revision order for every change under the prefix after the start revision. */
  onEvent(e: StorageEvent): void;
  /** Called once when the watch ends by itself: Compacted (start revision too old) or Unavailable. */
  onError(err: StorageError): void;
  /** Answer to WatchHandle.requestProgress: all changes under the prefix up to revision have been delivered. */
  onProgress?(revision: number): void;
}

export interface Storage {
  /**
   * Stores a new object; KeyExists if the key is taken. Returns the object with resourceVersion set (obj
   * itself, which the caller hands over).
   */
  create(key: string, obj: KubeObject): Promise<KubeObject>;
  /** The current object, or undefined. */
  get(key: string): Promise<KubeObject | undefined>;
  /** Objects whose keys start with prefix (ending in "/"), in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /**
   * Read-modify-write. tryUpdate gets a fresh copy of the current object, its own to change, and returns the new
   * one (or throws to abort).
   * Retries on concurrent writes unless preconditions.resourceVersion is given (then a stale version is Conflict).
   * KeyNotFound when absent. Returns the stored object (tryUpdate's) with its new resourceVersion; when tryUpdate returns an
   * object equal to the current one nothing is written and the current object is returned.
   * `cached` (the watch cache's copy, as upstream's cachedExistingObject) is a first guess at the current
   * state that saves the read: a write based on it only lands if it was current; when tryUpdate or the
   * preconditions fail on it, or it changes nothing, the decision is made again on what storage holds.
   */
  update(key: string, tryUpdate: (current: KubeObject) => KubeObject | Promise<KubeObject>, preconditions?: Preconditions, cached?: KubeObject): Promise<KubeObject>;
  /** Deletes; KeyNotFound when absent, Conflict on failed preconditions. Returns the deleted object (resourceVersion = deletion revision). */
  delete(key: string, preconditions?: Preconditions): Promise<KubeObject>;
  /** Changes under prefix with revision > afterRevision, then live ones. */
  watch(prefix: string, afterRevision: number, handlers: WatchHandlers): WatchHandle;
  /** The store's current revision. */
  currentRevision(): Promise<number>;
  /** Drops history at or before revision (later watches/lists from older revisions get Compacted). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
