// Go's time.ParseDuration for flag values such as "1s", "500ms", "1m30s" (a bare number is seconds).
const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds; throws on malformed input. */
export function parseDuration(s: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  if (pos !== s.length || s.length === 0) throw new Error(`invalid duration "${s}"`);
  return total;
}
