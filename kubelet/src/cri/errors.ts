// Errors from CRI calls: the gRPC status code travels with the error so callers can decide
// (NOT_FOUND on remove is success, UNAVAILABLE means the runtime is down, ...).
import { status as Status } from '@grpc/grpc-js';

export type CriCode = keyof typeof Status;

export class CriError extends Error {
  /** Numeric gRPC status code. */
  readonly code: number;
  /** Its name, e.g. 'NOT_FOUND', 'UNAVAILABLE', 'DEADLINE_EXCEEDED'. */
  readonly codeName: string;
  readonly rpc: string;
  readonly details: string;
  constructor(rpc: string, code: number, details: string, message?: string) {
    const codeName = Status[code] ?? String(code);
    super(message ?? `CRI ${rpc}: ${codeName}: ${details}`);
    this.name = 'CriError';
    this.rpc = rpc;
    this.code = code;
    this.codeName = codeName;
    this.details = details;
  }
}

export function isCriError(err: unknown, codeName?: CriCode): err is CriError {
  return err instanceof CriError && (codeName === undefined || err.codeName === codeName);
}

export const isNotFound = (err: unknown): boolean => isCriError(err, 'NOT_FOUND');
export const isUnavailable = (err: unknown): boolean => isCriError(err, 'UNAVAILABLE');
