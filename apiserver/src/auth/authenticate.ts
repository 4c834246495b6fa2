// Authentication: a verified TLS client certificate (CN = user, O = groups), else a bearer token from
// the static token table. Mirrors upstream's union of the x509 and token authenticators.
import type { TokenTable } from './tokenfile.ts';
import type { UserInfo } from './user.ts';
import { withAuthenticatedGroup } from './user.ts';

/** The parts of Node's PeerCertificate the authenticator reads. */
export interface PeerCertificateLike {
  subject?: Record<string, string | string[] | undefined>;
  ext_key_usage?: string[];
}

/** Structurally an `http.IncomingMessage` (over TLS: its socket is a `tls.TLSSocket`). */
export interface AuthenticationRequest {
  headers: Record<string, string | string[] | undefined>;
  /** A `net.Socket`; when it is a `tls.TLSSocket` its verified peer certificate is used. */
  socket: object;
}

interface TLSSocketLike {
  authorized?: boolean;
  authorizationError?: Error | string;
  getPeerCertificate?: (detailed?: boolean) => PeerCertificateLike | object | null;
}

export interface AuthenticationOptions {
  tokens: TokenTable;
}

export interface AuthenticationResult {
  user?: UserInfo;
  /** Credentials were presented and rejected (an upstream 401 even on public paths). */
  error?: string;
}

const clientAuthOID = '1.3.6.1.5.5.7.3.2';
const anyExtendedKeyUsageOID = '2.5.29.37.0';

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function fromClientCertificate(socket: TLSSocketLike): AuthenticationResult {
  if (typeof socket.getPeerCertificate !== 'function') return {};
  const cert = socket.getPeerCertificate(false) as PeerCertificateLike | null;
  if (!cert || !cert.subject) return {}; // no certificate presented
  if (!socket.authorized) {
    const why = socket.authorizationError ? String(socket.authorizationError) : 'not verified';
    return { error: `verifying client certificate failed: ${why}` };
  }
  const eku = cert.ext_key_usage;
  if (eku && eku.length && !eku.includes(clientAuthOID) && !eku.includes(anyExtendedKeyUsageOID)) {
    return { error: 'client certificate is not valid for client authentication (extKeyUsage clientAuth missing)' };
  }
  const cn = asList(cert.subject.CN)[0] ?? '';
  if (!cn) return {};
  return { user: { name: cn, groups: asList(cert.subject.O) } };
}

/** The bearer token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(headers: AuthenticationRequest['headers']): string | undefined {
  const raw = headers.authorization;
  const auth = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!auth) return undefined;
  const parts = auth.split(' ');
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer' || parts[1] === '') return undefined;
  return parts[1];
}

/** Authenticates with every method; the first that succeeds wins, errors count only when none does. */
export function authenticate(req: AuthenticationRequest, opts: AuthenticationOptions): AuthenticationResult {
  const errors: string[] = [];
  const byCert = fromClientCertificate(req.socket as TLSSocketLike);
  if (byCert.user) return { user: withAuthenticatedGroup(byCert.user) };
  if (byCert.error) errors.push(byCert.error);
  const token = bearerToken(req.headers);
  if (token !== undefined) {
    const user = opts.tokens.get(token);
    if (user) return { user: withAuthenticatedGroup({ ...user, groups: [...user.groups] }) };
    errors.push('invalid bearer token');
  }
  return errors.length ? { error: errors.join(', ') } : {};
}

/** The authenticated user of a request, or undefined (no or invalid credentials). */
export function authenticateRequest(req: AuthenticationRequest, opts: AuthenticationOptions): UserInfo | undefined {
  return authenticate(req, opts).user;
}
