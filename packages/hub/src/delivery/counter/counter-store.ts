// Mode 2's rows between its steps (Kysely, both engines): the counter package (ciphertext), its codes
// (live, replaced or used; looked up by keyed hash), a console's claim while the confirmation code is
// out, and a clerk's open case. Every step that must happen once is one conditional write.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../store/database.ts';
import type { CounterCaseTable, CounterCodeTable, CounterPackageTable } from '../../store/schema.ts';

export interface StoredPackage {
  id: string;
  retrievalId: string;
  consentId: string;
  subjectKey: string;
  serviceId: string;
  officeId: string;
  datasets: string[];
  size: number;
  ownerSealed: string;
  claimId: string | undefined;
  claimedUntil: Date | undefined;
  createdAt: Date;
  expiresAt: Date;
}

export interface StoredCode {
  codeHash: string;
  packageId: string;
  retrievalId: string;
  subjectKey: string;
  serviceId: string;
  officeId: string;
  status: CounterCodeTable['status'];
  wrapped: string | undefined;
  ownerCode: string | undefined;
  issuedAt: Date;
  expiresAt: Date;
  usedAt: Date | undefined;
}

const date = (s: string | null) => (s ? new Date(s) : undefined);

export async function insertPackage(db: Db, input: Omit<StoredPackage, 'claimId' | 'claimedUntil' | 'size'> & { ciphertext: Buffer }): Promise<void> {
  await db
    .insertInto('counter_packages')
    .values({
      id: input.id,
      retrieval_id: input.retrievalId,
      consent_id: input.consentId,
      subject_key: input.subjectKey,
      service_id: input.serviceId,
      office_id: input.officeId,
      datasets: JSON.stringify(input.datasets),
      ciphertext: input.ciphertext,
      size: input.ciphertext.byteLength,
      owner_sealed: input.ownerSealed,
      claim_id: null,
      claimed_until: null,
      created_at: input.createdAt.toISOString(),
      expires_at: input.expiresAt.toISOString(),
    })
    .execute();
}

function toPackage(r: Omit<CounterPackageTable, 'ciphertext'>): StoredPackage {
  return {
    id: r.id,
    retrievalId: r.retrieval_id,
    consentId: r.consent_id,
    subjectKey: r.subject_key,
    serviceId: r.service_id,
    officeId: r.office_id,
    datasets: JSON.parse(r.datasets) as string[],
    size: Number(r.size),
    ownerSealed: r.owner_sealed,
    claimId: r.claim_id ?? undefined,
    claimedUntil: date(r.claimed_until),
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
  };
}

const PACKAGE_COLUMNS = [
  'id',
  'retrieval_id',
  'consent_id',
  'subject_key',
  'service_id',
  'office_id',
  'datasets',
  'size',
  'owner_sealed',
  'claim_id',
  'claimed_until',
  'created_at',
  'expires_at',
] as const;

/** The package of a retrieval while it waits (not expired), without its ciphertext. */
export async function findPackageOfRetrieval(db: Db, retrievalId: string, now: Date): Promise<StoredPackage | undefined> {
  const row = await db
    .selectFrom('counter_packages')
    .select(PACKAGE_COLUMNS)
    .where('retrieval_id', '=', retrievalId)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row ? toPackage(row) : undefined;
}

export async function findPackage(db: Db, id: string, now: Date): Promise<StoredPackage | undefined> {
  const row = await db
    .selectFrom('counter_packages')
    .select(PACKAGE_COLUMNS)
    .where('id', '=', id)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row ? toPackage(row) : undefined;
}

export async function packageCiphertext(db: Db, id: string): Promise<Buffer | undefined> {
  const row = await db.selectFrom('counter_packages').select('ciphertext').where('id', '=', id).executeTakeFirst();
  return row ? Buffer.from(row.ciphertext) : undefined;
}

function toCode(r: Omit<CounterCodeTable, 'forget_at'>): StoredCode {
  return {
    codeHash: r.code_hash,
    packageId: r.package_id,
    retrievalId: r.retrieval_id,
    subjectKey: r.subject_key,
    serviceId: r.service_id,
    officeId: r.office_id,
    status: r.status,
    wrapped: r.wrapped ?? undefined,
    ownerCode: r.owner_code ?? undefined,
    issuedAt: new Date(r.issued_at),
    expiresAt: new Date(r.expires_at),
    usedAt: date(r.used_at),
  };
}

export async function insertCode(db: Db, input: Omit<StoredCode, 'status' | 'usedAt'> & { forgetAt: Date }): Promise<void> {
  await db
    .insertInto('counter_codes')
    .values({
      code_hash: input.codeHash,
      package_id: input.packageId,
      retrieval_id: input.retrievalId,
      subject_key: input.subjectKey,
      service_id: input.serviceId,
      office_id: input.officeId,
      status: 'live',
      wrapped: input.wrapped ?? null,
      owner_code: input.ownerCode ?? null,
      issued_at: input.issuedAt.toISOString(),
      expires_at: input.expiresAt.toISOString(),
      used_at: null,
      forget_at: input.forgetAt.toISOString(),
    })
    .execute();
}

export async function findCode(db: Db, codeHash: string): Promise<StoredCode | undefined> {
  const row = await db.selectFrom('counter_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
  return row ? toCode(row) : undefined;
}

/** The newest code of a retrieval (live or not). */
export async function latestCodeOf(db: Db, retrievalId: string): Promise<StoredCode | undefined> {
  const row = await db.selectFrom('counter_codes').selectAll().where('retrieval_id', '=', retrievalId).orderBy('issued_at', 'desc').executeTakeFirst();
  return row ? toCode(row) : undefined;
}

/** Every live code of the package becomes a tombstone saying it was replaced; its key material goes. */
export async function replaceLiveCodes(db: Db, packageId: string): Promise<void> {
  await db
    .updateTable('counter_codes')
    .set({ status: 'replaced', wrapped: null, owner_code: null })
    .where('package_id', '=', packageId)
    .where('status', '=', 'live')
    .execute();
}

/**
 * A console claims the package for the confirmation step: only while no other claim runs, so of two
 * consoles scanning one code at once exactly one goes on.
 */
export async function claimPackage(db: Db, packageId: string, claimId: string, until: Date, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('counter_packages')
    .set({ claim_id: claimId, claimed_until: until.toISOString() })
    .where('id', '=', packageId)
    .where('expires_at', '>', now.toISOString())
    .where((eb) => eb.or([eb('claim_id', 'is', null), eb('claimed_until', '<=', now.toISOString())]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function releaseClaim(db: Db, packageId: string, claimId: string): Promise<void> {
  await db.updateTable('counter_packages').set({ claim_id: null, claimed_until: null }).where('id', '=', packageId).where('claim_id', '=', claimId).execute();
}

/** Deletes the package as it is redeemed; true for the one claim that may take it. */
export async function takePackage(db: Db, packageId: string, claimId: string): Promise<boolean> {
  const result = await db.deleteFrom('counter_packages').where('id', '=', packageId).where('claim_id', '=', claimId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function markCodesUsed(db: Db, packageId: string, usedHash: string, now: Date): Promise<void> {
  await db
    .updateTable('counter_codes')
    .set({ status: 'used', used_at: now.toISOString(), wrapped: null, owner_code: null })
    .where('code_hash', '=', usedHash)
    .execute();
  await db
    .updateTable('counter_codes')
    .set({ status: 'replaced', wrapped: null, owner_code: null })
    .where('package_id', '=', packageId)
    .where('status', '=', 'live')
    .execute();
}

export interface StoredRedemption {
  id: string;
  packageId: string;
  codeHash: string;
  staffId: string;
  consoleId: string;
  confirmationHash: string;
  sealed: string;
  expiresAt: Date;
}

export async function insertRedemption(db: Db, input: StoredRedemption, now: Date): Promise<void> {
  await db
    .insertInto('counter_redemptions')
    .values({
      id: input.id,
      package_id: input.packageId,
      code_hash: input.codeHash,
      staff_id: input.staffId,
      console_id: input.consoleId,
      confirmation_hash: input.confirmationHash,
      sealed: input.sealed,
      created_at: now.toISOString(),
      expires_at: input.expiresAt.toISOString(),
    })
    .execute();
}

export async function findRedemption(db: Db, id: string): Promise<StoredRedemption | undefined> {
  const r = await db.selectFrom('counter_redemptions').selectAll().where('id', '=', id).executeTakeFirst();
  return r
    ? {
        id: r.id,
        packageId: r.package_id,
        codeHash: r.code_hash,
        staffId: r.staff_id,
        consoleId: r.console_id,
        confirmationHash: r.confirmation_hash,
        sealed: r.sealed,
        expiresAt: new Date(r.expires_at),
      }
    : undefined;
}

/** Ends a redemption attempt and frees the package for another scan. */
export async function dropRedemption(db: Db, redemption: { id: string; packageId: string }): Promise<void> {
  await db.deleteFrom('counter_redemptions').where('id', '=', redemption.id).execute();
  await releaseClaim(db, redemption.packageId, redemption.id);
}

export interface StoredCase {
  id: string;
  staffId: string;
  officeId: string;
  serviceId: string;
  subjectKey: string;
  consentId: string;
  datasets: string[];
  sealed: string;
  createdAt: Date;
  expiresAt: Date;
}

export async function insertCase(db: Db, input: StoredCase): Promise<void> {
  await db
    .insertInto('counter_cases')
    .values({
      id: input.id,
      staff_id: input.staffId,
      office_id: input.officeId,
      service_id: input.serviceId,
      subject_key: input.subjectKey,
      consent_id: input.consentId,
      datasets: JSON.stringify(input.datasets),
      sealed: input.sealed,
      created_at: input.createdAt.toISOString(),
      expires_at: input.expiresAt.toISOString(),
    })
    .execute();
}

function toCase(r: CounterCaseTable): StoredCase {
  return {
    id: r.id,
    staffId: r.staff_id,
    officeId: r.office_id,
    serviceId: r.service_id,
    subjectKey: r.subject_key,
    consentId: r.consent_id,
    datasets: JSON.parse(r.datasets) as string[],
    sealed: r.sealed,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
  };
}

export async function findCase(db: Db, id: string, staffId: string, now: Date): Promise<StoredCase | undefined> {
  const r = await db
    .selectFrom('counter_cases')
    .selectAll()
    .where('id', '=', id)
    .where('staff_id', '=', staffId)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return r ? toCase(r) : undefined;
}

export async function casesOf(db: Db, staffId: string, now: Date): Promise<StoredCase[]> {
  const rows = await db
    .selectFrom('counter_cases')
    .selectAll()
    .where('staff_id', '=', staffId)
    .where('expires_at', '>', now.toISOString())
    .orderBy('created_at')
    .execute();
  return rows.map(toCase);
}

export async function deleteCase(db: Db, id: string, staffId: string): Promise<boolean> {
  const result = await db.deleteFrom('counter_cases').where('id', '=', id).where('staff_id', '=', staffId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function deleteCasesOf(db: Db, staffId: string): Promise<number> {
  const result = await db.deleteFrom('counter_cases').where('staff_id', '=', staffId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// Console lockouts: failures are counted per key (console:<id>, staff:<id>) in a sliding window.

export async function lockedUntil(db: Db, keys: readonly string[], now: Date): Promise<Date | undefined> {
  const rows = await db
    .selectFrom('counter_lockouts')
    .select('locked_until')
    .where('lock_key', 'in', [...keys])
    .where('locked_until', '>', now.toISOString())
    .execute();
  const until = rows.map((r) => r.locked_until).sort();
  return until.length > 0 ? new Date(until[until.length - 1] as string) : undefined;
}

/** Counts one failure under each key; once any key holds `max` within the window, every key is locked. */
export async function recordFailure(
  db: Db,
  keys: readonly string[],
  rule: { max: number; windowMs: number; lockMs: number },
  now: Date,
): Promise<{ failures: number; lockedUntil: Date | undefined }> {
  for (const key of keys) await db.insertInto('counter_failures').values({ id: randomUUID(), lock_key: key, at: now.toISOString() }).execute();
  const since = new Date(now.getTime() - rule.windowMs).toISOString();
  let failures = 0;
  for (const key of keys) {
    const row = await db
      .selectFrom('counter_failures')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('lock_key', '=', key)
      .where('at', '>', since)
      .executeTakeFirstOrThrow();
    failures = Math.max(failures, Number(row.n));
  }
  if (failures < rule.max) return { failures, lockedUntil: undefined };
  const until = new Date(now.getTime() + rule.lockMs);
  for (const key of keys) {
    await db
      .insertInto('counter_lockouts')
      .values({ lock_key: key, locked_until: until.toISOString() })
      .onConflict((oc) => oc.column('lock_key').doUpdateSet({ locked_until: until.toISOString() }))
      .execute();
    await db.deleteFrom('counter_failures').where('lock_key', '=', key).execute();
  }
  return { failures, lockedUntil: until };
}

export async function liftLockout(db: Db, keys: readonly string[]): Promise<number> {
  const result = await db
    .deleteFrom('counter_lockouts')
    .where('lock_key', 'in', [...keys])
    .executeTakeFirst();
  await db
    .deleteFrom('counter_failures')
    .where('lock_key', 'in', [...keys])
    .execute();
  return Number(result.numDeletedRows);
}

/** Housekeeping: expired packages, redemptions, cases, forgotten code tombstones, old failures and lockouts. */
export async function purgeCounterRows(db: Db, now: Date, failureWindowMs: number): Promise<number> {
  const stamp = now.toISOString();
  let purged = 0;
  for (const result of [
    await db.deleteFrom('counter_packages').where('expires_at', '<=', stamp).executeTakeFirst(),
    // Kept a while past expiry, so the clerk hears "expired" rather than "ended".
    await db
      .deleteFrom('counter_redemptions')
      .where('expires_at', '<=', new Date(now.getTime() - 10 * 60_000).toISOString())
      .executeTakeFirst(),
    await db.deleteFrom('counter_cases').where('expires_at', '<=', stamp).executeTakeFirst(),
    await db.deleteFrom('counter_codes').where('forget_at', '<=', stamp).executeTakeFirst(),
    await db
      .deleteFrom('counter_failures')
      .where('at', '<=', new Date(now.getTime() - failureWindowMs).toISOString())
      .executeTakeFirst(),
    await db.deleteFrom('counter_lockouts').where('locked_until', '<=', stamp).executeTakeFirst(),
  ])
    purged += Number(result.numDeletedRows);
  // A code whose package is gone (expired) keeps nothing that could open anything.
  await db.updateTable('counter_codes').set({ wrapped: null, owner_code: null }).where('expires_at', '<=', stamp).where('wrapped', 'is not', null).execute();
  return purged;
}
