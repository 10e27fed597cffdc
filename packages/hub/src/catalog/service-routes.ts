// Public list of online services: GET /api/v1/services. What the portal's 線上服務 page shows, for
// anyone: who runs each service, what it may ask for, why, how long it keeps the data.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CatalogueService } from './catalogue-service.ts';
import type { ServiceDirectory } from './service-repository.ts';

const localized = z.object({ 'zh-TW': z.string(), en: z.string() });

export const serviceView = z
  .object({
    id: z.string(),
    name: localized,
    provider: z.object({ client_id: z.string(), name: localized }),
    start_url: z.string().describe('where a person starts using the service'),
    datasets: z.array(z.object({ id: z.string(), name: localized.nullable(), agency: z.string().nullable() })).describe('what the service may ask for'),
    purpose: localized,
    retention_days: z.number().int().describe('how many days the service keeps the data'),
    privacy_policy_url: z.string(),
  })
  .meta({ id: 'Service' });

export function serviceRoutes(parent: FastifyInstance, deps: { directory: ServiceDirectory; catalogue: CatalogueService }): void {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/services',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'The online services a person can send their data to, and what each may ask for',
        response: { 200: z.object({ services: z.array(serviceView) }) },
      },
    },
    async () => {
      const [services, snapshot] = await Promise.all([deps.directory.services(), deps.catalogue.snapshot()]);
      const views = await Promise.all(
        services.map(async (s) => {
          const provider = await deps.directory.provider(s.clientId);
          return {
            id: s.id,
            name: s.name,
            provider: { client_id: s.clientId, name: provider?.name ?? { 'zh-TW': s.clientId, en: s.clientId } },
            start_url: s.startUrl,
            datasets: s.datasets.map((id) => {
              const found = snapshot.byDataset.get(id);
              return { id, name: found?.dataset.name ?? null, agency: found?.agency.id ?? null };
            }),
            purpose: s.purpose,
            retention_days: s.retentionDays,
            privacy_policy_url: s.privacyPolicyUrl,
          };
        }),
      );
      return { services: views };
    },
  );
}
