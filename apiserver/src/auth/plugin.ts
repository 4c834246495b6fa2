// The fastify plugin: authenticates every request in onRequest, sets request.user, and answers
// 401 Unauthorized / 403 Forbidden Statuses before any route runs.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '@k8ts/api/status.ts';
import type { StatusError } from '@k8ts/api/status.ts';
import { authenticate } from './authenticate.ts';
import type { Authorizer } from './authorize.ts';
import { authorize, forbiddenError } from './authorize.ts';
import { isAnonymousPath } from './paths.ts';
import type { RequestAttributes } from './requestinfo.ts';
import { requestAttributes } from './requestinfo.ts';
import type { TokenTable } from './tokenfile.ts';
import type { UserInfo } from './user.ts';
import { anonymous } from './user.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated (or, on public paths, anonymous) user. */
    user: UserInfo;
    /** What the request does, as the authorizer saw it. */
    attributes: RequestAttributes;
  }
}

export interface AuthPluginOptions {
  tokens?: TokenTable;
  /** Replaces the default (allow-all) authorizer. */
  authorizer?: Authorizer;
  /** Replaces the default list of paths open to anonymous requests. */
  anonymousPath?: (path: string) => boolean;
}

function sendStatus(reply: FastifyReply, err: StatusError): FastifyReply {
  return reply.code(err.code).header('content-type', 'application/json').send(err.status);
}

const auth: FastifyPluginAsync<AuthPluginOptions> = async (app, opts) => {
  const tokens: TokenTable = opts.tokens ?? new Map();
  const authorizer = opts.authorizer ?? authorize;
  const publicPath = opts.anonymousPath ?? isAnonymousPath;
  app.decorateRequest('user', null as unknown as UserInfo);
  app.decorateRequest('attributes', null as unknown as RequestAttributes);
  app.addHook('onRequest', async (request, reply) => {
    const attrs = requestAttributes(request.method, request.url);
    request.attributes = attrs;
    const result = authenticate(request.raw, { tokens });
    let user = result.user;
    if (!user) {
      if (result.error || !publicPath(attrs.path)) {
        request.log.debug({ path: attrs.path, error: result.error }, 'unauthorized request');
        return sendStatus(reply, errors.unauthorized());
      }
      user = anonymous();
    }
    request.user = user;
    const decision = authorizer(user, attrs);
    if (!decision.allowed) return sendStatus(reply, forbiddenError(user, attrs, decision.reason));
  });
};

export const authPlugin = fp(auth, { fastify: '5.x', name: 'k8ts-auth' });
