// kubectl rollout status: list the object by name, print its status, and (with --watch) follow it until done.
import { StatusError, statusError, qualifiedResource } from '@k8ts/api/status.ts';
import type { Factory } from '../../factory.ts';
import { pathFor } from '../../discovery.ts';
import { AggregateError } from '../../errors.ts';
import { fetchInfos, type Info, type Obj } from './objects.ts';
import { statusViewerFor, RolloutStatusError, type RolloutStatus } from './viewers.ts';

export interface RolloutStatusOptions {
  selector?: string;
  watch: boolean;
  revision: number;
  /** Seconds; 0 waits forever. */
  timeoutSeconds: number;
}

export const timedOutMessage = 'timed out waiting for the condition';

export async function runRolloutStatus(f: Factory, args: string[], o: RolloutStatusOptions): Promise<void> {
  const infos = await fetchInfos(f, args, { selector: o.selector, allowAll: true });
  if (!infos.length) {
    f.io.err(`No resources found in ${f.namespace().namespace} namespace.\n`);
    return;
  }
  const viewers = infos.map((info) => {
    const v = statusViewerFor(info.mapping.group, info.mapping.kind);
    if (!v) throw new Error(`no status viewer has been implemented for ${info.mapping.kind}${info.mapping.group ? '.' + info.mapping.group : ''}`);
    return v;
  });
  const errs: unknown[] = [];
  for (let i = 0; i < infos.length; i++) {
    try { await untilRolledOut(f, infos[i], (obj) => viewers[i](obj, o.revision), o); } catch (e) { errs.push(e); }
  }
  if (errs.length) throw new AggregateError(errs);
}

class Relist extends Error {}

/** Lists then watches the one object, printing each status it sees, until done (or once without --watch). */
async function untilRolledOut(f: Factory, info: Info, view: (o: Obj) => RolloutStatus, o: RolloutStatusOptions): Promise<void> {
  const ctl = new AbortController();
  let timedOut = false;
  const timer = o.timeoutSeconds > 0 ? setTimeout(() => { timedOut = true; ctl.abort(); }, o.timeoutSeconds * 1000) : undefined;
  const path = pathFor(info.mapping, info.namespace);
  const fieldSelector = `metadata.name=${info.name}`;
  /** Prints the status; true when the command is finished with this object. */
  const observe = (obj: Obj): boolean => {
    let s: RolloutStatus;
    try { s = view(obj); } catch (e) { throw e instanceof RolloutStatusError ? new Error(e.message) : e; }
    f.io.out(s.message);
    return s.done || !o.watch;
  };
  try {
    for (;;) {
      const list = await f.rest().request<{ metadata?: { resourceVersion?: string }; items?: Obj[] }>({
        path, query: { fieldSelector, limit: 500, resourceVersion: '0' }, signal: ctl.signal,
      });
      const item = list.items?.[0];
      if (!item) throw statusError(404, 'NotFound', `${qualifiedResource(info.mapping.group, info.mapping.resource)} "${info.name}" not found`, { name: info.name, group: info.mapping.group, kind: info.mapping.resource });
      if (observe(item)) return;
      let rv = list.metadata?.resourceVersion ?? '';
      try {
        for (;;) {
          const stream = await f.rest().stream({
            path, signal: ctl.signal,
            query: { allowWatchBookmarks: 'true', fieldSelector, resourceVersion: rv, timeoutSeconds: 300 + Math.floor(Math.random() * 300), watch: 'true' },
          });
          for await (const line of stream) {
            const ev = JSON.parse(line) as { type: string; object: Obj };
            if (ev.type === 'ERROR') {
              const err = new StatusError(ev.object as never);
              if (err.code === 410) throw new Relist();
              throw err;
            }
            rv = ev.object?.metadata?.resourceVersion ?? rv;
            if (ev.type === 'BOOKMARK') continue;
            if (ev.type === 'DELETED') throw new Error('object has been deleted');
            if (observe(ev.object)) { stream.close(); return; }
          }
          if (ctl.signal.aborted) break;
        }
      } catch (e) {
        if (!(e instanceof Relist)) throw e;
      }
      if (ctl.signal.aborted) break;
    }
  } catch (e) {
    if (!timedOut) throw e;
  } finally {
    if (timer) clearTimeout(timer);
  }
  throw new Error(timedOutMessage);
}
