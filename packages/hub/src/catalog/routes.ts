// Public catalogue: GET /api/v1/agencies, /api/v1/datasets, /api/v1/datasets/:id.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors/problem.ts';
import type { Db } from '../store/database.ts';
import { type Agency, type Dataset, findDataset, listAgencies, listDatasets } from './repository.ts';

const listQuery = z.object({
  agency: z.string().max(64).optional(),
  category: z.string().max(64).optional(),
  q: z.string().max(100).optional(),
});

export function catalogueRoutes(app: FastifyInstance, db: Db): void {
  app.get('/api/v1/agencies', async () => {
    const [agencies, datasets] = await Promise.all([listAgencies(db), listDatasets(db)]);
    return { agencies: agencies.map((a) => agencyView(a, datasets)) };
  });

  app.get('/api/v1/datasets', async (request) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) throw new AppError('validation_failed', 'agency, category and q must be short strings');
    const { agency, category, q } = query.data;
    let datasets = await listDatasets(db, { ...(agency ? { agencyId: agency } : {}), ...(category ? { category } : {}) });
    if (q) {
      const needle = q.toLowerCase();
      datasets = datasets.filter((d) =>
        [d.id, d.name['zh-TW'], d.name.en, d.description['zh-TW'], d.description.en].some((text) => text.toLowerCase().includes(needle)),
      );
    }
    const agencies = new Map((await listAgencies(db)).map((a) => [a.id, a]));
    return { datasets: datasets.map((d) => datasetView(d, agencies.get(d.agencyId))) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/datasets/:id', async (request) => {
    const dataset = /^[a-z0-9-]{1,64}$/.test(request.params.id) ? await findDataset(db, request.params.id) : undefined;
    if (!dataset) throw new AppError('dataset_not_found', 'No data set has this id.');
    const agency = (await listAgencies(db)).find((a) => a.id === dataset.agencyId);
    return datasetView(dataset, agency);
  });
}

function agencyView(agency: Agency, datasets: Dataset[]) {
  return {
    id: agency.id,
    name: agency.name,
    maintenance_windows: agency.maintenance,
    datasets: datasets.filter((d) => d.agencyId === agency.id).map((d) => d.id),
  };
}

function datasetView(d: Dataset, agency: Agency | undefined) {
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
