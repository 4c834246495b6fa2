// Container logs as the kubelet serves them (upstream kuberuntime ReadLogs): records of a CRI log
// file rendered as the container wrote them, with tailLines, sinceTime, timestamps, limitBytes, and
// follow (keep reading while the container runs).
import { open, stat } from 'node:fs/promises';
import { parseCriLogLine, type CriLogLine } from '../cri/logs.ts';

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  /** Only records at or after this time (ms since the epoch). */
  sinceMs?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

/** Milliseconds of an RFC3339Nano timestamp (sub-ms digits dropped). */
export function logTimeMs(ts: string): number {
  return Date.parse(ts.replace(/(\.\d{3})\d*/, '$1'));
}

export function renderRecord(r: CriLogLine, timestamps: boolean): string {
  return `${timestamps ? `${r.timestamp} ` : ''}${r.content}${r.partial ? '' : '\n'}`;
}

/** Records of text filtered per options (tailLines counts whole lines, as upstream does). */
export function selectRecords(text: string, o: LogOptions): CriLogLine[] {
  let recs = text.split('\n').filter(Boolean).map(parseCriLogLine).filter((r): r is CriLogLine => !!r);
  if (o.sinceMs !== undefined) recs = recs.filter((r) => logTimeMs(r.timestamp) >= o.sinceMs!);
  if (o.tailLines !== undefined && o.tailLines >= 0) {
    let lines = 0;
    let start = recs.length;
    for (let i = recs.length - 1; i >= 0; i--) {
      if (!recs[i]!.partial) { if (lines === o.tailLines) break; lines++; }
      start = i;
    }
    recs = o.tailLines === 0 ? [] : recs.slice(start);
  }
  return recs;
}

export interface LogSink {
  write(s: string): boolean | void;
  closed(): boolean;
}

/**
 * Writes the log file at path to sink. With follow, keeps polling for appended records while
 * stillRunning() says so (and the sink is open).
 */
export async function streamLog(path: string, o: LogOptions, sink: LogSink, stillRunning: () => Promise<boolean>, pollMs = 250): Promise<void> {
  let budget = o.limitBytes ?? Infinity;
  const emit = (s: string): boolean => {
    if (budget <= 0) return false;
    const b = Buffer.from(s);
    if (b.length > budget) { sink.write(b.subarray(0, budget).toString()); budget = 0; return false; }
    budget -= b.length;
    sink.write(s);
    return true;
  };
  const fh = await open(path, 'r');
  try {
    let offset = 0;
    let rest = '';
    const readMore = async (): Promise<string> => {
      const size = (await stat(path)).size;
      if (size <= offset) return '';
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      const text = rest + buf.subarray(0, bytesRead).toString('utf8');
      const cut = text.lastIndexOf('\n');
      rest = text.slice(cut + 1);
      return text.slice(0, cut + 1);
    };
    for (const r of selectRecords(await readMore(), o)) if (!emit(renderRecord(r, o.timestamps ?? false))) return;
    if (!o.follow) return;
    const since = o.sinceMs;
    for (;;) {
      if (sink.closed()) return;
      const text = await readMore();
      for (const r of selectRecords(text, { sinceMs: since })) if (!emit(renderRecord(r, o.timestamps ?? false))) return;
      if (!text && !(await stillRunning())) {
        const last = await readMore();
        for (const r of selectRecords(last, { sinceMs: since })) if (!emit(renderRecord(r, o.timestamps ?? false))) return;
        return;
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    await fh.close();
  }
}
