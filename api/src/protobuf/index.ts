export { decodeProtobufObject, encodeProtobufObject, hasProtobufMagic, PROTOBUF_MEDIA_TYPE, PROTOBUF_MAGIC } from './codec.ts';
export { messageTypeFor, protoRoot } from './schema.ts';
export { messageToJSON, formatTime } from './json.ts';
export { jsonToMessage } from './encode.ts';
export { undeclaredFields } from './unknown.ts';
