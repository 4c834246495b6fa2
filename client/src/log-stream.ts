// The cluster's log and event stream over NATS: the one module that talks to NATS.
// Each component publishes its log lines on `k8ts.logs.<node>.<component>` and the Events it records on
// `k8ts.events.<namespace>`; `k8ts logs -f` subscribes to both. The stream is a pino destination that
// never blocks and never throws: lines written before the connection is up are kept (up to a bound) and
// sent once it is; while NATS is away the client buffers and reconnects. The log file stays the record.
import type { NatsConnection, Subscription } from 'nats';

export const logsSubjectRoot = 'k8ts.logs';
export const eventsSubjectRoot = 'k8ts.events';

/** A NATS subject token: no dots, spaces or wildcards. */
export function subjectToken(s: string | undefined): string {
  const t = (s ?? '').replace(/[.\s*>]/g, '_');
  return t === '' ? '_' : t;
}

export function logSubject(node: string | undefined, component: string): string {
  return `${logsSubjectRoot}.${subjectToken(node)}.${subjectToken(component)}`;
}

export function eventSubject(namespace: string | undefined): string {
  return `${eventsSubjectRoot}.${subjectToken(namespace)}`;
}

export interface LogStreamOptions {
  /** nats://host:port */
  url: string;
  component: string;
  /** The node the component runs for (kubelet, kube-proxy); "_" for the control plane. */
  node?: string;
  /** Lines kept while not yet connected (default 10,000); older ones are dropped and counted. */
  maxPending?: number;
}

const encoder = new TextEncoder();

export class NatsLogStream {
  readonly subject: string;
  private readonly o: LogStreamOptions;
  private nc: NatsConnection | undefined;
  private pending: { subject: string; data: string }[] = [];
  private closed = false;
  /** Lines dropped because the pre-connection buffer was full. */
  dropped = 0;
  readonly connected: Promise<void>;

  constructor(o: LogStreamOptions) {
    this.o = o;
    this.subject = logSubject(o.node, o.component);
    this.connected = this.connect();
  }

  private async connect(): Promise<void> {
    const { connect } = await import('nats');
    let nc: NatsConnection | undefined;
    while (!nc && !this.closed) {
      try {
        nc = await connect({ servers: this.o.url, name: `${this.o.component}${this.o.node ? '@' + this.o.node : ''}`, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 1000, waitOnFirstConnect: true });
      } catch {
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
    if (!nc) return;
    if (this.closed) { await nc.close(); return; }
    this.nc = nc;
    for (const p of this.pending) this.publish(p.subject, p.data);
    this.pending = [];
  }

  private publish(subject: string, data: string): void {
    if (this.closed) return;
    if (!this.nc) {
      if (this.pending.length >= (this.o.maxPending ?? 10_000)) { this.pending.shift(); this.dropped++; }
      this.pending.push({ subject, data });
      return;
    }
    try { this.nc.publish(subject, encoder.encode(data)); } catch { this.dropped++; }
  }

  /** pino's DestinationStream: one JSON log line. */
  write(line: string): void {
    this.publish(this.subject, line.endsWith('\n') ? line.slice(0, -1) : line);
  }

  /** Publishes a core/v1 Event (as JSON) on the events subject of its namespace. */
  publishEvent(e: { metadata?: { namespace?: string }; involvedObject?: { namespace?: string } }): void {
    this.publish(eventSubject(e.metadata?.namespace ?? e.involvedObject?.namespace), JSON.stringify(e));
  }

  /** Sends what is buffered and waits for the server to have it (bounded by timeoutMs). */
  async flush(timeoutMs = 2000): Promise<void> {
    const nc = this.nc;
    if (!nc) return;
    await Promise.race([nc.flush().catch(() => undefined), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.nc?.close().catch(() => undefined);
  }
}

let processStream: NatsLogStream | undefined;

/** The process's stream (opened by createLogger when K8TS_NATS_URL is set), if any. */
export function processLogStream(): NatsLogStream | undefined { return processStream; }

/** Opens the process's stream once; later calls return the first one. */
export function openProcessLogStream(o: LogStreamOptions): NatsLogStream {
  processStream ??= new NatsLogStream(o);
  return processStream;
}

export interface StreamMessage { subject: string; data: string }

/**
 * Subscribes to subjects (wildcards allowed) and calls onMessage for each message until signal aborts.
 * Resolves once subscribed (the server has the interest), so nothing published afterwards is missed.
 */
export async function subscribeStream(url: string, subjects: string[], onMessage: (m: StreamMessage) => void, signal: AbortSignal): Promise<{ done: Promise<void> }> {
  const { connect } = await import('nats');
  const nc = await connect({ servers: url, name: 'k8ts-logs', reconnect: true, maxReconnectAttempts: -1 });
  const decoder = new TextDecoder();
  const subs: Subscription[] = subjects.map((s) => nc.subscribe(s));
  await nc.flush();
  const loops = subs.map(async (sub) => { for await (const m of sub) onMessage({ subject: m.subject, data: decoder.decode(m.data) }); });
  const stop = () => { void nc.close(); };
  if (signal.aborted) stop(); else signal.addEventListener('abort', stop, { once: true });
  return { done: Promise.all(loops).then(() => nc.closed()).then(() => undefined) };
}
