// How kubectl reports errors (cmdutil.CheckErr / StandardErrorMessage): the text on stderr and the exit code.
import { StatusError } from '@k8ts/api/status.ts';
import type { StatusCause } from '@k8ts/api/status.ts';

/** Several independent errors (utilerrors.Aggregate): printed one per line. */
export class AggregateError extends Error {
  readonly errors: unknown[];
  constructor(errors: unknown[]) {
    super(errors.map((e) => (e instanceof Error ? e.message : String(e))).join(', '));
    this.errors = errors;
  }
}

/** An error whose message is printed as is (no "error: " prefix is added when it already has one). */
export class UsageError extends Error {
  readonly command: string;
  constructor(message: string, command: string) {
    super(message);
    this.command = command;
  }
}

/** Exit without printing anything more (the command already reported). */
export class ExitError extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

/** A flag error cobra reports before the command runs (component-base logs it through klog). */
export class FlagError extends Error {}

/** clientcmd's invalid configuration: "Error in configuration: ...". */
export class ConfigurationError extends Error {
  readonly errors: string[];
  constructor(errors: string[]) {
    super(errors.join(', '));
    this.errors = errors;
  }
}

/** meta.NoResourceMatchError. */
export class NoResourceMatchError extends Error {
  readonly resource: string;
  constructor(resource: string) {
    super(`the server doesn't have a resource type "${resource}"`);
    this.resource = resource;
  }
}

/** meta.NoKindMatchError. */
export class NoKindMatchError extends Error {
  constructor(kind: string, group: string, version: string) {
    super(`no matches for kind "${kind}" in version "${group ? group + '/' : ''}${version}"`);
  }
}

/** AddSourceToErr: "error when creating "pod.yaml": ..." keeping a server Status a Status. */
export function addSourceToErr(verb: string, source: string | undefined, err: unknown): unknown {
  if (!source) return err;
  if (err instanceof StatusError) {
    return new StatusError({ ...err.status, message: `error when ${verb} "${source}": ${err.status.message ?? ''}` });
  }
  return new Error(`error when ${verb} "${source}": ${err instanceof Error ? err.message : String(err)}`);
}

function isConnectionError(e: unknown): e is Error & { code: string; address?: string; port?: number } {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string';
}

/** StandardErrorMessage: the text for Status errors and connection failures, or undefined. */
export function standardErrorMessage(err: unknown, server?: string): string | undefined {
  if (err instanceof StatusError) {
    const s = err.status;
    if (s.reason === 'Unauthorized') return `error: You must be logged in to the server (${s.message})`;
    if (s.reason) return `Error from server (${s.reason}): ${s.message}`;
    return `Error from server: ${s.message}`;
  }
  if (isConnectionError(err) && err.code === 'ECONNREFUSED' && server) {
    return `The connection to the server ${new URL(server).host} was refused - did you specify the right host or port?`;
  }
  if (isConnectionError(err) && isTransportFailure(err.code)) return `Unable to connect to the server: ${goTransportMessages[err.code] ?? err.message}`;
  return undefined;
}

const unknownAuthority = 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
/** Go's words for the transport failures whose Node messages differ most. */
const goTransportMessages: Record<string, string> = {
  ERR_TLS_HANDSHAKE_TIMEOUT: 'net/http: TLS handshake timeout',
  SELF_SIGNED_CERT_IN_CHAIN: unknownAuthority,
  DEPTH_ZERO_SELF_SIGNED_CERT: unknownAuthority,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: unknownAuthority,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: unknownAuthority,
  UNABLE_TO_GET_ISSUER_CERT: unknownAuthority,
};
const transportCodes = new Set(['ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** A failure to reach the server (url.Error in client-go): the network, TLS or the certificate. */
function isTransportFailure(code: string): boolean {
  return code in goTransportMessages || transportCodes.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_');
}

function messageForError(err: unknown, server?: string): string {
  return standardErrorMessage(err, server) ?? (err instanceof Error ? err.message : String(err));
}

function causesMessages(causes: StatusCause[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of causes) {
    const m = `${c.field ?? ''}: ${c.message ?? ''}`;
    if (seen.has(m)) continue;
    seen.add(m);
    out.push(m);
  }
  return out;
}

function multiline(prefix: string, errs: string[]): string {
  if (errs.length === 1) return `${prefix}${errs[0]}\n`;
  return `${prefix}\n` + errs.map((e) => `* ${e}\n`).join('');
}

/** checkErr: the stderr text and exit code for an error a command returned. */
export function formatError(err: unknown, server?: string): { message: string; code: number } {
  if (err instanceof AggregateError && err.errors.length === 1) err = err.errors[0];
  if (err instanceof ExitError) return { message: '', code: err.code };
  if (err instanceof StatusError && err.status.reason === 'Invalid') {
    const d = err.status.details;
    let s = 'The request is invalid';
    if (!d) return { message: s, code: 1 };
    if (d.kind || d.name) s = `The ${d.kind ?? ''} "${d.name ?? ''}" is invalid`;
    if (d.causes?.length) return { message: multiline(s + ': ', causesMessages(d.causes)), code: 1 };
    return { message: s, code: 1 };
  }
  if (err instanceof FlagError) {
    const d = new Date();
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const ts = `${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
    return { message: `E${ts} ${String(process.pid).padStart(7)} run.go:72] "command failed" err=${JSON.stringify(err.message)}`, code: 1 };
  }
  if (err instanceof ConfigurationError) return { message: multiline('Error in configuration: ', err.errors), code: 1 };
  if (err instanceof NoResourceMatchError) return { message: `error: ${err.message}`, code: 1 };
  if (err instanceof AggregateError) {
    return { message: err.errors.map((e) => messageForError(e, server) + '\n').join(''), code: 1 };
  }
  const std = standardErrorMessage(err, server);
  if (std) return { message: std, code: 1 };
  let msg = err instanceof Error ? err.message : String(err);
  if (!msg.startsWith('error: ')) msg = `error: ${msg}`;
  if (err instanceof UsageError) msg += `\nSee 'kubectl ${err.command} -h' for help and examples`;
  return { message: msg, code: 1 };
}
