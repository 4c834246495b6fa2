// kubectl events: core/v1 Events of a namespace (or all, or one object's), sorted by when they last
// happened, as kubectl's EventPrinter prints them; -w streams new ones.
import type { Factory } from '../factory.ts';
import type { ResponseStream } from '@k8ts/client';
import { apiVersionOfResource } from '../discovery.ts';
import { toOrderedJson } from '../printers/json.ts';
import { toYaml } from '../printers/yaml.ts';
import { printJsonPath } from '../printers/jsonpath.ts';
import { ExitError, NoResourceMatchError } from '../errors.ts';
import { humanDuration } from '@k8ts/api/age.ts';
import { RememberingTabWriter, interrupted } from './watch.ts';

export interface EventsOptions {
  allNamespaces?: boolean;
  watch?: boolean;
  noHeaders?: boolean;
  forObject?: string;
  types?: string[];
  output?: string;
  chunkSize?: string;
}

type Obj = Record<string, unknown>;
export interface CoreEvent extends Obj {
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  involvedObject?: { kind?: string; name?: string; [k: string]: unknown };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
}

const eventsFormats = 'go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml';

/** Go's omitempty: zero values and empty maps/slices are left out. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as Obj).length === 0;
}

/** Keys in Go struct order; `always` fields (structs, fields without omitempty) get their zero value when absent. */
function ordered(o: Obj | undefined, keys: string[], always: Record<string, unknown> = {}): Obj {
  const out: Obj = {};
  const src = o ?? {};
  for (const k of keys) {
    const v = src[k];
    if (k in always) out[k] = v === undefined || v === null ? always[k] : v;
    else if (!isEmpty(v)) out[k] = v;
  }
  for (const k of Object.keys(src)) if (!keys.includes(k) && src[k] !== undefined) out[k] = src[k];
  return out;
}

const objectMetaKeys = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'];
const objectReferenceKeys = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

/** A core/v1 Event as the typed Go struct marshals it (field order, null times, empty reporting fields). */
export function typedEvent(e: CoreEvent): Obj {
  const series = e.series ? ordered(e.series as Obj, ['count', 'lastObservedTime']) : undefined;
  return ordered({
    ...e,
    kind: 'Event', apiVersion: 'v1',
    metadata: ordered(e.metadata, objectMetaKeys, { creationTimestamp: null }),
    involvedObject: ordered(e.involvedObject, objectReferenceKeys),
    source: ordered(e.source as Obj | undefined, ['component', 'host']),
    series,
    related: e.related ? ordered(e.related as Obj, objectReferenceKeys) : undefined,
  }, ['kind', 'apiVersion', 'metadata', 'involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'series', 'action', 'related', 'reportingComponent', 'reportingInstance'],
  { metadata: {}, involvedObject: {}, source: {}, firstTimestamp: null, lastTimestamp: null, eventTime: null, reportingComponent: '', reportingInstance: '' });
}

const ms = (t: string | null | undefined): number | undefined => (t ? Date.parse(t) : undefined);

/** eventTime(): series.lastObservedTime, else lastTimestamp, else eventTime (0 when none). */
export function eventSortTime(e: CoreEvent): number {
  if (e.series) return ms(e.series.lastObservedTime) ?? 0;
  return ms(e.lastTimestamp) ?? ms(e.eventTime) ?? 0;
}

/** SortableEvents: oldest first (a stable sort, as Go's insertion sort is for short lists). */
export function sortEvents<T extends CoreEvent>(events: T[]): T[] {
  return events.map((e, i) => ({ e, i, t: eventSortTime(e) })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.e);
}

function since(t: string | null | undefined, now: number): string {
  const v = ms(t);
  return v === undefined || Number.isNaN(v) ? '<unknown>' : humanDuration(now - v);
}

/** The LAST SEEN cell: "5m", or "10s (x4 over 5m)" for repeated events. */
export function eventInterval(e: CoreEvent, now = Date.now()): string {
  const first = e.eventTime ? since(e.eventTime, now) : since(e.firstTimestamp, now);
  if (e.series) return `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
  if ((e.count ?? 0) > 1) return `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
  return first;
}

/** EventPrinter: headers once, then one line per event (tab-separated, before the tabwriter). */
export class EventPrinter {
  private headersPrinted = false;
  private readonly noHeaders: boolean;
  private readonly allNamespaces: boolean;
  constructor(noHeaders: boolean, allNamespaces: boolean) {
    this.noHeaders = noHeaders;
    this.allNamespaces = allNamespaces;
  }
  lines(events: CoreEvent[], now = Date.now()): string {
    let s = '';
    if (!this.noHeaders && !this.headersPrinted) {
      s += (this.allNamespaces ? 'NAMESPACE\t' : '') + 'LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n';
      this.headersPrinted = true;
    }
    for (const e of events) {
      if (this.allNamespaces) s += `${e.metadata?.namespace ?? ''}\t`;
      // kubectl 1.32 prints the cells as they are (no truncation at line breaks).
      s += [eventInterval(e, now), e.type ?? '', e.reason ?? '', `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`,
        (e.message ?? '').trim()].join('\t') + '\n';
    }
    return s;
  }
}

type Output = { kind: 'table' } | { kind: 'json' } | { kind: 'yaml' } | { kind: 'name' } | { kind: 'jsonpath'; template: string };

function parseEventsOutput(v: string | undefined): Output {
  const o = (v ?? '').replace(/^=/, '');
  if (!o) return { kind: 'table' };
  if (o === 'json' || o === 'yaml' || o === 'name') return { kind: o };
  const m = /^jsonpath=(.*)$/s.exec(o);
  if (m && m[1]) return { kind: 'jsonpath', template: m[1] };
  throw new Error(`unable to match a printer suitable for the output format "${o}", allowed formats are: ${eventsFormats}`);
}

export async function runEvents(f: Factory, o: EventsOptions): Promise<void> {
  const { namespace } = f.namespace();
  let fieldSelector: string | undefined;
  if (o.forObject) {
    if (!o.forObject.includes('/')) throw new Error('--for must be in resource/name form');
    const seg = o.forObject.split('/');
    if (seg.length !== 2) throw new Error('arguments in resource/name form may not have more than one slash');
    const mapper = await f.restMapper();
    let m;
    try { m = mapper.resourceFor(seg[0]); } catch (e) {
      // cmdutil.CheckErr prints a RESTMapper miss without the "error: " prefix.
      if (e instanceof NoResourceMatchError) { f.io.err(`${e.message}\n`); throw new ExitError(1); }
      throw e;
    }
    fieldSelector = `involvedObject.kind=${m.kind},involvedObject.apiVersion=${apiVersionOfResource(m)},involvedObject.name=${seg[1]}`;
  }
  const types = [...new Set(o.types ?? [])].sort();
  const out = parseEventsOutput(o.output);
  for (const t of types) if (!/^(normal|warning)$/i.test(t)) throw new Error('valid --types are Normal or Warning');
  const wanted = (t: string | undefined) => !types.length || types.some((x) => x.toLowerCase() === (t ?? '').toLowerCase());
  const path = o.allNamespaces ? '/api/v1/events' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
  const limit = Number(o.chunkSize ?? 500) || undefined;
  const rest = f.rest();
  const printer = new EventPrinter(!!o.noHeaders, !!o.allNamespaces);
  const w = new RememberingTabWriter();

  let printed = 0;
  const print = (events: CoreEvent[], list: boolean) => {
    if (out.kind === 'table') { w.write(printer.lines(events)); f.io.out(w.flush()); return; }
    const typed = events.map(typedEvent);
    const doc = list ? { kind: 'EventList', apiVersion: 'v1', metadata: {}, items: typed } : typed[0];
    // The name printer fails on the typed EventList and kubectl ignores the error: nothing is printed.
    if (out.kind === 'name') { if (!list) f.io.out(`event/${events[0].metadata?.name ?? ''}\n`); return; }
    if (out.kind === 'json') f.io.out(toOrderedJson(doc));
    else if (out.kind === 'yaml') f.io.out((printed++ > 0 ? '---\n' : '') + toYaml(doc));
    else f.io.out(printJsonPath(out.template, doc));
  };

  if (o.watch) {
    const intr = interrupted();
    let stream: ResponseStream | undefined;
    void intr.promise.then(() => stream?.close());
    try {
      stream = await rest.stream({ path, query: { fieldSelector, limit, watch: 'true' } });
      if (intr.fired()) stream.close();
      for await (const line of stream) {
        let ev: { type?: string; object?: CoreEvent };
        try { ev = JSON.parse(line); } catch { continue; }
        if (!ev.object || ev.type === 'DELETED' || ev.type === 'BOOKMARK') continue;
        if (ev.type === 'ERROR') break;
        if (!wanted(ev.object.type)) continue;
        print([ev.object], false);
      }
    } finally {
      intr.dispose();
      stream?.close();
    }
    if (intr.fired()) throw new ExitError(1);
    return;
  }

  const items: CoreEvent[] = [];
  let cont: string | undefined;
  do {
    const body = await rest.request<{ items?: CoreEvent[]; metadata?: { continue?: string } }>({ path, query: { fieldSelector, limit, continue: cont } });
    items.push(...(body.items ?? []));
    cont = body.metadata?.continue || undefined;
  } while (cont);
  const events = sortEvents(items.filter((e) => wanted(e.type)));
  if (!events.length) {
    f.io.err(o.allNamespaces ? 'No events found.\n' : `No events found in ${namespace} namespace.\n`);
    return;
  }
  print(events, true);
}
