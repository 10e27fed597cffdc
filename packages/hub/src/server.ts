// Builds the hub's HTTP server from its services: one Fastify instance with schema validation
// (zod), one error handler, the common headers, and one encapsulated plugin per surface: the public
// API (/api/v1), the citizen portal, and whatever other surfaces the hub wires in (the counter
// console, the authorization server for services). No I/O happens here beyond route registration.
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, LogController } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { type ApiOptions, apiPlugin } from './api/api-plugin.ts';
import { installErrorHandling, sendProblem } from './errors/handler.ts';
import { AppError } from './errors/problem.ts';
import { type HealthService, healthRoutes } from './health/routes.ts';
import { portalErrorPages } from './web/error-pages.ts';
import { type PortalOptions, portalPlugin } from './web/portal.ts';
import { pageSecurityHeaders } from './web/security-headers.ts';

export interface HttpLimits {
  /** The whole request (headers and body) must arrive within this. */
  requestTimeoutMs: number;
  /** The headers must arrive within this. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 };

/** Another surface of the hub (counter console, OAuth server), registered as its own plugin. */
export interface Surface {
  plugin: FastifyPluginAsync;
  prefix?: string;
}

export interface ServerParts {
  logger: Logger;
  health: HealthService;
  api: ApiOptions;
  portal: PortalOptions;
  surfaces?: readonly Surface[];
  /** Origins pages may connect to besides their own (the local card signer). */
  connectSources?: readonly string[];
  publicUrl: string;
  /** Behind a reverse proxy: trust its X-Forwarded-For for the client address (rate limits). */
  trustProxy?: boolean | number;
  limits?: HttpLimits;
}

/**
 * Every route declares what it takes, and every API route what it answers: validation, types and
 * the OpenAPI document come from that one source, so a route without it fails at registration.
 */
export function requireSchemas(app: FastifyInstance): void {
  const routes: RouteSummary[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    const where = `${String(route.method)} ${route.url}`;
    if (!route.schema) throw new Error(`route ${where} has no schema`);
    if (route.url.startsWith('/api/') && !route.schema.hide && !route.schema.response) throw new Error(`API route ${where} has no response schema`);
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url, hidden: Boolean(route.schema.hide) });
  });
}

export interface RouteSummary {
  method: string;
  url: string;
  /** Left out of the OpenAPI document. */
  hidden: boolean;
}

const ROUTES = new WeakMap<FastifyInstance, RouteSummary[]>();

/** The routes registered on a server built here, as registered (HEAD routes included). */
export function routesOf(app: FastifyInstance): readonly RouteSummary[] {
  return ROUTES.get(app) ?? [];
}

export async function buildServer(parts: ServerParts): Promise<FastifyInstance> {
  const limits = parts.limits ?? DEFAULT_HTTP_LIMITS;
  const app = Fastify({
    loggerInstance: parts.logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    // Slow clients cannot hold sockets: headers, then the whole request, must arrive in time, and
    // the server checks every second rather than Node's default 30 s.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: { headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs), connectionsCheckingInterval: 1000 },
    // In-flight requests finish on close; idle keep-alive sockets are closed so shutdown is prompt.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    requestIdHeader: false,
    // One line per request (below, when it is answered) rather than Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: typeof parts.trustProxy === 'number' ? (_address: string, hop: number) => hop < (parts.trustProxy as number) : (parts.trustProxy ?? false),
    genReqId: () => crypto.randomUUID(),
    // Errors Fastify raises before routing (a malformed URL, say) get problem details too.
    frameworkErrors: (error, request, reply) => {
      request.log.info({ code: error.code }, 'request refused before routing');
      sendProblem(request, reply, new AppError('validation_failed', 'The request address or headers are malformed.'));
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  requireSchemas(app);
  installErrorHandling(app, portalErrorPages);
  // Answers finishing during shutdown close their connection, so a keep-alive socket that was busy
  // when close() began cannot hold the process open for the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, res: reply, responseTime: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    return payload;
  });
  pageSecurityHeaders(app, { connect: parts.connectSources ?? [] });

  // The OpenAPI 3.1 document of the public API, generated from the routes' own schemas.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OpenMyData hub API',
        version: '1.0.0',
        description: 'The public catalogue, the ledger for auditors, and a person’s own history. Errors are RFC 9457 problem details.',
      },
      servers: [{ url: parts.publicUrl }],
    },
    transform: (input) => {
      const transformed = jsonSchemaTransform(input);
      // Pages are for people: only the JSON API and the hub's plumbing are documented.
      const documented =
        input.url.startsWith('/api/') || input.url.startsWith('/.well-known/') || ['/healthz', '/readyz', '/problems/:code'].includes(input.url);
      return documented ? transformed : { ...transformed, schema: { ...transformed.schema, hide: true } };
    },
    transformObject: jsonSchemaTransformObject,
  });

  healthRoutes(app, parts.health);
  await app.register(apiPlugin, { ...parts.api, prefix: '/api/v1' });
  await app.register(portalPlugin, parts.portal);
  for (const surface of parts.surfaces ?? []) await app.register(surface.plugin, surface.prefix ? { prefix: surface.prefix } : {});
  return app;
}
