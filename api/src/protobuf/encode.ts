// The inverse of json.ts: builds a protobuf message of `type` from a Kubernetes JSON object, as a Go
// client would marshal it (used to answer and to test; fields the schema lacks are dropped).
import protobuf from 'protobufjs';
import { goTreatment, toNumber } from './json.ts';

type Msg = Record<string, unknown>;

function parseTime(v: unknown): Msg {
  if (typeof v !== 'string' || v === '') return {};
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return {};
  const frac = /\.(\d+)/.exec(v)?.[1] ?? '';
  return { seconds: Math.floor(ms / 1000), nanos: Number((frac + '000000000').slice(0, 9)) };
}

const SPECIAL: Record<string, (v: unknown) => Msg> = {
  '.k8ts.runtime.Quantity': (v) => ({ string: v === undefined || v === null ? '' : String(v) }),
  '.k8ts.runtime.IntOrString': (v) => (typeof v === 'string' ? { type: 1, strVal: v } : { type: 0, intVal: toNumber(v ?? 0) }),
  '.k8ts.meta.Time': parseTime,
  '.k8ts.meta.MicroTime': parseTime,
  '.k8ts.meta.FieldsV1': (v) => (v === undefined || v === null ? {} : { Raw: Buffer.from(JSON.stringify(v)) }),
  '.k8ts.runtime.RawExtension': (v) => (v === undefined || v === null ? {} : { raw: Buffer.from(JSON.stringify(v)) }),
};

function valueProto(f: protobuf.Field, v: unknown): unknown {
  if (f.resolvedType instanceof protobuf.Type) return jsonToMessage(f.resolvedType, v);
  if (f.type === 'bytes') return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
  return v;
}

/** A plain object ready for `type.fromObject` built from JSON `value`. */
export function jsonToMessage(type: protobuf.Type, value: unknown): Msg {
  const special = SPECIAL[type.fullName];
  if (special) return special(value);
  const obj = (value && typeof value === 'object' ? value : {}) as Msg;
  const out: Msg = {};
  for (const f of type.fieldsArray) {
    if (goTreatment(f) === 'inline' && f.resolvedType instanceof protobuf.Type) {
      out[f.name] = jsonToMessage(f.resolvedType, obj);
      continue;
    }
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.map) out[f.name] = Object.fromEntries(Object.entries(v as Msg).map(([k, x]) => [k, valueProto(f, x)]));
    else if (f.repeated) out[f.name] = (v as unknown[]).map((x) => valueProto(f, x));
    else out[f.name] = valueProto(f, v);
  }
  return out;
}
