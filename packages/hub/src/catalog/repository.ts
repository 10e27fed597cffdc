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
 * Makes the catalogue match the registry file in one transaction: upserts what the file has, then
 * removes what the file no longer has among the agencies it owns. Agencies an operator registered
 * (upsertAgency, npm run operator -- agency add) are left alone, so a restart keeps them. Upserts
 * (not delete-all + insert) let several hub processes seed the same PostgreSQL at once.
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
        source: 'registry_file' as const,
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
    const fileOwned = trx.selectFrom('agencies').select('id').where('source', '=', 'registry_file');
    await trx.deleteFrom('datasets').where('id', 'not in', datasetIds).where('agency_id', 'in', fileOwned).execute();
    await trx.deleteFrom('agencies').where('id', 'not in', agencyIds).where('source', '=', 'registry_file').execute();
  });
}

/** A data set another agency already registered: one agency may not take over another's data set. */
export class CatalogueConflictError extends Error {
  override readonly name = 'CatalogueConflictError';
  constructor(readonly conflicts: ReadonlyArray<{ dataset: string; agency: string }>) {
    super(conflicts.map((c) => `data set ${c.dataset} is already registered by agency ${c.agency}`).join('; '));
  }
}

export interface AgencyChange {
  agency: string;
  /** False when the agency was registered before and has been updated. */
  created: boolean;
  datasets: { added: string[]; updated: string[]; removed: string[] };
}

/**
 * Registers one agency, or updates it, leaving every other agency as it is (seedRegistry, by
 * contrast, makes the whole catalogue match a registry). The agency's data sets become exactly
 * those given: new ones are listed after the catalogue's, existing ones keep their place.
 */
export async function upsertAgency(db: Db, agency: AgencyEntry, now = new Date()): Promise<AgencyChange> {
  const stamp = now.toISOString();
  const ids = agency.datasets.map((d) => d.id);
  return db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('datasets').select(['id', 'agency_id']).where('id', 'in', ids).where('agency_id', '!=', agency.id).execute();
    if (taken.length > 0) throw new CatalogueConflictError(taken.map((t) => ({ dataset: t.id, agency: t.agency_id })));
    const existing = await trx.selectFrom('agencies').select('id').where('id', '=', agency.id).executeTakeFirst();
    const own = await trx.selectFrom('datasets').select(['id', 'position']).where('agency_id', '=', agency.id).execute();
    const positions = new Map(own.map((d) => [d.id, d.position]));
    const last = await trx
      .selectFrom('datasets')
      .select((eb) => eb.fn.max('position').as('last'))
      .executeTakeFirst();
    let next = Number(last?.last ?? -1) + 1;
    const row = {
      id: agency.id,
      name_zh: agency.name['zh-TW'],
      name_en: agency.name.en,
      base_url: agency.base_url,
      jwks_url: jwksUrlOf(agency),
      maintenance: JSON.stringify(agency.maintenance),
      updated_at: stamp,
      source: 'operator' as const,
    };
    const { id: _agencyId, ...agencyUpdate } = row;
    await trx
      .insertInto('agencies')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(agencyUpdate))
      .execute();
    for (const dataset of agency.datasets) {
      const values = datasetRow(agency.id, dataset, positions.get(dataset.id) ?? next++, stamp);
      const { id: _datasetId, ...update } = values;
      await trx
        .insertInto('datasets')
        .values(values)
        .onConflict((oc) => oc.column('id').doUpdateSet(update))
        .execute();
    }
    const removed = own.map((d) => d.id).filter((id) => !ids.includes(id));
    if (removed.length > 0) await trx.deleteFrom('datasets').where('id', 'in', removed).execute();
    return {
      agency: agency.id,
      created: existing === undefined,
      datasets: { added: ids.filter((id) => !positions.has(id)), updated: ids.filter((id) => positions.has(id)), removed },
    };
  });
}

export interface AgencyDependents {
  datasets: string[];
  /** Granted, unused, unexpired consents naming one of the agency's data sets: they would fail if it went. */
  openConsents: number;
  /** When the last of those consents expires. */
  openConsentsUntil: string | undefined;
}

export async function agencyDependents(db: Db, agencyId: string, now = new Date()): Promise<AgencyDependents> {
  const datasets = (await db.selectFrom('datasets').select('id').where('agency_id', '=', agencyId).orderBy('position').execute()).map((d) => d.id);
  const open = await db
    .selectFrom('consents')
    .select(['datasets', 'expires_at'])
    .where('status', '=', 'granted')
    .where('expires_at', '>', now.toISOString())
    .execute();
  const mine = new Set(datasets);
  const depending = open.filter((c) => (JSON.parse(c.datasets) as string[]).some((id) => mine.has(id)));
  const until = depending
    .map((c) => c.expires_at)
    .sort()
    .at(-1);
  return { datasets, openConsents: depending.length, openConsentsUntil: until };
}

/** Removes an agency and its data sets; false when there was no such agency. */
export async function removeAgency(db: Db, agencyId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('datasets').where('agency_id', '=', agencyId).execute();
    const result = await trx.deleteFrom('agencies').where('id', '=', agencyId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
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
