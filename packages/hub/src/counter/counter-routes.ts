// Public counters list: GET /api/v1/counters, the offices (by local government) and their counter
// services, each with the data sets it needs, who holds them and the assurance level they ask for.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requiredLevel } from '../identity/login-rules.ts';
import type { CounterDirectory } from './counter-directory.ts';

const localized = z.object({ 'zh-TW': z.string(), en: z.string() });

export const counterServiceView = z
  .object({
    id: z.string(),
    name: localized,
    purpose: localized,
    datasets: z.array(
      z.object({
        id: z.string(),
        name: localized.nullable().describe('null when the catalogue does not hold the data set (the service cannot be used then)'),
        agency: z.object({ id: z.string(), name: localized }).nullable(),
        min_assurance_level: z.number().int().min(1).max(4).nullable(),
      }),
    ),
    min_assurance_level: z.number().int().min(1).max(4).describe('the level a person signs in at to use this service: the strictest of its data sets'),
    available: z.boolean().describe('false while a data set it needs is missing from the catalogue'),
  })
  .meta({ id: 'CounterService' });

export const counterOfficeView = z
  .object({
    id: z.string(),
    name: localized,
    address: localized,
    local_government: z.object({ id: z.string(), name: localized }),
    services: z.array(counterServiceView),
  })
  .meta({ id: 'CounterOffice' });

export function counterApiRoutes(directory: CounterDirectory): (app: FastifyInstance) => void {
  return (parent) => {
    const app = parent.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/counters',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'Offices of local governments and their counter services (mode 2), with the data sets each needs',
          response: { 200: z.object({ offices: z.array(counterOfficeView) }) },
        },
      },
      async () => {
        const [offices, services] = await Promise.all([directory.offices(), directory.services()]);
        return {
          offices: offices.map((o) => ({
            id: o.id,
            name: o.name,
            address: o.address,
            local_government: o.government,
            services: services
              .filter((s) => s.officeId === o.id)
              .map((s) => {
                const byId = new Map(s.resolved.map((r) => [r.dataset.id, r]));
                return {
                  id: s.id,
                  name: s.name,
                  purpose: s.purpose,
                  datasets: s.datasets.map((id) => {
                    const found = byId.get(id);
                    return {
                      id,
                      name: found ? found.dataset.name : null,
                      agency: found ? { id: found.agency.id, name: found.agency.name } : null,
                      min_assurance_level: found ? found.dataset.minAssuranceLevel : null,
                    };
                  }),
                  min_assurance_level: requiredLevel(s.resolved.map((r) => r.dataset.minAssuranceLevel)),
                  available: s.missing.length === 0 && s.resolved.length > 0,
                };
              }),
          })),
        };
      },
    );
  };
}
