// Test helpers for storage tests: objects, event collectors, polling.
import type { KubeObject } from '@k8ts/api';
import type { Storage, StorageError, StorageEvent, WatchHandle } from '../../src/storage/interface.ts';

export function pod(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { nodeName: '' }, ...extra };
}

export async function until(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Collector {
  events: StorageEvent[];
  errors: StorageError[];
  progress: number[];
  handle: WatchHandle;
  waitEvents(n: number, timeoutMs?: number): Promise<StorageEvent[]>;
  waitError(timeoutMs?: number): Promise<StorageError>;
}

export function collect(storage: Storage, prefix: string, afterRevision: number): Collector {
  const c = { events: [] as StorageEvent[], errors: [] as StorageError[], progress: [] as number[] } as Collector;
  c.handle = storage.watch(prefix, afterRevision, {
    onEvent: (e) => c.events.push(e),
    onError: (e) => c.errors.push(e),
    onProgress: (r) => c.progress.push(r),
  });
  c.waitEvents = async (n, t) => {
    await until(() => c.events.length >= n, t, `${n} events (have ${c.events.length})`);
    return c.events;
  };
  c.waitError = async (t) => {
    await until(() => c.errors.length > 0, t, 'watch error');
    return c.errors[0];
  };
  return c;
}

let counter = 0;
/** A key prefix no other test uses (tests share one etcd). */
export function freshPrefix(kind = 'pods'): string {
  return `/registry/${kind}-${process.pid}-${++counter}-${Date.now().toString(36)}/`;
}
