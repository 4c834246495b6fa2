// JSON as kubectl prints it: Go's json.MarshalIndent(obj, "", "    ") of a map (keys sorted, HTML-safe escaping).

function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (cp < 0x20 || c === '<' || c === '>' || c === '&' || cp === 0x2028 || cp === 0x2029) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += c;
  }
  return out + '"';
}

function byteOrder(a: string, b: string): number {
  const x = Buffer.from(a), y = Buffer.from(b);
  return Buffer.compare(x, y);
}

function encode(v: unknown, indent: string, sorted = true): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const inner = indent + '    ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => inner + encode(x, inner, sorted)).join(',\n') + '\n' + indent + ']';
  }
  const m = v as Record<string, unknown>;
  const present = Object.keys(m).filter((k) => m[k] !== undefined);
  const keys = sorted ? present.sort(byteOrder) : present;
  if (keys.length === 0) return '{}';
  return '{\n' + keys.map((k) => `${inner}${quote(k)}: ${encode(m[k], inner, sorted)}`).join(',\n') + '\n' + indent + '}';
}

/** `kubectl -o json` output for one object (ends with a newline). */
export function toJson(v: unknown): string {
  return encode(v, '') + '\n';
}

/** json.MarshalIndent of a Go struct: keys in the order given (the struct's field order). */
export function toOrderedJson(v: unknown): string {
  return encode(v, '', false) + '\n';
}

/** Compact JSON with sorted keys (json.Marshal of a map): the last-applied-configuration encoding. */
export function toCompactJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v !== 'object') return typeof v === 'string' ? quote(v) : encode(v, '');
  if (Array.isArray(v)) return '[' + v.map(toCompactJson).join(',') + ']';
  const m = v as Record<string, unknown>;
  const keys = Object.keys(m).filter((k) => m[k] !== undefined).sort(byteOrder);
  return '{' + keys.map((k) => `${quote(k)}:${toCompactJson(m[k])}`).join(',') + '}';
}
