// Loads kubelet/proto/api.proto once for both the CRI client and the fake CRI server.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const protoPath = fileURLToPath(new URL('../../proto/api.proto', import.meta.url));

/** One encoding for both sides: camelCase names, enum names as strings, int64 as numbers, full defaults. */
export const loaderOptions: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

export interface RuntimeV1 {
  RuntimeService: grpc.ServiceClientConstructor;
  ImageService: grpc.ServiceClientConstructor;
}

let loaded: RuntimeV1 | undefined;

export function runtimeV1(): RuntimeV1 {
  if (!loaded) {
    const def = protoLoader.loadSync(protoPath, loaderOptions);
    const pkg = grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: RuntimeV1 } };
    loaded = pkg.runtime.v1;
  }
  return loaded;
}

/** 16 MiB, the kubelet's CRI message size limit. */
export const maxMsgSize = 16 * 1024 * 1024;
