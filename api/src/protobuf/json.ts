// Converts decoded protobuf messages to the Kubernetes JSON shape, as Go's encoding/json prints the
// same object: omitempty scalars dropped when zero, pointers kept when set, embedded structs inlined,
// Quantity/IntOrString/Time/MicroTime/FieldsV1/RawExtension/bytes in their JSON forms.
import protobuf from 'protobufjs';

/** How Go's JSON encoding treats a field, from the (go) option in api/proto. */
export type GoTreatment = 'ptr' | 'req' | 'inline' | undefined;

export function goTreatment(f: protobuf.Field): GoTreatment {
  return f.options?.['(go)'] as GoTreatment;
}

type Msg = Record<string, unknown>;

const has = (m: Msg, k: string) => Object.prototype.hasOwnProperty.call(m, k);

/** int64 values arrive as Long objects (or numbers); JSON wants numbers. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return Number(v);
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return 0;
}

function bytesToBase64(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  return typeof v === 'string' ? v : '';
}

function bytesToText(v: unknown): string {
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8') : '';
}

/** RFC 3339 in UTC; `fractionDigits` 0 for metav1.Time, 6 for MicroTime. */
export function formatTime(seconds: number, nanos: number, fractionDigits: 0 | 6): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (fractionDigits === 0) return `${base}Z`;
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

const SPECIAL: Record<string, (m: Msg) => unknown> = {
  '.k8ts.runtime.Quantity': (m) => (typeof m.string === 'string' && m.string !== '' ? m.string : '0'),
  '.k8ts.runtime.IntOrString': (m) => (toNumber(m.type) === 1 ? (m.strVal ?? '') : (m.intVal ?? 0)),
  '.k8ts.meta.Time': (m) => timeOrNull(m, 0),
  '.k8ts.meta.MicroTime': (m) => timeOrNull(m, 6),
  '.k8ts.meta.FieldsV1': (m) => rawJSON(m.Raw),
  '.k8ts.runtime.RawExtension': (m) => rawJSON(m.raw),
};

function timeOrNull(m: Msg, digits: 0 | 6): string | null {
  const s = toNumber(m.seconds ?? 0);
  const n = toNumber(m.nanos ?? 0);
  // Go writes the zero time as an empty message; it prints as null.
  return s === 0 && n === 0 ? null : formatTime(s, n, digits);
}

function rawJSON(raw: unknown): unknown {
  const text = bytesToText(raw);
  if (text === '') return null;
  try { return JSON.parse(text); } catch { return text; }
}

/** The JSON value of a field holding no value, for fields Go always prints. */
function zeroJSON(f: protobuf.Field): unknown {
  if (f.map || f.repeated) return null;
  if (f.resolvedType instanceof protobuf.Type) {
    const special = SPECIAL[f.resolvedType.fullName];
    return special ? special({}) : {};
  }
  switch (f.type) {
    case 'string': case 'bytes': return '';
    case 'bool': return false;
    default: return 0;
  }
}

function scalarJSON(f: protobuf.Field, v: unknown): unknown {
  switch (f.type) {
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return toNumber(v);
    case 'bytes': return bytesToBase64(v);
    default: return v;
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === null || v === undefined;
}

function valueJSON(f: protobuf.Field, v: unknown): unknown {
  return f.resolvedType instanceof protobuf.Type ? messageToJSON(f.resolvedType, v as Msg) : scalarJSON(f, v);
}

/** The Kubernetes JSON form of a decoded message of `type`. */
export function messageToJSON(type: protobuf.Type, msg: Msg): unknown {
  const special = SPECIAL[type.fullName];
  if (special) return special(msg);
  const out: Msg = {};
  for (const f of type.fieldsArray) {
    const go = goTreatment(f);
    const v = msg[f.name];
    if (f.map) {
      const entries = Object.entries((v as Msg | undefined) ?? {});
      if (entries.length === 0) { if (go === 'req') out[f.name] = null; continue; }
      out[f.name] = Object.fromEntries(entries.map(([k, x]) => [k, valueJSON(f, x)]));
    } else if (f.repeated) {
      const items = (v as unknown[] | undefined) ?? [];
      if (items.length === 0) { if (go === 'req') out[f.name] = null; continue; }
      out[f.name] = items.map((x) => valueJSON(f, x));
    } else if (!has(msg, f.name) || v === undefined || v === null) {
      if (go === 'req') out[f.name] = zeroJSON(f);
    } else if (f.resolvedType instanceof protobuf.Type) {
      const j = messageToJSON(f.resolvedType, v as Msg);
      if (go === 'inline') Object.assign(out, j as Msg);
      else out[f.name] = j;
    } else {
      const j = scalarJSON(f, v);
      if (go === 'ptr' || go === 'req' || !isZero(j)) out[f.name] = j;
    }
  }
  return out;
}
