// Transfers to services in the database: one row per retrieval for a service, from the person's
// consent until the service's one data call (or a revocation, a failure, the expiry). The row holds
// codes and ids only, and while it waits, the JWE only the service can open. Taking it clears the
// ciphertext in the same conditional UPDATE, so of concurrent data calls exactly one gets it.
import type { Db } from '../../store/database.ts';
import type { ServiceTransferTable } from '../../store/schema.ts';

export type TransferStatus = ServiceTransferTable['status'];

export interface DatasetResult {
  dataset: string;
  agency: string | null;
  status: 'ok' | 'no_data' | 'failed';
  reason: string | null;
}

export interface Transfer {
  retrievalId: string;
  consentId: string;
  subjectKey: string;
  clientId: string;
  serviceId: string;
  status: TransferStatus;
  failure: string | undefined;
  outcomes: DatasetResult[];
  size: number | undefined;
  createdAt: Date;
  readyAt: Date | undefined;
  deliveredAt: Date | undefined;
  revokedAt: Date | undefined;
  expiresAt: Date;
}

function toTransfer(row: Omit<ServiceTransferTable, 'ciphertext'>): Transfer {
  return {
    retrievalId: row.retrieval_id,
    consentId: row.consent_id,
    subjectKey: row.subject_key,
    clientId: row.client_id,
    serviceId: row.service_id,
    status: row.status,
    failure: row.failure ?? undefined,
    outcomes: row.outcomes ? (JSON.parse(row.outcomes) as DatasetResult[]) : [],
    size: row.size ?? undefined,
    createdAt: new Date(row.created_at),
    readyAt: row.ready_at ? new Date(row.ready_at) : undefined,
    deliveredAt: row.delivered_at ? new Date(row.delivered_at) : undefined,
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : undefined,
    expiresAt: new Date(row.expires_at),
  };
}

const COLUMNS = [
  'retrieval_id',
  'consent_id',
  'subject_key',
  'client_id',
  'service_id',
  'status',
  'failure',
  'outcomes',
  'size',
  'created_at',
  'ready_at',
  'delivered_at',
  'revoked_at',
  'expires_at',
] as const;

export async function openTransfer(
  db: Db,
  input: { retrievalId: string; consentId: string; subjectKey: string; clientId: string; serviceId: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db
    .insertInto('service_transfers')
    .values({
      retrieval_id: input.retrievalId,
      consent_id: input.consentId,
      subject_key: input.subjectKey,
      client_id: input.clientId,
      service_id: input.serviceId,
      status: 'waiting',
      failure: null,
      outcomes: null,
      ciphertext: null,
      size: null,
      created_at: now.toISOString(),
      ready_at: null,
      delivered_at: null,
      revoked_at: null,
      expires_at: input.expiresAt.toISOString(),
    })
    .onConflict((oc) => oc.column('retrieval_id').doNothing())
    .execute();
}

export async function findTransfer(db: Db, retrievalId: string): Promise<Transfer | undefined> {
  const row = await db.selectFrom('service_transfers').select(COLUMNS).where('retrieval_id', '=', retrievalId).executeTakeFirst();
  return row ? toTransfer(row) : undefined;
}

export async function transfersOf(db: Db, subjectKey: string, limit = 50): Promise<Transfer[]> {
  const rows = await db
    .selectFrom('service_transfers')
    .select(COLUMNS)
    .where('subject_key', '=', subjectKey)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toTransfer);
}

/** The delivery is ready: only while the transfer still waits (a revoked one stays revoked). */
export async function storeDelivery(db: Db, retrievalId: string, input: { ciphertext: string; outcomes: DatasetResult[] }, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('service_transfers')
    .set({
      status: 'ready',
      ciphertext: input.ciphertext,
      size: input.ciphertext.length,
      outcomes: JSON.stringify(input.outcomes),
      ready_at: now.toISOString(),
    })
    .where('retrieval_id', '=', retrievalId)
    .where('status', '=', 'waiting')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function failTransfer(db: Db, retrievalId: string, failure: string, outcomes: DatasetResult[], now: Date): Promise<void> {
  await db
    .updateTable('service_transfers')
    .set({ status: 'failed', failure, outcomes: JSON.stringify(outcomes), ready_at: now.toISOString() })
    .where('retrieval_id', '=', retrievalId)
    .where('status', '=', 'waiting')
    .execute();
}

/** The one taker of a ready delivery gets its ciphertext; the row keeps only that it was delivered. */
export async function takeDelivery(db: Db, retrievalId: string, now: Date): Promise<string | undefined> {
  const row = await db
    .selectFrom('service_transfers')
    .select(['ciphertext'])
    .where('retrieval_id', '=', retrievalId)
    .where('status', '=', 'ready')
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  if (!row?.ciphertext) return undefined;
  const result = await db
    .updateTable('service_transfers')
    .set({ status: 'delivered', ciphertext: null, delivered_at: now.toISOString() })
    .where('retrieval_id', '=', retrievalId)
    .where('status', '=', 'ready')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? row.ciphertext : undefined;
}

/** The person withdraws a transfer the service has not taken: its ciphertext goes at once. */
export async function revokeTransfer(db: Db, retrievalId: string, subjectKey: string, now: Date): Promise<Transfer | undefined> {
  const result = await db
    .updateTable('service_transfers')
    .set({ status: 'revoked', ciphertext: null, revoked_at: now.toISOString() })
    .where('retrieval_id', '=', retrievalId)
    .where('subject_key', '=', subjectKey)
    .where('status', 'in', ['waiting', 'ready'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1 ? findTransfer(db, retrievalId) : undefined;
}

/** Ciphertexts are dropped at expiry (8 h at most); the rows go a day later (the ledger keeps the history). */
export async function purgeExpiredTransfers(db: Db, now = new Date()): Promise<number> {
  const stamp = now.toISOString();
  const cleared = await db
    .updateTable('service_transfers')
    .set({ ciphertext: null, status: 'failed', failure: 'expired' })
    .where('expires_at', '<=', stamp)
    .where('status', 'in', ['waiting', 'ready'])
    .executeTakeFirst();
  const dropped = await db
    .deleteFrom('service_transfers')
    .where('expires_at', '<=', new Date(now.getTime() - 24 * 3600_000).toISOString())
    .executeTakeFirst();
  return Number(cleared.numUpdatedRows) + Number(dropped.numDeletedRows);
}
