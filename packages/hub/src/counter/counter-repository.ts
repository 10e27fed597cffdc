// Offices, counter services and staff accounts in and out of the database (Kysely, both engines).
import type { Db } from '../store/database.ts';
import type { CounterRegistry } from './counter-registry.ts';

export interface Bilingual {
  'zh-TW': string;
  en: string;
}

export interface CounterOffice {
  id: string;
  government: { id: string; name: Bilingual };
  name: Bilingual;
  address: Bilingual;
}

export interface CounterService {
  id: string;
  officeId: string;
  name: Bilingual;
  purpose: Bilingual;
  datasets: string[];
}

export type StaffRole = 'clerk' | 'supervisor';
export const STAFF_ROLES: readonly StaffRole[] = ['clerk', 'supervisor'];

export interface StaffAccount {
  id: string;
  officeId: string;
  role: StaffRole;
  passwordHash: string;
  sealedTotp: string;
  lastTotpStep: number;
  disabledAt: Date | undefined;
  createdAt: Date;
}

export interface CounterChange {
  offices: { added: string[]; updated: string[]; removed: string[] };
  services: { added: string[]; updated: string[]; removed: string[] };
}

/**
 * Registers the offices and services of the registry, updating those already there. With `exact`,
 * offices and services absent from the registry are removed (the hub's COUNTER_REGISTRY_FILE);
 * without it, other offices stay (the operator's `counter add`), though an office's services become
 * those in the file. Staff accounts are never touched here.
 */
export async function applyCounterRegistry(db: Db, registry: CounterRegistry, options: { exact: boolean }, now = new Date()): Promise<CounterChange> {
  const stamp = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const existingOffices = new Set((await trx.selectFrom('counter_offices').select('id').execute()).map((r) => r.id));
    const existingServices = new Map((await trx.selectFrom('counter_services').select(['id', 'office_id']).execute()).map((r) => [r.id, r.office_id]));
    const change: CounterChange = { offices: { added: [], updated: [], removed: [] }, services: { added: [], updated: [], removed: [] } };
    const keptServices = new Set<string>();
    const registryOffices = new Set<string>();
    let position = 0;
    for (const government of registry.governments) {
      for (const office of government.offices) {
        registryOffices.add(office.id);
        const row = {
          government_id: government.id,
          government_name_zh: government.name['zh-TW'],
          government_name_en: government.name.en,
          name_zh: office.name['zh-TW'],
          name_en: office.name.en,
          address_zh: office.address['zh-TW'],
          address_en: office.address.en,
          position: position++,
          updated_at: stamp,
        };
        await trx
          .insertInto('counter_offices')
          .values({ id: office.id, ...row })
          .onConflict((oc) => oc.column('id').doUpdateSet(row))
          .execute();
        (existingOffices.has(office.id) ? change.offices.updated : change.offices.added).push(office.id);
        let servicePosition = 0;
        for (const service of office.services) {
          keptServices.add(service.id);
          const serviceRow = {
            office_id: office.id,
            name_zh: service.name['zh-TW'],
            name_en: service.name.en,
            purpose_zh: service.purpose['zh-TW'],
            purpose_en: service.purpose.en,
            datasets: JSON.stringify(service.datasets),
            position: servicePosition++,
            updated_at: stamp,
          };
          await trx
            .insertInto('counter_services')
            .values({ id: service.id, ...serviceRow })
            .onConflict((oc) => oc.column('id').doUpdateSet(serviceRow))
            .execute();
          (existingServices.has(service.id) ? change.services.updated : change.services.added).push(service.id);
        }
      }
    }
    for (const [id, officeId] of existingServices) {
      if (keptServices.has(id)) continue;
      if (options.exact || registryOffices.has(officeId)) {
        await trx.deleteFrom('counter_services').where('id', '=', id).execute();
        change.services.removed.push(id);
      }
    }
    if (options.exact) {
      for (const id of existingOffices) {
        if (registryOffices.has(id)) continue;
        await trx.deleteFrom('counter_offices').where('id', '=', id).execute();
        change.offices.removed.push(id);
      }
    }
    return change;
  });
}

/** Removes an office and its services; its staff accounts are disabled, not deleted (the ledger names them). */
export async function removeOffice(db: Db, officeId: string, now = new Date()): Promise<{ services: string[]; staff: string[] } | undefined> {
  return db.transaction().execute(async (trx) => {
    const office = await trx.selectFrom('counter_offices').select('id').where('id', '=', officeId).executeTakeFirst();
    if (!office) return undefined;
    const services = (await trx.selectFrom('counter_services').select('id').where('office_id', '=', officeId).execute()).map((r) => r.id);
    const staff = (await trx.selectFrom('counter_staff').select('id').where('office_id', '=', officeId).where('disabled_at', 'is', null).execute()).map(
      (r) => r.id,
    );
    await trx.deleteFrom('counter_services').where('office_id', '=', officeId).execute();
    await trx.deleteFrom('counter_offices').where('id', '=', officeId).execute();
    await trx
      .updateTable('counter_staff')
      .set({ disabled_at: now.toISOString(), updated_at: now.toISOString() })
      .where('id', 'in', staff.length ? staff : [''])
      .execute();
    return { services, staff };
  });
}

export async function listOffices(db: Db): Promise<CounterOffice[]> {
  const rows = await db.selectFrom('counter_offices').selectAll().orderBy('position').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    government: { id: r.government_id, name: { 'zh-TW': r.government_name_zh, en: r.government_name_en } },
    name: { 'zh-TW': r.name_zh, en: r.name_en },
    address: { 'zh-TW': r.address_zh, en: r.address_en },
  }));
}

export async function listServices(db: Db): Promise<CounterService[]> {
  const rows = await db.selectFrom('counter_services').selectAll().orderBy('office_id').orderBy('position').execute();
  return rows.map((r) => ({
    id: r.id,
    officeId: r.office_id,
    name: { 'zh-TW': r.name_zh, en: r.name_en },
    purpose: { 'zh-TW': r.purpose_zh, en: r.purpose_en },
    datasets: JSON.parse(r.datasets) as string[],
  }));
}

function toStaff(r: {
  id: string;
  office_id: string;
  role: StaffRole;
  password_hash: string;
  sealed_totp: string;
  last_totp_step: number | string;
  disabled_at: string | null;
  created_at: string;
}): StaffAccount {
  return {
    id: r.id,
    officeId: r.office_id,
    role: r.role,
    passwordHash: r.password_hash,
    sealedTotp: r.sealed_totp,
    lastTotpStep: Number(r.last_totp_step),
    disabledAt: r.disabled_at ? new Date(r.disabled_at) : undefined,
    createdAt: new Date(r.created_at),
  };
}

export async function findStaff(db: Db, id: string): Promise<StaffAccount | undefined> {
  const row = await db.selectFrom('counter_staff').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toStaff(row) : undefined;
}

export async function listStaff(db: Db, officeId?: string): Promise<StaffAccount[]> {
  let query = db.selectFrom('counter_staff').selectAll().orderBy('office_id').orderBy('id');
  if (officeId) query = query.where('office_id', '=', officeId);
  return (await query.execute()).map(toStaff);
}

export async function insertStaff(
  db: Db,
  input: { id: string; officeId: string; role: StaffRole; passwordHash: string; sealedTotp: string },
  now = new Date(),
): Promise<void> {
  const stamp = now.toISOString();
  await db
    .insertInto('counter_staff')
    .values({
      id: input.id,
      office_id: input.officeId,
      role: input.role,
      password_hash: input.passwordHash,
      sealed_totp: input.sealedTotp,
      last_totp_step: 0,
      disabled_at: null,
      created_at: stamp,
      updated_at: stamp,
    })
    .execute();
}

/**
 * New credentials for an account (a reset): the TOTP replay guard starts again and its passkeys are
 * removed, since a reset answers a lost or exposed credential and a passkey is one.
 */
export async function resetStaffCredentials(db: Db, id: string, input: { passwordHash: string; sealedTotp: string }, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('counter_staff')
      .set({ password_hash: input.passwordHash, sealed_totp: input.sealedTotp, last_totp_step: 0, updated_at: now.toISOString() })
      .where('id', '=', id)
      .executeTakeFirst();
    await trx.deleteFrom('counter_staff_passkeys').where('staff_id', '=', id).execute();
    return Number(result.numUpdatedRows) === 1;
  });
}

export async function setStaffDisabled(db: Db, id: string, disabled: boolean, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable('counter_staff')
    .set({ disabled_at: disabled ? now.toISOString() : null, updated_at: now.toISOString() })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Takes a TOTP time step for the account: false when it (or a later one) was taken before, so a code works once. */
export async function takeTotpStep(db: Db, id: string, step: number): Promise<boolean> {
  const result = await db.updateTable('counter_staff').set({ last_totp_step: step }).where('id', '=', id).where('last_totp_step', '<', step).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
