// Builds the hub's HTTP server from its parts. No I/O happens here beyond route registration.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { catalogueRoutes } from './catalog/routes.ts';
import { ERROR_CATALOGUE, type ErrorCode } from './errors/catalogue.ts';
import { installErrorHandling, sendProblem } from './errors/handler.ts';
import { AppError } from './errors/problem.ts';
import { healthRoutes } from './health/routes.ts';
import { publishedJwks } from './keys/hub-keys.ts';
import type { Ledger } from './ledger/ledger.ts';
import { ledgerRoutes } from './ledger/routes.ts';
import type { Db } from './store/database.ts';
import { type PortalParts, portalRoutes } from './web/portal.ts';

export interface ServerParts {
  db: Db;
  logger: Logger;
  ledger: Ledger;
  portal: PortalParts;
  /** Behind a reverse proxy: trust its X-Forwarded-For for the client address (rate limits). */
  trustProxy?: boolean | number;
}

export async function buildServer(parts: ServerParts): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: parts.logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    // In-flight requests finish on close; idle keep-alive sockets are closed so shutdown is prompt.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    requestIdHeader: false,
    trustProxy: typeof parts.trustProxy === 'number' ? (_address: string, hop: number) => hop < (parts.trustProxy as number) : (parts.trustProxy ?? false),
    genReqId: () => crypto.randomUUID(),
    // Errors Fastify raises before routing (a malformed URL, say) get problem details too.
    frameworkErrors: (error, request, reply) => {
      request.log.info({ code: error.code }, 'request refused before routing');
      sendProblem(request, reply, new AppError('validation_failed', 'The request address or headers are malformed.'));
    },
  });
  installErrorHandling(app);
  // Answers finishing during shutdown close their connection, so a keep-alive socket that was busy
  // when close() began cannot hold the process open for the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    return payload;
  });

  healthRoutes(app, parts.db, async () => (await publishedJwks(parts.db)).keys.length > 0);
  catalogueRoutes(app, parts.db);
  await portalRoutes(app, parts.portal);
  ledgerRoutes(app, parts.ledger);

  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return publishedJwks(parts.db);
  });

  app.get<{ Params: { code: string } }>('/problems/:code', async (request) => {
    const code = request.params.code as ErrorCode;
    const definition = Object.hasOwn(ERROR_CATALOGUE, code) ? ERROR_CATALOGUE[code] : undefined;
    if (!definition) throw new AppError('not_found', 'No such problem type.');
    return { code, status: definition.status, title: definition.title };
  });

  return app;
}
