// The demo agencies, each its own HTTP server built only with the provider SDK: the whole of an
// agency's own code is the catalogue entry and one function from subject to records.
import { join } from 'node:path';
import { createProvider, KeyRing, type MaintenanceWindow } from '@openmydata/provider-sdk';
import { DEMO_AGENCIES, type DemoAgency, fieldsOf } from './catalogue.ts';
import { recordsFor } from './population/records.ts';

export interface RunningAgency {
  id: string;
  url: string;
}

export interface DemoAgenciesOptions {
  hub: { issuer: string; jwksUrl: string };
  host?: string;
  /** Port for each agency; 0 picks a free one. */
  portOf: (agency: DemoAgency) => number;
  /** Where agencies keep their signing keys so restarts keep them; fresh keys when absent. */
  keyDir?: string;
  /** Replaces the agencies' maintenance windows (tests use [] to stay clear of the nightly one). */
  maintenance?: (agency: DemoAgency) => MaintenanceWindow[];
  agencies?: readonly DemoAgency[];
}

export async function startDemoAgencies(options: DemoAgenciesOptions): Promise<{ agencies: RunningAgency[]; close(): Promise<void> }> {
  const running: Array<RunningAgency & { close(): Promise<void> }> = [];
  try {
    for (const agency of options.agencies ?? DEMO_AGENCIES) {
      const provider = createProvider({
        agency: { id: agency.id, name: agency.name },
        datasets: agency.datasets.map((ds) => ({
          id: ds.id,
          name: ds.name,
          fields: fieldsOf(ds.id),
          fetch: (subject: string) => recordsFor(ds.id, subject),
          ...(ds.preparationSeconds > 0 ? { preparationSeconds: ds.preparationSeconds } : {}),
        })),
        hub: options.hub,
        keyRing: options.keyDir ? await KeyRing.fromFile(join(options.keyDir, `${agency.id}.jwks.json`)) : await KeyRing.generate(),
        maintenance: options.maintenance ? options.maintenance(agency) : agency.maintenance,
      });
      const server = await provider.listen(options.portOf(agency), options.host ?? '127.0.0.1');
      running.push({ id: agency.id, url: server.url, close: server.close });
    }
  } catch (error) {
    await Promise.all(running.map((r) => r.close()));
    throw error;
  }
  return {
    agencies: running.map(({ id, url }) => ({ id, url })),
    close: async () => {
      await Promise.all(running.map((r) => r.close()));
    },
  };
}
