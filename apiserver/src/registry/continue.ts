// The opaque `continue` token of paged lists (base64 JSON, as upstream encodes it).
import { errors } from '@k8ts/api';

interface Token { v: string; rv: number; start: string }

export function encodeContinue(revision: number, lastKey: string, prefix: string): string {
  const t: Token = { v: 'meta.k8s.io/v1', rv: revision, start: lastKey.slice(prefix.length) + '\u0000' };
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

export function decodeContinue(token: string, prefix: string): { revision: number; startAfter: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString()) as Token;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string' || !t.start.endsWith('\u0000')) throw new Error();
    return { revision: t.rv, startAfter: prefix + t.start.slice(0, -1) };
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
