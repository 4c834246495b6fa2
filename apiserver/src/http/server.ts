// The API server's HTTP(S) front: fastify with Kubernetes content handling, errors as Status, and routes.
import type { Http2SecureServer, Http2Session } from 'node:http2';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { errors, StatusError } from '@k8ts/api';
import type { Registry } from '../registry/index.ts';
import { parseApiPath, type ApiPath } from './path.ts';
import { serveResource, verbOf, type PodProxy } from './rest.ts';
import { aggregatedDiscovery } from './negotiate.ts';
import * as discovery from './discovery.ts';
import { openapiDoc, openapiRoot } from './openapi.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { requestAttributes, forbiddenError, type AuthorizationAttributes, type UserInfo } from '../auth/index.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** How long an idle HTTP/1.1 connection is kept open: upstream's http.Server IdleTimeout. */
export const IDLE_TIMEOUT_MS = 90_000;


export interface ServerOptions {
  registry: Registry;
  https?: { key: string; cert: string; ca?: string };
  /** Who is asking: undefined = anonymous (401 except health and version). */
  authenticate?: (req: FastifyRequest) => UserInfo | undefined;
  /** The single authorization step; everything is allowed when absent. */
  authorize?: (user: UserInfo, attrs: AuthorizationAttributes) => { allowed: boolean; reason?: string };
  /** Address reported in /api's serverAddressByClientCIDRs. */
  serverAddress?: string;
  logger?: boolean | object;
  /** Log every request (fastify's "incoming request"/"request completed"); upstream's httplog does so from -v=3. */
  logRequests?: boolean;
  metrics?: Metrics;
  bookmarkIntervalMs?: number;
  podProxy?: PodProxy;
  /** Health of the storage, for /readyz and /healthz. */
  storageHealthy?: () => Promise<boolean>;
}

const ANONYMOUS_PATHS = /^\/(healthz|livez|readyz)(\/.*)?$|^\/version\/?$/;

export async function createServer(o: ServerOptions): Promise<FastifyInstance> {
  const metrics = o.metrics ?? createMetrics();
  // A ready pino logger (the component's, which may also stream over NATS) or fastify's logger options.
  const ownLogger = typeof (o.logger as { child?: unknown } | undefined)?.child === 'function';
  const app = Fastify({
    ...(ownLogger ? { loggerInstance: o.logger } : { logger: o.logger ?? false }),
    logController: new LogController({ disableRequestLogging: !o.logRequests }),
    // A child logger per request (with its request id) only when requests are logged; else the server's own.
    ...(o.logRequests ? {} : { childLoggerFactory: (logger: unknown) => logger }),
    bodyLimit: MAX_BODY_BYTES,
    // HTTP/2 where the client offers it (kubectl and every Go client do, as against upstream), HTTP/1.1 otherwise
    // (and for upgrades: exec, attach, port-forward).
    ...(o.https ? {
      http2: true,
      https: {
        key: o.https.key, cert: o.https.cert, ca: o.https.ca, requestCert: true, rejectUnauthorized: false, allowHTTP1: true,
        // No Nagle delay on any connection, as Go's servers. Node sets TCP_NODELAY on HTTP/2 connections but not on the
        // HTTP/1.1 ones an HTTP/2 server accepts: there, a watch event written while the last one was still unacknowledged
        // waited for the client's delayed ACK (up to 40 ms).
        noDelay: true,
        // Request bodies up to the 3 MiB limit arrive without waiting on window updates.
        settings: { initialWindowSize: 4 * 1024 * 1024 },
        maxSessionMemory: 256,
      },
      // Watches are quiet for as long as nothing changes: an HTTP/2 connection is not timed out for idling.
      http2SessionTimeout: 0,
    } : { https: null }),
    keepAliveTimeout: IDLE_TIMEOUT_MS,
    requestTimeout: 0,
    connectionTimeout: 0,
    forceCloseConnections: true,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  // fastify applies its keepAliveTimeout and requestTimeout to HTTP/1.1 servers only; the HTTP/1.1 connections an HTTP/2
  // server accepts kept Node's defaults: idle ones were closed after 5 s, and a client reusing one at that moment got
  // ECONNRESET (a POST cannot be sent again safely). Upstream keeps them 90 s and gives a request body no deadline.
  if (o.https) Object.assign(app.server, { keepAliveTimeout: IDLE_TIMEOUT_MS, requestTimeout: 0 });

  // On close, HTTP/2 connections go at once, as HTTP/1.1 ones do (forceCloseConnections): a watch never ends by itself.
  const sessions = new Set<Http2Session>();
  (app.server as unknown as Http2SecureServer).on('session', (s) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  app.addHook('preClose', (done) => {
    for (const s of sessions) s.destroy();
    done();
  });

  // Bodies are decoded by the handlers (JSON, YAML, patches), so every content type arrives as text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));
  // Protobuf bodies are binary: keep them as a Buffer for decodeBody.
  app.addContentTypeParser('application/vnd.kubernetes.protobuf', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, req, reply) => sendError(reply, err, req));
  app.setNotFoundHandler((req, reply) => sendError(reply, statusNotFound(), req));

  app.addHook('onRequest', async (req, reply) => {
    (req as { startedAt?: bigint }).startedAt = process.hrtime.bigint();
    const path = req.url.split('?')[0];
    if (ANONYMOUS_PATHS.test(path)) return;
    const user = o.authenticate ? authenticateCached(req, o.authenticate) : { name: 'system:anonymous-allowed', groups: ['system:authenticated'] };
    if (!user) return sendError(reply, errors.unauthorized(), req);
    (req as { user?: UserInfo }).user = user;
    if (o.authorize) {
      const attrs = requestAttributes(req.method, req.url);
      const d = o.authorize(user, attrs);
      if (!d.allowed) return sendError(reply, forbiddenError(user, attrs, d.reason), req);
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    const parsed = apiPathOf(req);
    const resource = parsed.kind === 'resource' ? parsed.path.info.resource : '';
    const sub = parsed.kind === 'resource' ? parsed.path.subresource ?? '' : '';
    const verb = parsed.kind === 'resource' ? verbOf(req.method, parsed.path, req.query as Record<string, string>) : req.method.toLowerCase();
    metrics.requests.inc({ verb, resource, subresource: sub, code: String(reply.statusCode) });
    const t0 = (req as { startedAt?: bigint }).startedAt;
    if (t0 && verb !== 'watch') metrics.latency.observe({ verb, resource }, Number(process.hrtime.bigint() - t0) / 1e9);
  });

  const healthy = async () => (o.storageHealthy ? o.storageHealthy().catch(() => false) : true);
  for (const p of ['/healthz', '/livez', '/readyz']) {
    app.get(p, async (_req, reply) => {
      const ok = await healthy();
      reply.code(ok ? 200 : 500).type('text/plain; charset=utf-8');
      return ok ? 'ok' : `[-]etcd failed: reason withheld\n${p.slice(1)} check failed`;
    });
    app.get(`${p}/*`, async (_req, reply) => {
      const ok = await healthy();
      reply.code(ok ? 200 : 500).type('text/plain; charset=utf-8');
      return ok ? 'ok' : 'failed';
    });
  }
  app.get('/version', async () => discovery.versionInfo());
  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/openapi/v3', async () => openapiRoot());
  app.get('/openapi/v3/*', async (req, reply) => {
    const path = req.url.split('?')[0].slice('/openapi/v3/'.length);
    const d = openapiDoc(path);
    if (!d) throw statusNotFound();
    reply.type('application/json');
    return d.body;
  });
  app.get('/openapi/v2', async (_req, _reply) => {
    throw statusNotFound();
  });

  const api = async (req: FastifyRequest, reply: FastifyReply) => {
    const parsed = apiPathOf(req);
    switch (parsed.kind) {
      case 'root': {
        const legacy = req.url.startsWith('/api') && !req.url.startsWith('/apis');
        const agg = req.method === 'GET' ? aggregatedDiscovery(req.headers.accept) : undefined;
        if (agg) {
          // Sent raw: kubectl matches this Content-Type exactly, and fastify would re-format its parameters.
          reply.hijack();
          reply.raw.writeHead(200, { 'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList` });
          reply.raw.end(JSON.stringify(discovery.aggregated(legacy, agg)));
          return reply;
        }
        return legacy ? discovery.apiVersions(o.serverAddress ?? '127.0.0.1:6443') : discovery.apiGroupList();
      }
      case 'group': return discovery.apiGroup(parsed.group);
      case 'groupVersion': return discovery.apiResourceList(parsed.group, parsed.version);
      case 'resource': return serveResource(req, reply, parsed.path, { registry: o.registry, metrics, bookmarkIntervalMs: o.bookmarkIntervalMs, podProxy: o.podProxy });
      default: throw statusNotFound();
    }
  };
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/api', handler: api });
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/api/*', handler: api });
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/apis', handler: api });
  app.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/apis/*', handler: api });
  return app;
}

/** The request's parsed API path, worked out once for the handler and the metrics. */
function apiPathOf(req: FastifyRequest): ApiPath {
  const r = req as FastifyRequest & { apiPath?: ApiPath };
  return (r.apiPath ??= parseApiPath(req.url));
}

// A TLS connection's client certificate does not change: its user is worked out once per connection (an HTTP/2
// session, or an HTTP/1.1 socket).
const connectionUsers = new WeakMap<object, UserInfo | undefined>();
function authenticateCached(req: FastifyRequest, authenticate: (req: FastifyRequest) => UserInfo | undefined): UserInfo | undefined {
  if (req.headers.authorization) return authenticate(req);
  const socket = (req.raw as { stream?: { session?: object } }).stream?.session ?? req.raw.socket;
  if (connectionUsers.has(socket)) return connectionUsers.get(socket);
  const user = authenticate(req);
  connectionUsers.set(socket, user);
  return user;
}

function statusNotFound(): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
}

function sendError(reply: FastifyReply, err: unknown, req?: FastifyRequest): FastifyReply {
  let se: StatusError;
  if (err instanceof StatusError) se = err;
  else {
    const e = err as { code?: string; statusCode?: number; message?: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) se = errors.tooLarge();
    else if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) se = errors.badRequest(e.message ?? 'bad request');
    else {
      req?.log.error({ err }, 'internal error');
      se = errors.internal(e.message ?? String(err));
    }
  }
  if (reply.sent) return reply;
  reply.code(se.code).type('application/json');
  if (se.status.details?.retryAfterSeconds) reply.header('Retry-After', String(se.status.details.retryAfterSeconds));
  return reply.send(JSON.stringify(se.status));
}
