// EventRecorder: core/v1 Events as client-go's tools/record writes them. Repeats of the same
// (object, type, reason, message) become a PATCH of count/lastTimestamp on the first Event (the event
// correlator's logger); a per-object token bucket drops spam. Recording never blocks and never throws.
import { format } from 'node:util';
import { hostname } from 'node:os';
import type { Event, ObjectReference } from 'kubernetes-types/core/v1';
import { isNotFound, isAlreadyExists, StatusError } from '@k8ts/api/status.ts';
import type { Logger } from 'pino';
import type { ResourceClient } from './resource-client.ts';
import type { Typed } from './clientset.ts';
import { silentLogger } from './log.ts';

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

/** The correlator's key: everything but the timestamps and count. */
function eventKey(e: Event): string {
  const r = e.involvedObject;
  return [e.source?.component, e.source?.host, r.kind, r.namespace, r.name, r.fieldPath, r.uid, r.apiVersion, e.type, e.reason, e.message].join('\u0000');
}

function spamKey(e: Event): string {
  const r = e.involvedObject;
  return [e.source?.component, e.source?.host, r.kind, r.namespace, r.name, r.fieldPath, r.uid, r.apiVersion].join('\u0000');
}

export class EventRecorder {
  private readonly client: EventsClient;
  private readonly o: EventRecorderOptions;
  private readonly log: Logger;
  private readonly queue: Event[] = [];
  private readonly seen = new Map<string, Seen>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly host: string;
  private running: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private seq = 0;

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
      const ts = t.toISOString().replace(/\.\d{3}Z$/, 'Z');
      const ns = ref.namespace || 'default';
      const ev: Event = {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: `${ref.name}.${(BigInt(t.getTime()) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`, namespace: ns },
        involvedObject: ref,
        reason, message, type,
        source: { component: this.o.component, host: this.host },
        firstTimestamp: ts, lastTimestamp: ts, count: 1,
        reportingComponent: this.o.component,
        reportingInstance: this.host,
      };
      if (this.queue.length >= (this.o.queueSize ?? 1000)) {
        this.log.warn({ reason, object: `${ns}/${ref.name}` }, 'event queue full; dropping event');
        return;
      }
      this.queue.push(ev);
      if (!this.running) this.running = this.drain().finally(() => { this.running = undefined; this.notifyIdle(); });
    } catch (e) {
      this.log.error({ err: (e as Error).message, reason }, 'could not record event');
    }
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
    if (!b) { b = { tokens: burst, last: now }; this.buckets.set(k, b); }
    b.tokens = Math.min(burst, b.tokens + (now - b.last) / refill);
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private async drain(): Promise<void> {
    let ev: Event | undefined;
    while ((ev = this.queue.shift())) {
      try {
        if (!this.allowedBySpamFilter(ev)) { this.log.debug({ reason: ev.reason }, 'event dropped by the spam filter'); continue; }
        await this.write(ev);
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'unable to write event');
      }
    }
  }

  private remember(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    const max = this.o.cacheSize ?? 4096;
    if (this.seen.size > max) this.seen.delete(this.seen.keys().next().value!);
  }

  /** Creates the event, or patches count/lastTimestamp onto the earlier identical one. */
  private async write(ev: Event): Promise<void> {
    const key = eventKey(ev);
    const prev = this.seen.get(key);
    const tries = this.o.maxTries ?? 3;
    for (let i = 0; i < tries; i++) {
      try {
        if (prev) {
          const count = prev.count + 1;
          try {
            await this.client.namespace(prev.namespace).patch(prev.name,
              { count, lastTimestamp: ev.lastTimestamp, message: ev.message }, 'strategic');
            this.remember(key, { ...prev, count });
            return;
          } catch (e) {
            if (!isNotFound(e)) throw e;
            // The earlier event is gone (expired): create it again, keeping the history.
            const again: Event = { ...ev, metadata: { name: prev.name, namespace: prev.namespace }, count, firstTimestamp: prev.firstTimestamp };
            await this.client.namespace(prev.namespace).create(again as Typed<Event>);
            this.remember(key, { ...prev, count });
            return;
          }
        }
        const created = await this.client.namespace(ev.metadata!.namespace!).create(ev as Typed<Event>);
        this.remember(key, { name: created?.metadata?.name ?? ev.metadata!.name!, namespace: ev.metadata!.namespace!, count: 1, firstTimestamp: ev.firstTimestamp! });
        return;
      } catch (e) {
        if (isAlreadyExists(e) || (e instanceof StatusError && e.code >= 400 && e.code < 500 && e.code !== 429)) {
          this.log.warn({ err: (e as Error).message, reason: ev.reason }, 'server rejected event (will not retry)');
          return;
        }
        if (i + 1 >= tries) throw e;
        await new Promise((r) => setTimeout(r, (this.o.retryDelayMs ?? 1000) * (i === 0 ? Math.random() : 1)));
      }
    }
  }
}
