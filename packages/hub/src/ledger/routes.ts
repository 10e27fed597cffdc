// Public ledger API for auditors: GET /api/v1/ledger/{sth,key,consistency,leaves,proof}. Hashes and
// signed heads only; no entry content is served here. Each handler is a short pipeline: parse the
// query, check it against the log's current size, answer.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/problem.ts';
import type { Ledger } from './ledger.ts';
import { treeHeadView } from './tree-head.ts';

/** The most leaf hashes one /leaves answer holds; ask again from where it stopped. */
export const MAX_LEAVES = 1000;

const count = z
  .string()
  .regex(/^(0|[1-9]\d{0,15})$/)
  .transform(Number)
  .refine(Number.isSafeInteger);
const consistencyQuery = z.object({ first: count, second: count });
const leavesQuery = z.object({ start: count, end: count });
const proofQuery = z.object({ index: count, tree_size: count });

const b64 = (hash: Buffer) => hash.toString('base64');

function parseQuery<T>(schema: z.ZodType<T>, query: unknown, expected: string): T {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new AppError('ledger_query_invalid', `Expected ${expected}, each a whole number written in digits.`);
  return parsed.data;
}

function requireRange(ok: boolean, detail: string): void {
  if (!ok) throw new AppError('ledger_range_invalid', detail);
}

/** Answers about past tree sizes never change; the latest head does. */
function immutable(reply: FastifyReply): void {
  reply.header('cache-control', 'public, max-age=86400, immutable');
}

export function ledgerRoutes(app: FastifyInstance, ledger: Ledger): void {
  app.get('/api/v1/ledger/sth', async () => treeHeadView(await ledger.currentTreeHead()));

  app.get('/api/v1/ledger/key', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return { keys: await ledger.publicKeys() };
  });

  app.get('/api/v1/ledger/consistency', async (request, reply) => {
    const { first, second } = parseQuery(consistencyQuery, request.query, 'first and second (tree sizes)');
    const size = await ledger.size();
    requireRange(first >= 1, 'first must be at least 1.');
    requireRange(first <= second, 'first must not exceed second.');
    requireRange(second <= size, `second must not exceed the ledger's size, ${size}.`);
    immutable(reply);
    return { consistency: (await ledger.consistencyProof(first, second)).map(b64) };
  });

  app.get('/api/v1/ledger/leaves', async (request, reply) => {
    const { start, end } = parseQuery(leavesQuery, request.query, 'start and end (entry indices, end inclusive)');
    const size = await ledger.size();
    requireRange(start <= end, 'start must not exceed end.');
    requireRange(start < size, `start must be below the ledger's size, ${size}.`);
    // As in RFC 9162 get-entries: the answer may stop early; ask again from the next index.
    const last = Math.min(end, size - 1, start + MAX_LEAVES - 1);
    if (last === end) immutable(reply);
    const leaves = await ledger.leafHashes(start, last + 1);
    return { leaves: leaves.map((l) => ({ index: l.index, leaf_hash: b64(l.leafHash) })) };
  });

  app.get('/api/v1/ledger/proof', async (request, reply) => {
    const { index, tree_size: treeSize } = parseQuery(proofQuery, request.query, 'index and tree_size');
    const size = await ledger.size();
    requireRange(treeSize <= size, `tree_size must not exceed the ledger's size, ${size}.`);
    requireRange(index < treeSize, 'index must be below tree_size.');
    immutable(reply);
    return { index, tree_size: treeSize, audit_path: (await ledger.inclusionProof(index, treeSize)).map(b64) };
  });
}
