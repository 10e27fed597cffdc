// The hub's public API under /api/v1: catalogue, ledger, the person's own history, and the OpenAPI
// document generated from the routes' own schemas. Answers are JSON (problem+json on errors).
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CatalogueService } from '../catalog/catalogue-service.ts';
import { catalogueRoutes } from '../catalog/routes.ts';
import { AppError } from '../errors/problem.ts';
import { problemSchema } from '../errors/problem-schema.ts';
import type { SessionStore } from '../identity/session/session-store.ts';
import { historyToCsv, historyToJson } from '../ledger/history.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { ledgerRoutes } from '../ledger/routes.ts';
import { SESSION_COOKIE } from '../identity/session/session-store.ts';
import { readCookie } from '../web/portal-session.ts';

export interface ApiOptions {
  catalogue: CatalogueService;
  ledger: Ledger;
  sessions: SessionStore;
  subjectKey: (nationalId: string) => string;
  /** More routes under /api/v1 from other surfaces (services, counters), registered here. */
  extra?: ReadonlyArray<(app: FastifyInstance) => void>;
}

export const apiPlugin: FastifyPluginAsync<ApiOptions> = async (parent, options) => {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  catalogueRoutes(app, options.catalogue);
  ledgerRoutes(app, options.ledger);
  for (const register of options.extra ?? []) register(app);

  app.get(
    '/me/history',
    {
      schema: {
        tags: ['history'],
        summary: "The signed-in person's own ledger entries, each with its inclusion proof (JSON) or as CSV",
        description: 'Read with the portal session cookie. format=json or format=csv asks for a file to save.',
        querystring: z.object({ format: z.enum(['json', 'csv']).optional() }),
        response: { 200: z.string().describe('application/json with { entries: [...] }, or text/csv'), 401: problemSchema },
      },
    },
    async (request, reply) => {
      const session = await options.sessions.load(readCookie(request, SESSION_COOKIE));
      if (!session?.state.authenticated || !session.state.nationalId)
        throw new AppError('unauthenticated', 'Sign in on the portal first; the history is read with your session.');
      const history = await options.ledger.historyFor(options.subjectKey(session.state.nationalId));
      if (request.query.format === 'csv') {
        return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="openmydata-history.csv"').send(historyToCsv(history));
      }
      if (request.query.format === 'json') reply.header('content-disposition', 'attachment; filename="openmydata-history.json"');
      return reply.type('application/json; charset=utf-8').send(historyToJson(history));
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return parent.swagger();
  });
};
