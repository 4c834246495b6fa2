// The CRI container log format runtimes write under the pod's log directory:
//   <RFC3339Nano timestamp> <stdout|stderr> <P|F> <content>
// P marks a partial line (the runtime split a long line), F a full one.

export type LogStream = 'stdout' | 'stderr';

export interface CriLogLine {
  /** RFC3339Nano as written by the runtime. */
  timestamp: string;
  stream: LogStream;
  /** True for a P(artial) record that the next record of the same stream continues. */
  partial: boolean;
  content: string;
}

export function parseCriLogLine(line: string): CriLogLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([PF])(?: (.*))?$/s.exec(line);
  if (!m) return undefined;
  return { timestamp: m[1]!, stream: m[2] as LogStream, partial: m[3] === 'P', content: m[4] ?? '' };
}

/**
 * Parses a log file's text into whole lines per stream: partial records are joined with the records
 * that complete them; malformed lines are skipped (as the kubelet does).
 */
export function parseCriLog(text: string): CriLogLine[] {
  const out: CriLogLine[] = [];
  const pending: Partial<Record<LogStream, CriLogLine>> = {};
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const rec = parseCriLogLine(raw);
    if (!rec) continue;
    const prev = pending[rec.stream];
    const merged = prev ? { ...prev, content: prev.content + rec.content, partial: rec.partial } : rec;
    if (merged.partial) pending[rec.stream] = merged;
    else { delete pending[rec.stream]; out.push(merged); }
  }
  for (const rest of Object.values(pending)) if (rest) out.push(rest);
  return out;
}
