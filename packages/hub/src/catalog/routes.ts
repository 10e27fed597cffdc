// Public catalogue: GET /api/v1/agencies, /api/v1/datasets, /api/v1/datasets/:id.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../errors/problem.ts';
import { problemSchema } from '../errors/problem-schema.ts';
import type { CatalogueSnapshot } from './cache.ts';
import type { CatalogueService } from './catalogue-service.ts';
import { fieldSchema } from './registry.ts';
import type { Agency, Dataset } from './repository.ts';

const localized = z.object({ 'zh-TW': z.string(), en: z.string() });
/** A maintenance window as the API shows it (the registry's rules were checked when it was loaded). */
const window = z.object({
  days: z.array(z.number().int().min(0).max(6)).optional().describe('days the window starts on: 0 is Sunday; absent: every day'),
  start: z.string().describe('local HH:MM'),
  end: z.string().describe('local HH:MM; not after start: runs past midnight'),
  timeZone: z.string(),
});

export const agencyView = z
  .object({
    id: z.string(),
    name: localized,
    maintenance_windows: z.array(window),
    datasets: z.array(z.string()).describe('ids of the data sets this agency serves'),
    jwks_url: z.string().describe("the agency's package-signing keys (JWKS): anyone holding an agency package checks its signature against them"),
  })
  .meta({ id: 'Agency' });

export const datasetView = z
  .object({
    id: z.string(),
    name: localized,
    description: localized,
    category: z.string(),
    agency: z.object({ id: z.string(), name: localized.nullable() }),
    fields: z.array(fieldSchema),
    formats: z.array(z.enum(['json', 'pdf'])),
    min_assurance_level: z.number().int().min(1).max(4).describe('1 is the strongest (citizen certificate), 4 the weakest'),
    typical_preparation_seconds: z.number().int(),
    maintenance_windows: z.array(window),
  })
  .meta({ id: 'Dataset' });

const listQuery = z.object({
  agency: z.string().max(64).optional(),
  category: z.string().max(64).optional(),
  q: z.string().max(100).optional().describe('matched against ids, names and descriptions in both languages'),
});

export function catalogueRoutes(parent: FastifyInstance, catalogue: CatalogueService): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/agencies',
    { schema: { tags: ['catalogue'], summary: 'The agencies and the data sets each serves', response: { 200: z.object({ agencies: z.array(agencyView) }) } } },
    async (request, reply) => {
      const snapshot = await catalogue.snapshot();
      return sendCached(request, reply, snapshot, 'agencies', () => ({ agencies: snapshot.agencies.map((a) => toAgencyView(a, snapshot.datasets)) }));
    },
  );

  app.get(
    '/datasets',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'The data sets a person can ask for',
        querystring: listQuery,
        response: { 200: z.object({ datasets: z.array(datasetView) }), 400: problemSchema },
      },
    },
    async (request, reply) => {
      const { agency, category, q } = request.query;
      const snapshot = await catalogue.snapshot();
      return sendCached(request, reply, snapshot, `datasets ${JSON.stringify([agency, category, q?.trim().toLowerCase()])}`, async () => {
        const datasets = await catalogue.datasets({ agencyId: agency, category, text: q });
        const byId = new Map(snapshot.agencies.map((a) => [a.id, a]));
        return { datasets: datasets.map((d) => toDatasetView(d, byId.get(d.agencyId))) };
      });
    },
  );

  app.get(
    '/datasets/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'One data set',
        params: z.object({ id: z.string().max(200) }),
        response: { 200: datasetView, 404: problemSchema },
      },
    },
    async (request, reply) => {
      const found = /^[a-z0-9-]{1,64}$/.test(request.params.id) ? await catalogue.dataset(request.params.id) : undefined;
      if (!found) throw new AppError('dataset_not_found', 'No data set has this id.');
      return sendCached(request, reply, await catalogue.snapshot(), `dataset ${request.params.id}`, () => toDatasetView(found.dataset, found.agency));
    },
  );
}

/** A response body serialised once per catalogue snapshot, with its validator. */
interface Serialised {
  body: string;
  etag: string;
}

// Per snapshot (a new snapshot, a changed catalogue or an expired TTL, starts afresh), at most this
// many distinct queries are kept; the rest are built per request as before.
const MAX_PER_SNAPSHOT = 64;
const serialised = new WeakMap<CatalogueSnapshot, Map<string, Serialised>>();

/**
 * The catalogue is public and changes only when the registry does, so its answers are serialised
 * once and sent as bytes, with an ETag (the digest of those bytes, the same on every hub process)
 * that lets clients and caches revalidate for nothing, and a short public max-age.
 */
async function sendCached(request: FastifyRequest, reply: FastifyReply, snapshot: CatalogueSnapshot, key: string, build: () => unknown): Promise<FastifyReply> {
  let bodies = serialised.get(snapshot);
  if (!bodies) {
    bodies = new Map();
    serialised.set(snapshot, bodies);
  }
  let entry = bodies.get(key);
  if (!entry) {
    const body = JSON.stringify(await build());
    entry = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    if (bodies.size < MAX_PER_SNAPSHOT) bodies.set(key, entry);
  }
  reply.header('etag', entry.etag).header('cache-control', 'public, max-age=60');
  const candidates = request.headers['if-none-match']?.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (candidates?.includes(entry.etag) || candidates?.includes('*')) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(entry.body);
}

function toAgencyView(agency: Agency, datasets: Dataset[]): z.infer<typeof agencyView> {
  return {
    id: agency.id,
    name: agency.name,
    maintenance_windows: agency.maintenance,
    datasets: datasets.filter((d) => d.agencyId === agency.id).map((d) => d.id),
    jwks_url: agency.jwksUrl,
  };
}

function toDatasetView(d: Dataset, agency: Agency | undefined): z.infer<typeof datasetView> {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    category: d.category,
    agency: { id: d.agencyId, name: agency?.name ?? null },
    fields: d.fields,
    formats: d.formats,
    min_assurance_level: d.minAssuranceLevel,
    typical_preparation_seconds: d.typicalPreparationSeconds,
    maintenance_windows: agency?.maintenance ?? [],
  };
}
