// `k8ts logs -f`: the cluster's live log and event stream from NATS, one readable line per message.
import { subscribeStream, logsSubjectRoot, eventsSubjectRoot, type StreamMessage } from '@k8ts/client/log-stream.ts';

const levels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const skip = new Set(['level', 'time', 'pid', 'hostname', 'name', 'component', 'node', 'msg']);

function clock(t: number | string | undefined): string {
  const d = t === undefined ? new Date() : new Date(t);
  return d.toISOString().slice(11, 23);
}

function value(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

/** One stream message as a line: `12:00:01.123 node-2/kubelet INFO msg key=value ...`, or an Event. */
export function formatStreamMessage(m: StreamMessage): string {
  let o: Record<string, unknown>;
  try { o = JSON.parse(m.data) as Record<string, unknown>; } catch { return `${clock(undefined)} ${m.subject} ${m.data}`; }
  if (m.subject.startsWith(`${eventsSubjectRoot}.`)) {
    const r = (o.involvedObject ?? {}) as { kind?: string; namespace?: string; name?: string };
    const src = (o.source ?? {}) as { component?: string; host?: string };
    const count = typeof o.count === 'number' && o.count > 1 ? ` (x${o.count})` : '';
    return `${clock(o.lastTimestamp as string | undefined)} event ${r.kind?.toLowerCase()}/${r.namespace ? r.namespace + '/' : ''}${r.name} ${o.type} ${o.reason}: ${o.message}${count} [${src.component}${src.host ? '@' + src.host : ''}]`;
  }
  const [, , node, component] = m.subject.split('.');
  const where = node && node !== '_' ? `${node}/${component}` : component;
  const fields = Object.entries(o).filter(([k]) => !skip.has(k)).map(([k, v]) => `${k}=${value(v)}`).join(' ');
  return `${clock(o.time as number | undefined)} ${where} ${levels[o.level as number] ?? o.level} ${o.msg ?? ''}${fields ? ' ' + fields : ''}`;
}

/**
 * The subjects for a filter: everything; one component on every node ("kubelet", "kube-scheduler");
 * or everything of one node ("k8ts-worker").
 */
export function subjectsFor(filter: string | undefined, nodeNames: string[]): string[] {
  if (!filter) return [`${logsSubjectRoot}.>`, `${eventsSubjectRoot}.>`];
  if (nodeNames.includes(filter)) return [`${logsSubjectRoot}.${filter}.>`];
  return [`${logsSubjectRoot}.*.${filter}`];
}

/** Prints the stream until signal aborts. Resolves once subscribed, with the end of the stream. */
export async function followLogs(url: string, subjects: string[], print: (line: string) => void, signal: AbortSignal): Promise<{ done: Promise<void> }> {
  return subscribeStream(url, subjects, (m) => print(formatStreamMessage(m)), signal);
}
