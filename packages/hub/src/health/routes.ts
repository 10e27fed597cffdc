// The hub's own plumbing, outside /api/v1: /healthz (alive), /readyz (database and keys), the
// hub's public signing keys, and the problem types its errors point to.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors/catalogue.ts';
import { AppError } from '../errors/problem.ts';
import { problemSchema } from '../errors/problem-schema.ts';

export interface HealthService {
  /** Each check's state; ready when all are 'ok'. */
  checks(): Promise<{ database: 'ok' | 'unavailable'; keys: 'ok' | 'missing' }>;
  /** The hub's published signing keys (request tokens, tree heads, consent receipts). */
  jwks(): Promise<{ keys: Array<Record<string, unknown>> }>;
}

const localized = z.object({ en: z.string(), 'zh-TW': z.string() });

export function healthRoutes(parent: FastifyInstance, health: HealthService): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get('/healthz', { schema: { tags: ['health'], summary: 'The process answers', response: { 200: z.object({ status: z.literal('ok') }) } } }, async () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'The database answers and the signing keys are there',
        response: { 200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }), 503: problemSchema },
      },
    },
    async (request) => {
      const checks = await health.checks();
      if (checks.database !== 'ok' || checks.keys !== 'ok') {
        request.log.warn({ checks }, 'not ready');
        throw new AppError('not_ready', `database: ${checks.database}, keys: ${checks.keys}`, undefined, { checks });
      }
      return { status: 'ready' as const, checks };
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      schema: { tags: ['health'], summary: "The hub's public signing keys", response: { 200: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) } },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return health.jwks();
    },
  );

  app.get(
    '/problems/:code',
    {
      schema: {
        tags: ['health'],
        summary: 'What an error code means',
        params: z.object({ code: z.string().max(64) }),
        response: { 200: z.object({ code: z.string(), status: z.number().int(), title: localized }), 404: problemSchema },
      },
    },
    async (request) => {
      const code = request.params.code as ErrorCode;
      const definition = Object.hasOwn(ERROR_CATALOGUE, code) ? ERROR_CATALOGUE[code] : undefined;
      if (!definition) throw new AppError('not_found', 'No such problem type.');
      return { code, status: definition.status, title: definition.title };
    },
  );
}
