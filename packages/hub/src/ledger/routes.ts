// Public ledger API for auditors: GET /api/v1/ledger/{sth,key,consistency,leaves,proof}. Hashes and
// signed heads only; no entry content is served here. Each handler is a short pipeline: check the
// query, check it against the log's current size, answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../errors/problem.ts';
import { problemSchema } from '../errors/problem-schema.ts';
import type { Ledger } from './ledger.ts';
import { treeHeadView } from './tree-head.ts';

/** The most leaf hashes one /leaves answer holds; ask again from where it stopped. */
export const MAX_LEAVES = 1000;

const count = z
  .string()
  .regex(/^(0|[1-9]\d{0,15})$/)
  .transform(Number)
  .refine(Number.isSafeInteger)
  .describe('a whole number written in digits');
const b64 = (hash: Buffer) => hash.toString('base64');
const base64 = z.string().describe('standard base64');

const treeHead = z
  .object({
    tree_size: z.number().int(),
    timestamp: z.number().int().describe('milliseconds since the epoch'),
    root_hash: base64,
    signature: z.string().describe('detached compact JWS (ES256) over the canonical tree head'),
    key_id: z.string(),
  })
  .meta({ id: 'SignedTreeHead' });

const bad = { 400: problemSchema };

/** A query that fails its schema is this API's own error, with what was expected. */
function requireQuery(request: FastifyRequest, expected: string): void {
  if (request.validationError) throw new AppError('ledger_query_invalid', `Expected ${expected}, each a whole number written in digits.`);
}

function requireRange(ok: boolean, detail: string): void {
  if (!ok) throw new AppError('ledger_range_invalid', detail);
}

/** Answers about past tree sizes never change; the latest head does. */
function immutable(reply: FastifyReply): void {
  reply.header('cache-control', 'public, max-age=86400, immutable');
}

export function ledgerRoutes(parent: FastifyInstance, ledger: Ledger): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get('/ledger/sth', { schema: { tags: ['ledger'], summary: 'The latest signed tree head', response: { 200: treeHead } } }, async () =>
    treeHeadView(await ledger.currentTreeHead()),
  );

  app.get(
    '/ledger/key',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Every public key that has signed tree heads',
        response: { 200: z.object({ keys: z.array(z.record(z.string(), z.unknown())).describe('JWKs') }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return { keys: (await ledger.publicKeys()) as Array<Record<string, unknown>> };
    },
  );

  app.get(
    '/ledger/consistency',
    {
      attachValidation: true,
      schema: {
        tags: ['ledger'],
        summary: 'RFC 9162 consistency proof between two tree sizes',
        querystring: z.object({ first: count, second: count }),
        response: { 200: z.object({ consistency: z.array(base64) }), ...bad },
      },
    },
    async (request, reply) => {
      requireQuery(request, 'first and second (tree sizes)');
      const { first, second } = request.query;
      const size = await ledger.size();
      requireRange(first >= 1, 'first must be at least 1.');
      requireRange(first <= second, 'first must not exceed second.');
      requireRange(second <= size, `second must not exceed the ledger's size, ${size}.`);
      immutable(reply);
      return { consistency: (await ledger.consistencyProof(first, second)).map(b64) };
    },
  );

  app.get(
    '/ledger/leaves',
    {
      attachValidation: true,
      schema: {
        tags: ['ledger'],
        summary: 'Leaf hashes of entries start..end (inclusive); may stop early, ask again from the next index',
        querystring: z.object({ start: count, end: count }),
        response: { 200: z.object({ leaves: z.array(z.object({ index: z.number().int(), leaf_hash: base64 })) }), ...bad },
      },
    },
    async (request, reply) => {
      requireQuery(request, 'start and end (entry indices, end inclusive)');
      const { start, end } = request.query;
      const size = await ledger.size();
      requireRange(start <= end, 'start must not exceed end.');
      requireRange(start < size, `start must be below the ledger's size, ${size}.`);
      // As in RFC 9162 get-entries: the answer may stop early; ask again from the next index.
      const last = Math.min(end, size - 1, start + MAX_LEAVES - 1);
      if (last === end) immutable(reply);
      const leaves = await ledger.leafHashes(start, last + 1);
      return { leaves: leaves.map((l) => ({ index: l.index, leaf_hash: b64(l.leafHash) })) };
    },
  );

  app.get(
    '/ledger/proof',
    {
      attachValidation: true,
      schema: {
        tags: ['ledger'],
        summary: 'RFC 9162 inclusion proof of one entry in a tree size',
        querystring: z.object({ index: count, tree_size: count }),
        response: { 200: z.object({ index: z.number().int(), tree_size: z.number().int(), audit_path: z.array(base64) }), ...bad },
      },
    },
    async (request, reply) => {
      requireQuery(request, 'index and tree_size');
      const { index, tree_size: treeSize } = request.query;
      const size = await ledger.size();
      requireRange(treeSize <= size, `tree_size must not exceed the ledger's size, ${size}.`);
      requireRange(index < treeSize, 'index must be below tree_size.');
      immutable(reply);
      return { index, tree_size: treeSize, audit_path: (await ledger.inclusionProof(index, treeSize)).map(b64) };
    },
  );
}
