// A Storage decorator that records each operation's latency (etcd_request_duration_seconds).
import type { Histogram } from 'prom-client';
import type { Storage } from './interface.ts';

export function instrumented(s: Storage, latency: Histogram<'operation'>): Storage {
  const time = <T>(operation: string, p: Promise<T>): Promise<T> => {
    const end = latency.startTimer({ operation });
    return p.finally(() => end());
  };
  return {
    create: (key, obj) => time('create', s.create(key, obj)),
    get: (key) => time('get', s.get(key)),
    list: (prefix, opts) => time('list', s.list(prefix, opts)),
    update: (key, fn, pre, cached) => time('update', s.update(key, fn, pre, cached)),
    delete: (key, pre) => time('delete', s.delete(key, pre)),
    watch: (prefix, after, handlers) => s.watch(prefix, after, handlers),
    currentRevision: () => time('currentRevision', s.currentRevision()),
    compact: (rev) => time('compact', s.compact(rev)),
    close: () => s.close(),
  };
}
