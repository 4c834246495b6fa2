// EventRecorder: core/v1 Events as client-go's tools/record writes them. Repeats of the same
// (object, type, reason, message) become a PATCH of count/lastTimestamp on the first Event (the event
// correlator's logger); a per-object token bucket drops spam. Recording never blocks and never throws.
// Each Event written also goes out on the cluster's NATS event stream when the process has one.
import { format } from 'node:util';
import { hostname } from 'node:os';
import type { Event, ObjectReference } from 'kubernetes-types/core/v1';
import { isNotFound, isAlreadyExists, StatusError } from '@k8ts/api/status.ts';
import type { Logger } from 'pino';
import type { ResourceClient } from './resource-client.ts';
import type { Typed } from './clientset.ts';
import { silentLogger } from './log.ts';
import { processLogStream } from './log-stream.ts';

export type EventType = 'Normal' | 'Warning';

interface Referable {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

/** reference.GetReference: the involvedObject for an object (kind and apiVersion must be known). */
export function getReference(obj: Referable | ObjectReference, fieldPath?: string): ObjectReference {
  if (!('metadata' in obj) || !obj.metadata) {
    const r = obj as ObjectReference;
    if (!r.kind || !r.name) throw new Error('object reference needs kind and name');
    return fieldPath ? { ...r, fieldPath } : r;
  }
  const o = obj as Referable;
  if (!o.kind || !o.apiVersion) throw new Error(`object ${o.metadata?.name} has no kind/apiVersion`);
  const ref: ObjectReference = { kind: o.kind, apiVersion: o.apiVersion, name: o.metadata?.name };
  if (o.metadata?.namespace) ref.namespace = o.metadata.namespace;
  if (o.metadata?.uid) ref.uid = o.metadata.uid;
  if (o.metadata?.resourceVersion) ref.resourceVersion = o.metadata.resourceVersion;
  if (fieldPath) ref.fieldPath = fieldPath;
  return ref;
}

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. "default-scheduler", "kubelet". */
  component: string;
  /** source.host and reportingInstance (the node name for kubelets). */
  host?: string;
  /** Bounded queue; events beyond it are dropped (default 1000). */
  queueSize?: number;
  /** Spam filter: burst and refill period per source+object (client-go: 25, one per 5 min). */
  spamBurst?: number;
  spamRefillMs?: number;
  /** Write retries (default 3) and wait between them. */
  maxTries?: number;
  retryDelayMs?: number;
  /** Distinct events remembered for aggregation (client-go: 4096). */
  cacheSize?: number;
  logger?: Logger;
  now?: () => Date;
}

type EventsClient = Pick<ResourceClient<Typed<Event>>, 'create' | 'patch' | 'namespace'>;

interface Seen { name: string; namespace: string; count: number; firstTimestamp: string }
interface Bucket { tokens: number; last: number }
interface Aggregate { messages: Set<string>; last: number }

const aggregateMaxEvents = 10;
const aggregateIntervalMs = 600_000;

/** The logger's key: everything but the timestamps and count. */
export function eventKey(e: Event): string {
  const r = e.involvedObject;
  return [e.source?.component, e.source?.host, r.kind, r.namespace, r.name, r.fieldPath, r.uid, r.apiVersion, e.type, e.reason, e.message].join('\u0000');
}

/** Events "similar" to each other: the same but for the message. */
function aggregateKey(e: Event): string {
  const r = e.involvedObject;
  return [e.source?.component, e.source?.host, r.kind, r.namespace, r.name, r.uid, r.apiVersion, e.type, e.reason, e.reportingComponent, e.reportingInstance].join('\u0000');
}

/** The spam filter's key: source + object. */
function spamKey(e: Event): string {
  const r = e.involvedObject;
  return [e.source?.component, e.source?.host, r.kind, r.namespace, r.name, r.uid, r.apiVersion].join('\u0000');
}

/** A Map used as an LRU cache of bounded size. */
function lruSet<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
  m.delete(k);
  m.set(k, v);
  if (m.size > max) m.delete(m.keys().next().value!);
}

function eventName(objName: string | undefined, t: Date, seq: number): string {
  return `${objName}.${(BigInt(t.getTime()) * 1_000_000n + BigInt(seq % 1_000_000)).toString(16)}`;
}

function timestamp(t: Date): string { return t.toISOString().replace(/\.\d{3}Z$/, 'Z'); }

export class EventRecorder {
  private readonly client: EventsClient;
  private readonly o: EventRecorderOptions;
  private readonly log: Logger;
  private readonly queue: Event[] = [];
  private readonly seen = new Map<string, Seen>();
  private readonly aggregates = new Map<string, Aggregate>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly host: string;
  private running: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private seq = 0;
  private droppedSince = 0;
  private droppedLoggedAt = -Infinity;

  constructor(events: EventsClient, o: EventRecorderOptions) {
    this.client = events;
    this.o = o;
    this.host = o.host ?? hostname();
    this.log = (o.logger ?? silentLogger()).child({ recorder: o.component });
  }

  private now(): Date { return this.o.now ? this.o.now() : new Date(); }

  /** Records an event about obj. Never throws; returns at once. */
  event(obj: Referable | ObjectReference, type: EventType, reason: string, message: string): void {
    try {
      if (this.stopped) return;
      if (type !== 'Normal' && type !== 'Warning') { this.log.error({ type }, 'unsupported event type'); return; }
      const ref = getReference(obj);
      const t = this.now();
      const ts = timestamp(t);
      const ns = ref.namespace || 'default';
      const ev: Event = {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: eventName(ref.name, t, this.seq++), namespace: ns },
        involvedObject: ref,
        reason, message, type,
        source: { component: this.o.component, host: this.host },
        firstTimestamp: ts, lastTimestamp: ts, count: 1,
        reportingComponent: this.o.component,
        reportingInstance: this.host,
      };
      if (this.queue.length >= (this.o.queueSize ?? 1000)) {
        this.dropped(reason, `${ns}/${ref.name}`, t.getTime());
        return;
      }
      this.queue.push(ev);
      if (!this.running) this.running = this.drain().finally(() => { this.running = undefined; this.notifyIdle(); });
    } catch (e) {
      this.log.error({ err: (e as Error).message, reason }, 'could not record event');
    }
  }

  /**
   * A full queue drops the event. The first drop is logged with its object, later ones are counted and
   * logged as one line per 10 s and when the queue has drained: a burst (a scheduler binding thousands of
   * pods) would otherwise write a warning per event, which costs more than the events it drops.
   */
  private dropped(reason: string, object: string, now: number): void {
    if (this.droppedSince === 0 && now - this.droppedLoggedAt >= 10_000) {
      this.droppedLoggedAt = now;
      this.log.warn({ reason, object }, 'event queue full; dropping event');
      return;
    }
    this.droppedSince++;
    if (now - this.droppedLoggedAt >= 10_000) this.logDropped(now);
  }

  private logDropped(now: number): void {
    if (this.droppedSince === 0) return;
    this.log.warn({ dropped: this.droppedSince }, 'event queue full; dropped %d more events', this.droppedSince);
    this.droppedSince = 0;
    this.droppedLoggedAt = now;
  }

  /** event() with printf-style formatting of the message. */
  eventf(obj: Referable | ObjectReference, type: EventType, reason: string, fmt: string, ...args: unknown[]): void {
    this.event(obj, type, reason, format(fmt, ...args));
  }

  /** Resolves when every queued event has been written (or given up on). */
  flush(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops accepting events and waits for the queue to drain. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  private notifyIdle(): void {
    this.logDropped(this.now().getTime());
    if (this.queue.length) { this.running = this.drain().finally(() => { this.running = undefined; this.notifyIdle(); }); return; }
    for (const w of this.idleWaiters) w();
    this.idleWaiters = [];
  }

  private allowedBySpamFilter(ev: Event): boolean {
    const burst = this.o.spamBurst ?? 25;
    const refill = this.o.spamRefillMs ?? 300_000;
    const k = spamKey(ev);
    const now = this.now().getTime();
    let b = this.buckets.get(k);
    if (!b) b = { tokens: burst, last: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.last) / refill);
    b.last = now;
    lruSet(this.buckets, k, b, this.o.cacheSize ?? 4096);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /**
   * The event correlator: after 10 different messages for the same object and reason within 10 minutes
   * they are combined into one "(combined from similar events)" event; a repeat of an event already
   * written becomes a patch of count, lastTimestamp and message onto it.
   */
  correlate(ev: Event): { event: Event; key: string; patch?: { count: number; lastTimestamp: string; message: string } } {
    const max = this.o.cacheSize ?? 4096;
    const now = this.now();
    const aggKey = aggregateKey(ev);
    let agg = this.aggregates.get(aggKey);
    if (!agg || now.getTime() - agg.last > aggregateIntervalMs) agg = { messages: new Set(), last: 0 };
    agg.messages.add(ev.message ?? '');
    agg.last = now.getTime();
    lruSet(this.aggregates, aggKey, agg, max);
    let event = ev;
    let key = eventKey(ev);
    if (agg.messages.size >= aggregateMaxEvents) {
      agg.messages.delete(agg.messages.values().next().value!);
      const ts = timestamp(now);
      event = {
        ...ev,
        metadata: { name: eventName(ev.involvedObject.name, now, this.seq++), namespace: ev.metadata!.namespace },
        message: `(combined from similar events): ${ev.message}`,
        count: 1, firstTimestamp: ts, lastTimestamp: ts,
      };
      key = aggKey;
    }
    const prev = this.seen.get(key);
    if (!prev) {
      lruSet(this.seen, key, { name: event.metadata!.name!, namespace: event.metadata!.namespace!, count: 1, firstTimestamp: event.firstTimestamp! }, max);
      return { event, key };
    }
    const count = prev.count + 1;
    event = { ...event, metadata: { name: prev.name, namespace: prev.namespace }, count, firstTimestamp: prev.firstTimestamp };
    lruSet(this.seen, key, { ...prev, count }, max);
    return { event, key, patch: { count, lastTimestamp: event.lastTimestamp!, message: event.message! } };
  }

  private async drain(): Promise<void> {
    let ev: Event | undefined;
    while ((ev = this.queue.shift())) {
      try {
        const c = this.correlate(ev);
        if (!this.allowedBySpamFilter(c.event)) { this.log.debug({ reason: ev.reason }, 'event dropped by the spam filter'); continue; }
        await this.write(c.event, c.key, c.patch);
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'unable to write event');
      }
    }
  }

  /**
   * Creates the event, or patches the earlier one (re-creating it when it is gone). As upstream, a
   * refusal by the server is final; only transport errors are retried.
   */
  private async write(ev: Event, key: string, patch?: { count: number; lastTimestamp: string; message: string }): Promise<void> {
    const ns = ev.metadata!.namespace!;
    const tries = this.o.maxTries ?? 3;
    for (let i = 0; i < tries; i++) {
      try {
        let written: Event | undefined;
        if (patch) {
          try {
            written = await this.client.namespace(ns).patch(ev.metadata!.name!, patch, 'strategic');
          } catch (e) {
            if (!isNotFound(e)) throw e;
            written = await this.client.namespace(ns).create(ev as Typed<Event>);
          }
        } else {
          written = await this.client.namespace(ns).create(ev as Typed<Event>);
        }
        if (written) processLogStream()?.publishEvent(written);
        const cur = this.seen.get(key);
        if (cur && written?.metadata?.name === cur.name && typeof written.count === 'number') lruSet(this.seen, key, { ...cur, count: Math.max(cur.count, written.count) }, this.o.cacheSize ?? 4096);
        return;
      } catch (e) {
        if (e instanceof StatusError) {
          if (isAlreadyExists(e)) this.log.debug({ reason: ev.reason }, 'event already exists (will not retry)');
          else this.log.warn({ err: e.message, reason: ev.reason }, 'server rejected event (will not retry)');
          return;
        }
        if (i + 1 >= tries) throw e;
        await new Promise((r) => setTimeout(r, (this.o.retryDelayMs ?? 10_000) * (i === 0 ? Math.random() : 1)));
      }
    }
  }
}
