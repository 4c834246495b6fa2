// Finds fields on the wire that this server's schema (api/proto) does not declare: protobufjs skips
// them silently, which would drop data that the JSON path keeps.
import protobuf from 'protobufjs';

/** Paths ("Pod.spec.volumes.volumeSource#3") of undeclared fields in `data`, a message of `type`. */
export function undeclaredFields(type: protobuf.Type, data: Uint8Array, path: string = type.name, skip: (path: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const r = protobuf.Reader.create(data);
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wire = tag & 7;
    const f = type.fieldsById[id];
    if (!f) { out.push(`${path}#${id}`); r.skipType(wire); continue; }
    const at = `${path}.${f.name}`;
    if (wire !== 2 || !(f.resolvedType instanceof protobuf.Type) || skip(at)) { r.skipType(wire); continue; }
    const bytes = r.bytes();
    if (!f.map) { out.push(...undeclaredFields(f.resolvedType, bytes, at, skip)); continue; }
    // A map entry: key = 1, value = 2.
    const e = protobuf.Reader.create(bytes);
    while (e.pos < e.len) {
      const t = e.uint32();
      if (t >>> 3 === 2 && (t & 7) === 2) out.push(...undeclaredFields(f.resolvedType, e.bytes(), `${at}[]`, skip));
      else e.skipType(t & 7);
    }
  }
  return out;
}
