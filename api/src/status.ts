// The Kubernetes metav1.Status error shape, and the errors every component raises and recognises.
import type { Status, StatusCause } from 'kubernetes-types/meta/v1';

export type { Status, StatusCause };

export type StatusReason =
  | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid' | 'BadRequest' | 'MethodNotAllowed'
  | 'Forbidden' | 'Unauthorized' | 'Gone' | 'Expired' | 'RequestEntityTooLarge' | 'UnsupportedMediaType'
  | 'NotAcceptable' | 'TooManyRequests' | 'InternalError' | 'Timeout' | 'ServiceUnavailable' | '';

export interface StatusDetails { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number }

/** An error that carries a Kubernetes Status; the API server answers with it, the client throws it. */
export class StatusError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message ?? status.reason ?? 'error');
    this.name = 'StatusError';
    this.status = status;
  }
  get code(): number { return this.status.code ?? 500; }
  get reason(): StatusReason { return (this.status.reason ?? '') as StatusReason; }
}

export function statusError(code: number, reason: StatusReason, message: string, details?: StatusDetails): StatusError {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return new StatusError(status);
}

/** "pods" in group "" → "pods"; "deployments" in "apps" → "deployments.apps" (as upstream's qualified resource). */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const errors = {
  notFound: (group: string, resource: string, name: string) =>
    statusError(404, 'NotFound', `${qualifiedResource(group, resource)} "${name}" not found`, { name, group, kind: resource }),
  alreadyExists: (group: string, resource: string, name: string) =>
    statusError(409, 'AlreadyExists', `${qualifiedResource(group, resource)} "${name}" already exists`, { name, group, kind: resource }),
  conflict: (group: string, resource: string, name: string, why: string) =>
    statusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`, { name, group, kind: resource }),
  /** 422: "The Pod "bad" is invalid: spec.containers[0].image: Required value". */
  invalid: (group: string, kind: string, name: string, causes: FieldError[]) =>
    statusError(422, 'Invalid', `${kind}${group ? '.' + group : ''} "${name}" is invalid: ${formatCauses(causes)}`, {
      name, group, kind, causes: causes.map((c) => ({ reason: c.type, message: causeMessage(c), field: c.field })),
    }),
  badRequest: (message: string) => statusError(400, 'BadRequest', message),
  methodNotAllowed: (message: string) => statusError(405, 'MethodNotAllowed', message),
  forbidden: (message: string) => statusError(403, 'Forbidden', message),
  unauthorized: () => statusError(401, 'Unauthorized', 'Unauthorized'),
  gone: (message: string) => statusError(410, 'Expired', message),
  tooLarge: (message = 'the request body is too large') => statusError(413, 'RequestEntityTooLarge', message),
  unsupportedMediaType: (type: string) => statusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${type})`),
  tooManyRequests: (message: string, retryAfterSeconds = 1) => statusError(429, 'TooManyRequests', message, { retryAfterSeconds }),
  internal: (message: string) => statusError(500, 'InternalError', `Internal error occurred: ${message}`),
  timeout: (message: string) => statusError(504, 'Timeout', message),
  serviceUnavailable: (message: string) => statusError(503, 'ServiceUnavailable', message),
};

// ---- field errors, as upstream's field.ErrorList ----

export type FieldErrorType =
  | 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueDuplicate'
  | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueTypeInvalid' | 'FieldValueNotFound';

export interface FieldError { type: FieldErrorType; field: string; value?: unknown; detail?: string; supported?: string[] }

const typeText: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotFound: 'Not found',
};

function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'null';
  // A list of strings is a Go []string, printed with %#v (a Service's clusterIPs, for one).
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  return JSON.stringify(v);
}

/** The text after "field: " as upstream prints it, e.g. `Invalid value: "Bad_Name": a lowercase RFC 1123 ...`. */
export function causeMessage(e: FieldError): string {
  const t = typeText[e.type];
  switch (e.type) {
    case 'FieldValueRequired':
    case 'FieldValueForbidden':
    case 'FieldValueTooLong':
    case 'FieldValueTooMany':
      return e.detail ? `${t}: ${e.detail}` : t;
    case 'FieldValueNotSupported': {
      const s = e.supported?.length ? `: supported values: ${e.supported.map((x) => JSON.stringify(x)).join(', ')}` : '';
      return `${t}: ${showValue(e.value)}${s}`;
    }
    default:
      return e.detail ? `${t}: ${showValue(e.value)}: ${e.detail}` : `${t}: ${showValue(e.value)}`;
  }
}

export function formatCauses(causes: FieldError[]): string {
  const parts = causes.map((c) => `${c.field}: ${causeMessage(c)}`);
  return parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
}

export const field = {
  required: (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail }),
  invalid: (field: string, value: unknown, detail?: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail }),
  notSupported: (field: string, value: unknown, supported: string[]): FieldError => ({ type: 'FieldValueNotSupported', field, value, supported }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value }),
  notFound: (field: string, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field, value }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail }),
  tooLong: (field: string, value: unknown, max: number): FieldError => ({ type: 'FieldValueTooLong', field, value, detail: `may not be more than ${max} bytes` }),
};

export function isStatusError(e: unknown): e is StatusError { return e instanceof StatusError; }
export function isNotFound(e: unknown): boolean { return e instanceof StatusError && e.code === 404; }
export function isConflict(e: unknown): boolean { return e instanceof StatusError && e.status.reason === 'Conflict'; }
export function isAlreadyExists(e: unknown): boolean { return e instanceof StatusError && e.status.reason === 'AlreadyExists'; }
