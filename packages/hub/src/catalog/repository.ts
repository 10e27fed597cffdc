// Catalogue rows in and out of the database.
import type { Db } from '../store/database.ts';
import type { AgencyEntry, DatasetEntry, FieldEntry, MaintenanceWindow, Registry } from './registry.ts';

export interface Agency {
  id: string;
  name: { 'zh-TW': string; en: string };
  baseUrl: string;
  jwksUrl: string;
  maintenance: MaintenanceWindow[];
}

export interface Dataset {
  id: string;
  agencyId: string;
  name: { 'zh-TW': string; en: string };
  description: { 'zh-TW': string; en: string };
  category: string;
  fields: FieldEntry[];
  formats: Array<'json' | 'pdf'>;
  minAssuranceLevel: number;
  typicalPreparationSeconds: number;
}

export function jwksUrlOf(agency: AgencyEntry): string {
  return agency.jwks_url ?? new URL('/.well-known/jwks.json', agency.base_url).toString();
}

/**
 * Makes the catalogue match the registry in one transaction: upserts what the registry has, then
 * removes what it no longer has. Upserts (not delete-all + insert) let several hub processes seed
 * the same PostgreSQL at once.
 */
export async function seedRegistry(db: Db, registry: Registry, now = new Date()): Promise<void> {
  const stamp = now.toISOString();
  const agencyIds = registry.agencies.map((a) => a.id);
  const datasetIds = registry.agencies.flatMap((a) => a.datasets.map((d) => d.id));
  await db.transaction().execute(async (trx) => {
    let position = 0;
    for (const agency of registry.agencies) {
      const row = {
        id: agency.id,
        name_zh: agency.name['zh-TW'],
        name_en: agency.name.en,
        base_url: agency.base_url,
        jwks_url: jwksUrlOf(agency),
        maintenance: JSON.stringify(agency.maintenance),
        updated_at: stamp,
      };
      const { id: _agencyId, ...agencyUpdate } = row;
      await trx
        .insertInto('agencies')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(agencyUpdate))
        .execute();
      for (const dataset of agency.datasets) {
        const datasetValues = datasetRow(agency.id, dataset, position++, stamp);
        const { id: _datasetId, ...datasetUpdate } = datasetValues;
        await trx
          .insertInto('datasets')
          .values(datasetValues)
          .onConflict((oc) => oc.column('id').doUpdateSet(datasetUpdate))
          .execute();
      }
    }
    await trx.deleteFrom('datasets').where('id', 'not in', datasetIds).execute();
    await trx.deleteFrom('agencies').where('id', 'not in', agencyIds).execute();
  });
}

function datasetRow(agencyId: string, d: DatasetEntry, position: number, stamp: string) {
  return {
    id: d.id,
    agency_id: agencyId,
    name_zh: d.name['zh-TW'],
    name_en: d.name.en,
    description_zh: d.description['zh-TW'],
    description_en: d.description.en,
    category: d.category,
    fields: JSON.stringify(d.fields),
    formats: JSON.stringify(d.formats),
    min_assurance_level: d.min_assurance_level,
    preparation_seconds: d.typical_preparation_seconds,
    position,
    updated_at: stamp,
  };
}

export async function listAgencies(db: Db): Promise<Agency[]> {
  const rows = await db.selectFrom('agencies').selectAll().orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    name: { 'zh-TW': r.name_zh, en: r.name_en },
    baseUrl: r.base_url,
    jwksUrl: r.jwks_url,
    maintenance: JSON.parse(r.maintenance) as MaintenanceWindow[],
  }));
}

export async function listDatasets(db: Db, filter: { agencyId?: string; category?: string } = {}): Promise<Dataset[]> {
  let query = db.selectFrom('datasets').selectAll().orderBy('position');
  if (filter.agencyId) query = query.where('agency_id', '=', filter.agencyId);
  if (filter.category) query = query.where('category', '=', filter.category);
  return (await query.execute()).map(toDataset);
}

export async function findDataset(db: Db, id: string): Promise<Dataset | undefined> {
  const row = await db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toDataset(row) : undefined;
}

function toDataset(r: {
  id: string;
  agency_id: string;
  name_zh: string;
  name_en: string;
  description_zh: string;
  description_en: string;
  category: string;
  fields: string;
  formats: string;
  min_assurance_level: number;
  preparation_seconds: number;
}): Dataset {
  return {
    id: r.id,
    agencyId: r.agency_id,
    name: { 'zh-TW': r.name_zh, en: r.name_en },
    description: { 'zh-TW': r.description_zh, en: r.description_en },
    category: r.category,
    fields: JSON.parse(r.fields) as FieldEntry[],
    formats: JSON.parse(r.formats) as Array<'json' | 'pdf'>,
    minAssuranceLevel: r.min_assurance_level,
    typicalPreparationSeconds: r.preparation_seconds,
  };
}
