// The Kubernetes protobuf envelope: "k8s\0" followed by a runtime.Unknown whose raw bytes are the
// object's own message (apimachinery pkg/runtime/serializer/protobuf).
import { errors } from '../status.ts';
import { protoRoot, messageTypeFor } from './schema.ts';
import { messageToJSON } from './json.ts';
import { jsonToMessage } from './encode.ts';
import { undeclaredFields } from './unknown.ts';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export function hasProtobufMagic(data: Uint8Array): boolean {
  return data.length >= 4 && PROTOBUF_MAGIC.every((b, i) => data[i] === b);
}

/**
 * Decodes a protobuf-encoded Kubernetes object into its JSON shape (kind and apiVersion first).
 * Throws a 400 StatusError for malformed data and a 415 one for kinds without a schema here.
 */
export function decodeProtobufObject(data: Uint8Array): Record<string, unknown> {
  if (!hasProtobufMagic(data)) {
    throw errors.badRequest(`provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]`);
  }
  const unknownType = protoRoot().lookupType('k8ts.runtime.Unknown');
  let envelope: Record<string, unknown>;
  try {
    envelope = unknownType.decode(data.subarray(4)) as unknown as Record<string, unknown>;
  } catch (e) {
    throw errors.badRequest(`error decoding protobuf body: ${(e as Error).message}`);
  }
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  if (envelope.contentEncoding) throw errors.badRequest(`unsupported protobuf content encoding "${String(envelope.contentEncoding)}"`);
  const type = messageTypeFor(apiVersion, kind);
  if (!type) throw errors.unsupportedMediaType(`${PROTOBUF_MEDIA_TYPE} for ${apiVersion ? `${apiVersion}, Kind=` : 'Kind='}${kind}`);
  const raw = (envelope.raw as Uint8Array | undefined) ?? new Uint8Array();
  let msg: Record<string, unknown>;
  let undeclared: string[];
  try {
    msg = type.decode(raw) as unknown as Record<string, unknown>;
    // Status is written by controllers and ignored on create; elsewhere an undeclared field would be
    // lost, so refuse the body rather than store less than the client sent.
    undeclared = undeclaredFields(type, raw, type.name, (path) => path === `${type.name}.status`);
  } catch (e) {
    throw errors.badRequest(`error decoding ${kind} from protobuf: ${(e as Error).message}`);
  }
  if (undeclared.length > 0) {
    throw errors.badRequest(`the protobuf ${kind} has fields this server cannot decode (${undeclared.join(', ')}); send it as application/json`);
  }
  return { kind, apiVersion, ...(messageToJSON(type, msg) as Record<string, unknown>) };
}

/** Encodes a JSON-shaped object (with apiVersion and kind) in the Kubernetes protobuf envelope. */
export function encodeProtobufObject(obj: { apiVersion?: string; kind?: string } & Record<string, unknown>): Uint8Array {
  const apiVersion = obj.apiVersion ?? '';
  const kind = obj.kind ?? '';
  const type = messageTypeFor(apiVersion, kind);
  if (!type) throw errors.unsupportedMediaType(`${PROTOBUF_MEDIA_TYPE} for ${apiVersion}, Kind=${kind}`);
  const raw = type.encode(type.fromObject(jsonToMessage(type, obj))).finish();
  const unknownType = protoRoot().lookupType('k8ts.runtime.Unknown');
  const envelope = unknownType.encode(unknownType.fromObject({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })).finish();
  const out = new Uint8Array(4 + envelope.length);
  out.set(PROTOBUF_MAGIC, 0);
  out.set(envelope, 4);
  return out;
}
