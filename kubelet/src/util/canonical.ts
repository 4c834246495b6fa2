// Canonical JSON: sorted keys, no undefined/null/empty-object members; optional keys to ignore.
export function canonicalJson(v: unknown, ignore: ReadonlySet<string> = new Set()): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x, ignore)).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([k, x]) => x !== undefined && x !== null && !ignore.has(k)
        && !(typeof x === 'object' && !Array.isArray(x) && Object.keys(x as object).length === 0))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x, ignore)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
